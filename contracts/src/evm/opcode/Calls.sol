// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {BadItem} from "../EvmErrors.sol";
import {EvmLayout} from "../lib/EvmLayout.sol";
import {IndexedMap} from "../lib/IndexedMap.sol";
import {Mpt} from "../lib/Mpt.sol";
import {Rlp} from "../lib/Rlp.sol";
import {Trees} from "../lib/Trees.sol";
import {WitnessReader} from "../lib/WitnessReader.sol";
import {Step, StepLib} from "./Step.sol";

/// @title Calls
/// @notice Calls and creates: CALL, CALLCODE, DELEGATECALL, STATICCALL (EIP-2929 access, value and new
///         account charges, EIP-7702 delegation, the 63/64 rule and the stipend, a child whose calldata
///         is a view of this memory) and CREATE, CREATE2 (EIP-3860, the new address, warmed only after
///         the fail-fast checks, EIP-684/7610 collisions; the initcode's tree `C` computed by the
///         CodeOracle's pure `rootOf`, which keeps the code-tree builder in one contract). A call or create that enters its child leaves
///         this frame suspended (SPEC.md §5.1); the child's exit is ../FrameExit.sol. The checker's twin
///         is src/check/opcode/calls.ts.
library Calls {
    uint8 internal constant PRAGUE = 2;
    uint256 internal constant MAX_INITCODE_SIZE = 49152;

    /// @dev The accounts a call reads, from one trie proof (its writes walk the trie they leave).
    struct Accounts {
        Mpt.NodeSet trie;
        bytes32 root;
    }

    /// @notice CALL, CALLCODE, DELEGATECALL, STATICCALL.
    function isCall(uint8 op) internal pure returns (bool) {
        return op == 0xf1 || op == 0xf2 || op == 0xf4 || op == 0xfa;
    }

    /// @notice CREATE, CREATE2.
    function isCreate(uint8 op) internal pure returns (bool) {
        return op == 0xf0 || op == 0xf5;
    }

    /// @dev A call's operands: the gas, the target, the value (CALL, CALLCODE) and the input and output ranges.
    struct CallArgs {
        uint256 gas;
        address target;
        uint256 value;
        uint256 inOffset;
        uint256 inSize;
        uint256 outOffset;
        uint256 outSize;
        bool hasValue;
        /// @dev The code the child runs, the gas it gets and the account it runs in.
        bytes32 codeRoot;
        uint256 codeSize;
        uint256 forwarded;
        uint256 stipend;
        address context;
    }

    function call(Step memory c, WitnessReader.Reader memory r) internal view {
        CallArgs memory a = _callArgs(c);
        if (c.op == 0xf1 && c.f.isStatic && a.value != 0) return _fail(c);
        if (!StepLib.expand(c, a.inOffset, a.inSize) || !StepLib.expand(c, a.outOffset, a.outSize)) return;
        if (!StepLib.use(c, StepLib.warm(c, r, StepLib.addressKey(a.target)) ? 2600 : 100)) return;
        if (a.value != 0 && !StepLib.use(c, 9000)) return;
        Accounts memory t = _accounts(c, r);
        (bool exists, Mpt.Account memory target) = _get(t, a.target);
        if (c.op == 0xf1 && a.value != 0 && StepLib.isEmpty(exists, target) && !StepLib.use(c, 25000)) return;
        address delegate;
        (a.codeRoot, a.codeSize, delegate) = StepLib.codeOfWithDelegate(c, exists, target);
        if (EvmLayout.forkId(c.s) >= PRAGUE && delegate != address(0)) {
            // EIP-7702: the code is the delegate's, its access charged and warmed.
            if (!StepLib.use(c, StepLib.warm(c, r, StepLib.addressKey(delegate)) ? 2600 : 100)) return;
            (exists, target) = _get(t, delegate);
            (a.codeRoot, a.codeSize,) = StepLib.codeOfWithDelegate(c, exists, target);
        }
        uint256 cap = c.gas - c.gas / 64;
        a.forwarded = a.gas < cap ? a.gas : cap;
        (exists, target) = _get(t, c.f.addr);
        Mpt.Account memory caller = exists ? target : _emptyAccount();
        c.clearsReturnData = true;
        a.stipend = a.value != 0 ? 2300 : 0;
        if (c.f.depth >= 1024 || (a.hasValue && a.value > caller.balance)) {
            // Fails fast: no child; the forwarded gas stays and the stipend is the caller's too.
            c.gas += a.stipend;
            return StepLib.push1(c, 0);
        }
        c.gas -= a.forwarded;
        bytes memory revertPre = StepLib.revertPoint(c);
        a.context = c.op == 0xf1 || c.op == 0xfa ? a.target : c.f.addr;
        if (c.op != 0xf4) _moveValue(c, r, t, caller, a.context, a.value);
        StepLib.enter(c, _callChild(c, a), revertPre);
    }

    function _callChild(Step memory c, CallArgs memory a) private pure returns (EvmLayout.Frame memory child) {
        child = StepLib.freshFrame();
        child.kind = c.op == 0xf1 ? 0 : c.op == 0xf2 ? 1 : c.op == 0xf4 ? 2 : 3;
        child.isStatic = c.f.isStatic || c.op == 0xfa;
        child.depth = c.f.depth + 1;
        child.gas = a.forwarded + a.stipend;
        (child.codeRoot, child.codeSize) = (a.codeRoot, a.codeSize);
        (child.addr, child.codeAddress) = (a.context, a.target);
        (child.caller, child.value) = c.op == 0xf4 ? (c.f.caller, c.f.value) : (c.f.addr, a.value);
        // The input is read where it lies, in the caller's memory, which stays as it is while the child runs.
        if (a.inSize != 0) {
            (child.calldataRoot, child.calldataOffset, child.calldataSize) = (c.f.memoryRoot, a.inOffset, a.inSize);
        }
        if (a.outSize != 0) (child.retOffset, child.retSize) = (a.outOffset, a.outSize);
    }

    function _callArgs(Step memory c) private pure returns (CallArgs memory a) {
        a.hasValue = c.op == 0xf1 || c.op == 0xf2;
        uint256 k = a.hasValue ? 3 : 2;
        (a.gas, a.target) = (c.args[0], address(uint160(c.args[1])));
        if (a.hasValue) a.value = c.args[2];
        (a.inOffset, a.inSize, a.outOffset, a.outSize) = (c.args[k], c.args[k + 1], c.args[k + 2], c.args[k + 3]);
    }

    /// @dev The child's account context: touched (created empty if absent), the value moved into it.
    function _moveValue(
        Step memory c,
        WitnessReader.Reader memory r,
        Accounts memory t,
        Mpt.Account memory from,
        address context,
        uint256 value
    ) private pure {
        Mpt.Account memory to;
        if (context == c.f.addr) {
            to = Mpt.Account(from.nonce, from.balance, from.storageRoot, from.codeHash);
        } else {
            bool exists;
            (exists, to) = _get(t, context);
            if (!exists) to = _emptyAccount();
            _set(t, c.f.addr, Mpt.Account(from.nonce, from.balance - value, from.storageRoot, from.codeHash));
            to.balance += value;
        }
        _set(t, context, to);
        EvmLayout.set(c.s, EvmLayout.STATE_ROOT, t.root);
        if (StepLib.isEmpty(true, to)) _touch(c, r, context);
    }

    /// @dev Marks an account touched (EIP-161's clean-up at the transaction's end) in the sub-state's touched map.
    function _touch(Step memory c, WitnessReader.Reader memory r, address a) private pure {
        bytes memory sub = StepLib.substate(c, r);
        uint256 key = uint256(keccak256(abi.encodePacked(uint8(6), a)));
        IndexedMap.Entry memory e = IndexedMap.open(r, StepLib.word(sub, 5), key, "touched map");
        if (e.present) return;
        StepLib.setWord(sub, 5, IndexedMap.write(r, e, key, 1, "touched map"));
        StepLib.setSubstate(c, sub);
    }

    function create(Step memory c, WitnessReader.Reader memory r) internal view {
        if (c.f.isStatic || c.args[2] > MAX_INITCODE_SIZE) return _fail(c); // EIP-3860
        uint256 words = StepLib.words(c.args[2]);
        if (!StepLib.use(c, 32000 + 2 * words + (c.op == 0xf5 ? 6 * words : 0))) return;
        if (!StepLib.expand(c, c.args[1], c.args[2])) return;
        bytes memory initcode = StepLib.readMemory(c, r, c.args[1], c.args[2]);
        Accounts memory t = _accounts(c, r);
        (bool exists, Mpt.Account memory creator) = _get(t, c.f.addr);
        if (!exists) creator = _emptyAccount();
        address created = _newAddress(c, creator.nonce, initcode);
        uint256 forwarded = c.gas - c.gas / 64;
        c.clearsReturnData = true;
        if (c.f.depth >= 1024 || c.args[0] > creator.balance || creator.nonce >= type(uint64).max) {
            return StepLib.push1(c, 0); // fails fast: no child, no nonce bump, the new address not warmed
        }
        StepLib.warm(c, r, StepLib.addressKey(created)); // after the fail-fast checks; its gas is in the 32,000
        c.gas -= forwarded;
        creator.nonce += 1;
        _set(t, c.f.addr, creator);
        EvmLayout.set(c.s, EvmLayout.STATE_ROOT, t.root);
        bytes memory revertPre = StepLib.revertPoint(c);
        EvmLayout.Frame memory child = _createChild(c, created, forwarded, initcode);
        (bool targetExists, Mpt.Account memory target) = _get(t, created);
        if (_collides(targetExists, target)) {
            // EIP-684, EIP-7610: the child is entered already failed (its exit pushes 0; the nonce bump stays).
            (child.status, child.gas) = (3, 0);
            return StepLib.enter(c, child, revertPre);
        }
        if (!targetExists) target = _emptyAccount();
        _fund(c, r, t, created, target);
        StepLib.enter(c, child, revertPre);
    }

    function _createChild(Step memory c, address created, uint256 forwarded, bytes memory initcode)
        private
        pure
        returns (EvmLayout.Frame memory child)
    {
        child = StepLib.freshFrame();
        child.kind = c.op == 0xf0 ? 4 : 5;
        child.depth = c.f.depth + 1;
        child.gas = forwarded;
        (child.codeSize, child.codeRoot) = (initcode.length, c.oracle.rootOf(initcode));
        (child.addr, child.codeAddress, child.caller, child.value) = (created, created, c.f.addr, c.args[0]);
    }

    /// @dev The value moves from the creator to the new account (its nonce 1), which the created map marks.
    function _fund(
        Step memory c,
        WitnessReader.Reader memory r,
        Accounts memory t,
        address created,
        Mpt.Account memory target
    ) private pure {
        uint256 value = c.args[0];
        (bool exists, Mpt.Account memory self) = _get(t, c.f.addr);
        if (!exists) revert BadItem("the creator is not in the state after its nonce bump");
        self.balance -= value;
        _set(t, c.f.addr, self);
        (target.nonce, target.balance) = (1, target.balance + value);
        _set(t, created, target);
        EvmLayout.set(c.s, EvmLayout.STATE_ROOT, t.root);
        _markCreated(c, r, created);
    }

    /// @dev CREATE's address H(rlp([creator, nonce]))[12:], CREATE2's H(0xff ‖ creator ‖ salt ‖ H(initcode))[12:].
    function _newAddress(Step memory c, uint256 nonce, bytes memory initcode) private pure returns (address) {
        if (c.op == 0xf5) {
            return address(
                uint160(uint256(keccak256(abi.encodePacked(bytes1(0xff), c.f.addr, c.args[3], keccak256(initcode)))))
            );
        }
        // rlp([creator, nonce]): a list of at most 30 bytes, so its header is one byte.
        bytes memory n = Rlp.encodeUint(nonce);
        return
            address(
                uint160(uint256(keccak256(abi.encodePacked(uint8(0xc0 + 21 + n.length), uint8(0x94), c.f.addr, n))))
            );
    }

    function _markCreated(Step memory c, WitnessReader.Reader memory r, address a) private pure {
        bytes memory sub = StepLib.substate(c, r);
        uint256 key = uint256(keccak256(abi.encodePacked(uint8(5), a)));
        IndexedMap.Entry memory e = IndexedMap.open(r, StepLib.word(sub, 4), key, "created map");
        if (!e.present) StepLib.setWord(sub, 4, IndexedMap.write(r, e, key, 1, "created map"));
        StepLib.setSubstate(c, sub);
    }

    /// @dev EIP-684 and EIP-7610: a create cannot land on an account with a nonce, code or storage.
    function _collides(bool exists, Mpt.Account memory a) private pure returns (bool) {
        return exists && (a.nonce != 0 || a.codeHash != Mpt.EMPTY_CODE_HASH || a.storageRoot != Mpt.EMPTY_TRIE_ROOT);
    }

    function _accounts(Step memory c, WitnessReader.Reader memory r) private pure returns (Accounts memory t) {
        (uint256 at, uint256 len) = WitnessReader.nextAny(r, "accounts proof");
        t.trie = Mpt.open(at, len, "accounts");
        t.root = EvmLayout.get(c.s, EvmLayout.STATE_ROOT);
    }

    function _get(Accounts memory t, address a) private pure returns (bool exists, Mpt.Account memory acct) {
        bytes memory v;
        (exists, v) = Mpt.get(t.trie, t.root, abi.encodePacked(a), true);
        if (exists) acct = Mpt.decodeAccount(v);
    }

    function _set(Accounts memory t, address a, Mpt.Account memory acct) private pure {
        t.root = Mpt.set(t.trie, t.root, abi.encodePacked(a), Mpt.encodeAccount(acct), true);
    }

    function _emptyAccount() private pure returns (Mpt.Account memory) {
        return Mpt.Account(0, 0, Mpt.EMPTY_TRIE_ROOT, Mpt.EMPTY_CODE_HASH);
    }

    function _fail(Step memory c) private pure {
        c.failed = true;
    }
}
