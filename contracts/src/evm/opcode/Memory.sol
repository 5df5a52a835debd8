// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {NotCommitted} from "../EvmErrors.sol";
import {Trees} from "../lib/Trees.sol";
import {WitnessReader} from "../lib/WitnessReader.sol";
import {Step, StepLib} from "./Step.sol";

/// @title Memory
/// @notice Memory opcodes: MLOAD, MSTORE, MSTORE8, MSIZE, their cells opened as one range of the
///         frame's `T_24` memory tree (cells at or past memoryWords must be zero). The copies
///         (CALLDATACOPY, CODECOPY, EXTCODECOPY, RETURNDATACOPY, MCOPY) are not proven yet. The
///         checker's twin is src/check/opcode/memory.ts.
library Memory {
    uint256 internal constant DEPTH = 24;

    /// @notice Whether `op` is of this class (as far as it is proven).
    function has(uint8 op) internal pure returns (bool) {
        return (op >= 0x51 && op <= 0x53) || op == 0x59;
    }

    function run(Step memory c, WitnessReader.Reader memory r) internal pure {
        uint8 op = c.op;
        if (op == 0x59) return StepLib.push1(c, 32 * c.f.memoryWords);
        uint256 at = c.args[0];
        uint256 len = op == 0x53 ? 1 : 32;
        if (!StepLib.expand(c, at, len)) return;
        (bytes memory cells, uint256 lo, uint256 siblings) = _open(c, r, at, len);
        uint256 base = at - 32 * lo;
        if (op == 0x51) {
            uint256 v;
            assembly ("memory-safe") {
                v := mload(add(add(cells, 32), base))
            }
            return StepLib.push1(c, v);
        }
        uint256 value = c.args[1];
        assembly ("memory-safe") {
            switch op
            case 0x52 { mstore(add(add(cells, 32), base), value) }
            default { mstore8(add(add(cells, 32), base), and(value, 0xff)) }
        }
        c.memoryRoot = Trees.rangeRoot(_leaves(cells), lo, DEPTH, siblings);
    }

    /// @dev The cells covering [at, at + len) as one range proven against the frame's memory root:
    ///      their bytes, the first cell's index and the calldata offset of the range's siblings.
    function _open(Step memory c, WitnessReader.Reader memory r, uint256 at, uint256 len)
        private
        pure
        returns (bytes memory cells, uint256 lo, uint256 siblings)
    {
        lo = at / 32;
        uint256 hi = (at + len - 1) / 32;
        uint256 count = hi - lo + 1;
        uint256 leaves = WitnessReader.next(r, 32 * count, "memory leaves");
        siblings = WitnessReader.next(r, 32 * Trees.siblingCount(lo, hi, DEPTH), "memory range proof");
        cells = new bytes(32 * count);
        assembly ("memory-safe") {
            calldatacopy(add(cells, 32), leaves, mul(32, count))
        }
        if (Trees.rangeRoot(_leaves(cells), lo, DEPTH, siblings) != c.f.memoryRoot) {
            revert NotCommitted("memory leaves");
        }
        for (uint256 i = 0; i < count; i++) {
            if (lo + i >= c.f.memoryWords && WitnessReader.word(leaves + 32 * i) != bytes32(0)) {
                revert NotCommitted("a memory cell past the memory size is not zero");
            }
        }
    }

    function _leaves(bytes memory cells) private pure returns (bytes32[] memory out) {
        out = new bytes32[](cells.length / 32);
        for (uint256 i = 0; i < out.length; i++) {
            bytes32 w;
            assembly ("memory-safe") {
                w := mload(add(add(cells, 32), mul(32, i)))
            }
            out[i] = w;
        }
    }
}
