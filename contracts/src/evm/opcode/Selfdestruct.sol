// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {EvmLayout} from "../lib/EvmLayout.sol";
import {IndexedMap} from "../lib/IndexedMap.sol";
import {Mpt} from "../lib/Mpt.sol";
import {Trees} from "../lib/Trees.sol";
import {WitnessReader} from "../lib/WitnessReader.sol";
import {Step, StepLib} from "./Step.sol";

/// @title Selfdestruct
/// @notice SELFDESTRUCT: the balance to the beneficiary (warmed, charged 25,000 when it is left a new
///         account), the account marked in the self-destruct map for the transaction's clean-up, and from
///         Cancun EIP-6780 (the balance stays, and nothing is deleted, unless the account was created in
///         this transaction). The checker's twin is src/check/opcode/selfdestruct.ts.
library Selfdestruct {
    uint8 internal constant CANCUN = 1;

    function has(uint8 op) internal pure returns (bool) {
        return op == 0xff;
    }

    /// @dev The world state as the step changes it: the trie proof it walks, the root so far, the sub-state.
    struct World {
        Mpt.NodeSet trie;
        bytes32 root;
        bytes sub;
    }

    function run(Step memory c, WitnessReader.Reader memory r) internal pure {
        if (c.f.isStatic) {
            c.failed = true;
            return;
        }
        address to = address(uint160(c.args[0]));
        if (!StepLib.use(c, StepLib.warm(c, r, StepLib.addressKey(to)) ? 2600 : 0)) return;
        World memory w;
        (uint256 at, uint256 len) = WitnessReader.nextAny(r, "accounts proof");
        w.trie = Mpt.open(at, len, "accounts");
        w.root = EvmLayout.get(c.s, EvmLayout.STATE_ROOT);
        (, Mpt.Account memory self) = _get(w, c.f.addr);
        (bool exists, Mpt.Account memory beneficiary) = _get(w, to);
        if (self.balance > 0 && StepLib.isEmpty(exists, beneficiary) && !StepLib.use(c, 25000)) return;
        w.sub = StepLib.substate(c, r);
        _mark(r, w.sub, 3, uint256(keccak256(abi.encodePacked(uint8(4), c.f.addr))), "self-destruct map");
        bool toSelf = to == c.f.addr;
        if (!toSelf) {
            beneficiary.balance += self.balance;
            _set(w, to, beneficiary);
            if (StepLib.isEmpty(true, beneficiary)) {
                _mark(r, w.sub, 5, uint256(keccak256(abi.encodePacked(uint8(6), to))), "touched map");
            }
        }
        // EIP-6780 (Cancun on): the balance leaves unless the account sends it to itself and was not created in this transaction.
        // (The created map is read whether or not the balance leaves, as the checker reads it.)
        bool createdHere = _createdHere(c, r, w.sub);
        if (createdHere || !toSelf) {
            self.balance = 0;
            _set(w, c.f.addr, self);
        }
        EvmLayout.set(c.s, EvmLayout.STATE_ROOT, w.root);
        StepLib.setSubstate(c, w.sub);
        c.halted = true;
        c.haltStatus = 1;
        c.outputRoot = Trees.EMPTY_BYTES_ROOT;
    }

    /// @dev Before Cancun every self-destruct deletes; from Cancun only one of an account created in this transaction.
    function _createdHere(Step memory c, WitnessReader.Reader memory r, bytes memory sub) private pure returns (bool) {
        if (EvmLayout.forkId(c.s) < CANCUN) return true;
        uint256 key = uint256(keccak256(abi.encodePacked(uint8(5), c.f.addr)));
        return IndexedMap.open(r, StepLib.word(sub, 4), key, "created map").present;
    }

    /// @dev Puts `key` in the sub-state's map at word `w` (when it is not there yet).
    function _mark(WitnessReader.Reader memory r, bytes memory sub, uint256 w, uint256 key, string memory what)
        private
        pure
    {
        IndexedMap.Entry memory e = IndexedMap.open(r, StepLib.word(sub, w), key, what);
        if (!e.present) StepLib.setWord(sub, w, IndexedMap.write(r, e, key, 1, what));
    }

    function _get(World memory w, address a) private pure returns (bool exists, Mpt.Account memory acct) {
        bytes memory v;
        (exists, v) = Mpt.get(w.trie, w.root, abi.encodePacked(a), true);
        acct = exists ? Mpt.decodeAccount(v) : _empty();
    }

    function _set(World memory w, address a, Mpt.Account memory acct) private pure {
        w.root = Mpt.set(w.trie, w.root, abi.encodePacked(a), Mpt.encodeAccount(acct), true);
    }

    function _empty() private pure returns (Mpt.Account memory) {
        return Mpt.Account(0, 0, Mpt.EMPTY_TRIE_ROOT, Mpt.EMPTY_CODE_HASH);
    }
}
