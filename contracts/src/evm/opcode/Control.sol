// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Trees} from "../lib/Trees.sol";
import {WitnessReader} from "../lib/WitnessReader.sol";
import {Step, StepLib} from "./Step.sol";

/// @title Control
/// @notice Control flow and halting: STOP, JUMP and JUMPI (the destination's JUMPDEST bit from the code
///         tree's mask), PC, GAS, JUMPDEST, RETURN and REVERT (their output a view of the memory,
///         SPEC.md §2.3). The checker's twin is src/check/opcode/control.ts.
library Control {
    /// @notice Whether `op` is of this class.
    function has(uint8 op) internal pure returns (bool) {
        return op == 0x00 || (op >= 0x56 && op <= 0x58) || op == 0x5a || op == 0x5b || op == 0xf3 || op == 0xfd;
    }

    function run(Step memory c, WitnessReader.Reader memory r) internal pure {
        uint8 op = c.op;
        if (op == 0x00) {
            c.halted = true;
            c.haltStatus = 1;
            c.outputRoot = Trees.EMPTY_BYTES_ROOT;
        } else if (op == 0x56 || op == 0x57) {
            _jump(c, r);
        } else if (op == 0x58) {
            StepLib.push1(c, c.f.pc);
        } else if (op == 0x5a) {
            StepLib.push1(c, c.gas);
        } else if (op == 0xf3 || op == 0xfd) {
            (uint256 offset, uint256 len) = (c.args[0], c.args[1]);
            if (!StepLib.expand(c, offset, len)) return;
            // The output stays where it is: the frame's memory does not change after its halt.
            c.halted = true;
            c.haltStatus = op == 0xf3 ? 1 : 2;
            if (len == 0) {
                c.outputRoot = Trees.EMPTY_BYTES_ROOT;
            } else {
                (c.outputRoot, c.outputOffset, c.outputSize) = (c.f.memoryRoot, offset, len);
            }
        }
    }

    function _jump(Step memory c, WitnessReader.Reader memory r) private pure {
        uint256 dest = c.args[0];
        if (c.op == 0x57 && c.args[1] == 0) return;
        if (dest >= c.f.codeSize) {
            c.failed = true;
            return;
        }
        (, bytes4 mask) = Trees.codeLeaf(r, c.f.codeRoot, dest >> 5);
        if (uint32(mask) & (1 << (31 - (dest & 31))) == 0) {
            c.failed = true;
            return;
        }
        c.pc = dest;
    }
}
