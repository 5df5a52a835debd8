// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {EvmLayout} from "../lib/EvmLayout.sol";

/// @notice One opcode step as the verifier re-executes it (SPEC.md §5.1): the frame it starts from,
///         the stack items it read, and what it changes. The checker's twin is src/check/opcode/step.ts;
///         each opcode class's file works on it.
struct Step {
    uint8 op;
    EvmLayout.Frame f;
    /// @dev The code chunk holding pc (zero past the code).
    bytes32 chunk;
    /// @dev The stack items read, top first, and the hash below them.
    uint256[] args;
    bytes32 below;
    /// @dev The gas left, less what the step has charged so far.
    uint256 gas;
    uint256 pc;
    uint256 memoryWords;
    bytes32 memoryRoot;
    /// @dev What the opcode pushes, bottom first.
    uint256[] out;
    /// @dev An exceptional halt: the frame fails with no gas.
    bool failed;
    /// @dev A halting opcode: the status and the output view.
    bool halted;
    uint256 haltStatus;
    bytes32 outputRoot;
    uint256 outputOffset;
    uint256 outputSize;
}

/// @title StepLib
/// @notice Gas and memory expansion of a step, as src/check/opcode/step.ts charges them.
library StepLib {
    /// @notice Charges `n` gas; false (and the step failed) when the frame has less.
    function use(Step memory c, uint256 n) internal pure returns (bool) {
        if (n > c.gas) {
            c.failed = true;
            return false;
        }
        c.gas -= n;
        return true;
    }

    /// @notice Memory expansion to cover [offset, offset + len) (none for len 0); false when it cannot be paid.
    function expand(Step memory c, uint256 offset, uint256 len) internal pure returns (bool) {
        if (len == 0) return true;
        // Past 2^64 bytes the expansion costs more than 2^64 gas, more than any frame has.
        if (offset >> 64 != 0 || len >> 64 != 0) return use(c, type(uint256).max);
        uint256 need = (offset + len + 31) / 32;
        if (need <= c.memoryWords) return true;
        if (!use(c, _memoryCost(need) - _memoryCost(c.memoryWords))) return false;
        c.memoryWords = need;
        return true;
    }

    /// @notice Pushes one word.
    function push1(Step memory c, uint256 v) internal pure {
        c.out = new uint256[](1);
        c.out[0] = v;
    }

    function _memoryCost(uint256 w) private pure returns (uint256) {
        return 3 * w + (w * w) / 512;
    }
}
