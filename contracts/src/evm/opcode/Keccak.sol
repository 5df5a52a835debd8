// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {NotImplemented} from "../EvmErrors.sol";
import {WitnessReader} from "../lib/WitnessReader.sol";
import {Step, StepLib} from "./Step.sol";

/// @title Keccak
/// @notice KECCAK256: the hash of a memory range, one longer than KECCAK_CHUNK through the frame's
///         sponge over several steps (SPEC.md §6.1; not proven yet). The checker's twin is
///         src/check/opcode/keccak.ts.
library Keccak {
    /// @dev The bytes a step of a long hash absorbs: the most whole blocks of 136 bytes within 32 KiB.
    uint256 internal constant KECCAK_CHUNK = 240 * 136;

    function has(uint8 op) internal pure returns (bool) {
        return op == 0x20;
    }

    function run(Step memory c, WitnessReader.Reader memory r) internal pure {
        (uint256 offset, uint256 len) = (c.args[0], c.args[1]);
        if (!c.continuing) {
            if (!StepLib.use(c, len >> 64 != 0 ? type(uint256).max : 6 * StepLib.words(len))) return;
            if (!StepLib.expand(c, offset, len)) return;
        }
        if (c.continuing || len > KECCAK_CHUNK) revert NotImplemented(5, 0x20);
        StepLib.push1(c, uint256(keccak256(StepLib.readMemory(c, r, offset, len))));
    }
}
