// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Step, StepLib} from "./Step.sol";

/// @title Comparison
/// @notice Comparison opcodes (LT, GT, SLT, SGT, EQ, ISZERO): words in, 1 or 0 out, nothing else read.
///         The checker's twin is src/check/opcode/comparison.ts.
library Comparison {
    /// @notice Whether `op` is of this class.
    function has(uint8 op) internal pure returns (bool) {
        return op >= 0x10 && op <= 0x15;
    }

    function run(Step memory c) internal pure {
        uint8 op = c.op;
        uint256 a = c.args[0];
        uint256 b = c.args.length > 1 ? c.args[1] : 0;
        uint256 r;
        assembly ("memory-safe") {
            switch op
            case 0x10 { r := lt(a, b) }
            case 0x11 { r := gt(a, b) }
            case 0x12 { r := slt(a, b) }
            case 0x13 { r := sgt(a, b) }
            case 0x14 { r := eq(a, b) }
            case 0x15 { r := iszero(a) }
        }
        StepLib.push1(c, r);
    }
}
