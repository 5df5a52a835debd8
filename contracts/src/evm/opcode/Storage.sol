// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {EvmLayout} from "../lib/EvmLayout.sol";
import {IndexedMap} from "../lib/IndexedMap.sol";
import {WitnessReader} from "../lib/WitnessReader.sol";
import {Step, StepLib} from "./Step.sol";

/// @title Storage
/// @notice Storage and transient storage: TLOAD and TSTORE (EIP-1153, the transient map). SLOAD and
///         SSTORE (the world state's tries) are not proven yet. The checker's twin is
///         src/check/opcode/storage.ts.
library Storage {
    /// @dev The byte offset of the state's transient map (word 6).
    uint256 internal constant TRANSIENT_MAP = 192;

    function has(uint8 op) internal pure returns (bool) {
        return op == 0x5c || op == 0x5d;
    }

    function run(Step memory c, WitnessReader.Reader memory r) internal pure {
        if (c.op == 0x5d && c.f.isStatic) {
            c.failed = true;
            return;
        }
        uint256 key = transientKey(c.f.addr, c.args[0]);
        IndexedMap.Entry memory e = IndexedMap.open(r, EvmLayout.get(c.s, TRANSIENT_MAP), key, "transient map");
        if (c.op == 0x5c) return StepLib.push1(c, e.value);
        EvmLayout.set(c.s, TRANSIENT_MAP, IndexedMap.write(r, e, key, c.args[1], "transient map"));
    }

    /// @notice SPEC.md §2's transient-map key: H(0x03 ‖ address ‖ slot).
    function transientKey(address a, uint256 slot) internal pure returns (uint256) {
        return uint256(keccak256(abi.encodePacked(uint8(3), a, slot)));
    }
}
