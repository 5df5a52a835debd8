// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {BadItem} from "../EvmErrors.sol";
import {EvmLayout} from "../lib/EvmLayout.sol";
import {IndexedMap} from "../lib/IndexedMap.sol";
import {Mpt} from "../lib/Mpt.sol";
import {WitnessReader} from "../lib/WitnessReader.sol";
import {Step, StepLib} from "./Step.sol";

/// @title Storage
/// @notice Storage and transient storage: SLOAD and SSTORE (EIP-2929 warming, EIP-2200/3529 gas and
///         refunds, the original value from the world state at the transaction's start), TLOAD and
///         TSTORE (EIP-1153, the transient map). The checker's twin is src/check/opcode/storage.ts.
library Storage {
    function has(uint8 op) internal pure returns (bool) {
        return op == 0x54 || op == 0x55 || op == 0x5c || op == 0x5d;
    }

    function run(Step memory c, WitnessReader.Reader memory r) internal pure {
        if (c.op == 0x54) return _sload(c, r);
        if (c.op == 0x55) return _sstore(c, r);
        if (c.op == 0x5d && c.f.isStatic) {
            c.failed = true;
            return;
        }
        uint256 key = transientKey(c.f.addr, c.args[0]);
        IndexedMap.Entry memory e =
            IndexedMap.open(r, EvmLayout.get(c.s, EvmLayout.TRANSIENT_MAP), key, "transient map");
        if (c.op == 0x5c) return StepLib.push1(c, e.value);
        EvmLayout.set(c.s, EvmLayout.TRANSIENT_MAP, IndexedMap.write(r, e, key, c.args[1], "transient map"));
    }

    function _sload(Step memory c, WitnessReader.Reader memory r) private pure {
        uint256 slot = c.args[0];
        if (!StepLib.use(c, StepLib.warm(c, r, StepLib.slotKey(c.f.addr, slot)) ? 2100 : 100)) return;
        (, bool exists, Mpt.Account memory a) =
            StepLib.account(r, EvmLayout.get(c.s, EvmLayout.STATE_ROOT), c.f.addr, "account proof");
        (, uint256 value) = StepLib.slotOf(r, exists, a, slot, "storage proof");
        StepLib.push1(c, value);
    }

    /// @dev What an SSTORE reads: the account and its slot now (with the tries they were read from) and
    ///      the slot at the transaction's start.
    struct Slot {
        Mpt.NodeSet stateTrie;
        bool exists;
        Mpt.Account account;
        Mpt.NodeSet storageTrie;
        uint256 current;
        uint256 original;
    }

    function _sstore(Step memory c, WitnessReader.Reader memory r) private pure {
        if (c.f.isStatic || c.gas <= 2300) {
            c.failed = true;
            return;
        }
        (uint256 key, uint256 value) = (c.args[0], c.args[1]);
        bool cold = StepLib.warm(c, r, StepLib.slotKey(c.f.addr, key));
        Slot memory v = _read(c, r, key);
        (uint256 cost, int256 refund) = _sstoreCost(v.original, v.current, value);
        if (!StepLib.use(c, (cold ? 2100 : 0) + cost)) return;
        bytes memory sub = StepLib.substate(c, r);
        int256 counter = int256(uint256(StepLib.word(sub, 0))) + refund;
        if (counter < 0) revert BadItem("the refund counter would go below zero");
        if (refund != 0) {
            StepLib.setWord(sub, 0, bytes32(uint256(counter)));
            StepLib.setSubstate(c, sub);
        }
        if (v.current == value) return;
        if (!v.exists) revert BadItem("SSTORE in an account that does not exist");
        v.account.storageRoot =
            Mpt.set(v.storageTrie, v.account.storageRoot, abi.encode(key), Mpt.encodeSlot(value), true);
        bytes32 root = EvmLayout.get(c.s, EvmLayout.STATE_ROOT);
        root = Mpt.set(v.stateTrie, root, abi.encodePacked(c.f.addr), Mpt.encodeAccount(v.account), true);
        EvmLayout.set(c.s, EvmLayout.STATE_ROOT, root);
    }

    function _read(Step memory c, WitnessReader.Reader memory r, uint256 key) private pure returns (Slot memory v) {
        (v.stateTrie, v.exists, v.account) =
            StepLib.account(r, EvmLayout.get(c.s, EvmLayout.STATE_ROOT), c.f.addr, "account proof");
        (v.storageTrie, v.current) = StepLib.slotOf(r, v.exists, v.account, key, "storage proof");
        (, bool existed, Mpt.Account memory atStart) = StepLib.account(
            r, EvmLayout.get(c.s, EvmLayout.TX_START_ROOT), c.f.addr, "account proof at transaction start"
        );
        (, v.original) = StepLib.slotOf(r, existed, atStart, key, "storage proof at transaction start");
    }

    /// @dev EIP-2200 with EIP-3529's refunds: the gas (less the cold surcharge) and the refund change of writing `value`.
    function _sstoreCost(uint256 original, uint256 current, uint256 value)
        private
        pure
        returns (uint256 cost, int256 refund)
    {
        if (current == value) return (100, 0);
        if (original == current) {
            return (original == 0 ? 20000 : 2900, original != 0 && value == 0 ? int256(4800) : int256(0));
        }
        if (original != 0) {
            if (current == 0) refund -= 4800;
            else if (value == 0) refund += 4800;
        }
        if (original == value) refund += original == 0 ? int256(19900) : int256(2800);
        return (100, refund);
    }

    /// @notice SPEC.md §2's transient-map key: H(0x03 ‖ address ‖ slot).
    function transientKey(address a, uint256 slot) internal pure returns (uint256) {
        return uint256(keccak256(abi.encodePacked(uint8(3), a, slot)));
    }
}
