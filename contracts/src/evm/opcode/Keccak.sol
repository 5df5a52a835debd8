// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {BadItem, NotCommitted} from "../EvmErrors.sol";
import {Sponge} from "../lib/Sponge.sol";
import {WitnessReader} from "../lib/WitnessReader.sol";
import {Step, StepLib} from "./Step.sol";

/// @title Keccak
/// @notice KECCAK256: the hash of a memory range, one longer than KECCAK_CHUNK through the frame's
///         sponge over several steps (SPEC.md §6.1), KECCAK_CHUNK bytes absorbed a step and the frame
///         committing to the Keccak-f state between steps. The checker's twin is src/check/opcode/keccak.ts.
library Keccak {
    function has(uint8 op) internal pure returns (bool) {
        return op == 0x20;
    }

    function run(Step memory c, WitnessReader.Reader memory r) internal pure {
        (uint256 offset, uint256 len) = (c.args[0], c.args[1]);
        if (!c.continuing) {
            if (!StepLib.use(c, len >> 64 != 0 ? type(uint256).max : 6 * StepLib.words(len))) return;
            if (!StepLib.expand(c, offset, len)) return;
            if (len <= Sponge.CHUNK) {
                return StepLib.push1(c, uint256(keccak256(StepLib.readMemory(c, r, offset, len))));
            }
        }
        uint256 done = c.f.progress;
        if (c.continuing && done >= len) revert BadItem("the frame's sponge has absorbed all the bytes of its hash");
        bytes memory state = c.continuing ? _openSponge(c, r) : new bytes(Sponge.STATE_BYTES);
        if (len - done <= Sponge.CHUNK) {
            return StepLib.push1(c, uint256(Sponge.squeeze(state, StepLib.readMemory(c, r, offset + done, len - done))));
        }
        c.progress = done + Sponge.CHUNK;
        c.sponge = keccak256(Sponge.absorb(state, StepLib.readMemory(c, r, offset + done, Sponge.CHUNK)));
    }

    /// @dev The sponge under way: its state from the witness, checked against the frame's `sponge` word.
    function _openSponge(Step memory c, WitnessReader.Reader memory r) private pure returns (bytes memory state) {
        uint256 at = WitnessReader.next(r, Sponge.STATE_BYTES, "sponge state");
        if (WitnessReader.hash(at, Sponge.STATE_BYTES) != c.f.sponge) revert NotCommitted("sponge state");
        state = new bytes(Sponge.STATE_BYTES);
        assembly ("memory-safe") {
            calldatacopy(add(state, 32), at, 200)
        }
    }
}
