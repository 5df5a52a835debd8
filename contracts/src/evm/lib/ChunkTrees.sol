// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {BadItem} from "../EvmErrors.sol";
import {Trees} from "./Trees.sol";

/// @title ChunkTrees
/// @notice Whole-tree roots of SPEC.md §1's chunk trees, for the oracles that take a whole code or byte string:
///         the code tree `C(code)` and `T_d(data)`; the checker's twins are `codeRoot` and `bytesRoot` in
///         src/check/trees.ts. Each builds its lowest level in one pass and reduces it in place, padding a level
///         of odd length with the zero subtree's root Z_h (leaves past the data are zero in both trees).
library ChunkTrees {
    /// @dev `C` of no code (Z_16), the tree the checker gives the empty code without asking the oracle.
    bytes32 internal constant EMPTY_CODE_ROOT = 0x2733e50f526ec2fa19a22b31e8ed50f23cd1fdf94c9154ed3a7609a2f1ff981f;

    /// @dev Z_1 = H(0 ‖ 0), the level above the lowest of nodes a byte tree starts from.
    bytes32 private constant ZERO_PAIR = 0xad3228b676f7d3cd4284a5443f17f1962b36e491b30a40b2405849e597ba5fb5;

    /// @dev Every byte 0x60 (PUSH1), 0xe0 (an opcode's top three bits), 0x5b (JUMPDEST), for bytewise tests of a chunk.
    uint256 private constant PUSH_BYTES = 0x6060606060606060606060606060606060606060606060606060606060606060;
    uint256 private constant HIGH3 = 0xe0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0;
    uint256 private constant JUMPDEST_BYTES = 0x5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b;
    /// @dev The top byte of each 8-byte lane of a word.
    uint256 private constant LANE_TOPS = 0xff00000000000000ff00000000000000ff00000000000000ff00000000000000;

    /// @notice The code tree `C(code)`: leaf i is H(chunk_i ‖ mask_i), mask bit 31 − j set when byte j of the chunk
    ///         is a JUMPDEST that is not PUSH data (the scan runs over the whole code, across chunk boundaries).
    /// @dev A byte-by-byte scan (the checker's) costs about 115 gas an instruction; this one works a chunk at a
    ///      time and steps only from PUSH to PUSH. It flags the chunk's PUSH and JUMPDEST bytes at once (a zero-byte test on the chunk
    ///      word), gathers each set of flags into 32 bits with two multiplications, and finds each next PUSH as the
    ///      lowest PUSH flag at or past the scan (a de Bruijn multiplication), marking its immediate; the mask is
    ///      the JUMPDEST flags outside the immediates. Past the code the last chunk is zeros (STOP), flagging nothing.
    function codeRoot(bytes memory code) internal pure returns (bytes32) {
        uint256 n = (code.length + 31) / 32;
        if (n > 1 << Trees.CODE_DEPTH) revert BadItem("code: longer than the 2^16 chunks of a code tree");
        uint256 leaves = _alloc(n + 1);
        assembly ("memory-safe") {
            // 0x80 in each zero byte of v, exactly: adding 0x7f to a byte's low 7 bits never carries out of it.
            function zeroBytes(v) -> f {
                let low7 := 0x7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f
                f := and(not(or(add(and(v, low7), low7), v)), not(low7))
            }
            // Byte b's flag (0x80) at bit 255 − b, in the top 4 bytes (the rest is not cleared): the product's terms
            // fall on distinct bits, so nothing carries; each 8-byte lane's flags land in its top byte, and the
            // second product lines the four bytes up.
            function gatherHigh(f) -> g {
                let lanes := and(mul(f, 0x2040810204081), LANE_TOPS)
                g := mul(lanes, 0x1000000000000010000000000000100000000000001)
            }
            // Byte b's flag (0x80) at bit b (bits 32 and up clear), as gatherHigh with each lane's bytes reversed.
            function gatherLow(f) -> g {
                let lanes := and(mul(shr(7, f), 0x8040201008040201), LANE_TOPS)
                g := shr(192, mul(shr(56, lanes), 0x1000000000000000001000000000000000001000000000000000001))
            }
            // The index of the lowest set bit of x (0 < x < 2^32): its isolated bit times a de Bruijn sequence.
            function lowestBit(x) -> k {
                k := byte(
                    shr(251, mul(and(x, sub(0, x)), shl(224, 0x077cb531))),
                    0x00011c021d0e18031e16140f191104081f1b0d17151310071a0c12060b050a09
                )
            }
            let chunks := add(code, 32)
            // The bytes of the last chunk that are code.
            let last := sub(n, 1)
            let keep := not(0)
            let tail := and(mload(code), 31)
            if tail { keep := not(shr(shl(3, tail), not(0))) }
            // Where the scan is in the current chunk: past 31 after an immediate running into the next chunks.
            let j := 0
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                let chunk := mload(add(chunks, shl(5, i)))
                if eq(i, last) { chunk := and(chunk, keep) }
                // Its PUSH opcodes, byte b at bit b: (byte ^ 0x60) & 0xe0 is zero for PUSH1 … PUSH32.
                let pushes := gatherLow(zeroBytes(and(xor(chunk, PUSH_BYTES), HIGH3)))
                // The chunk's bytes inside immediates, byte b at bit 255 − b: first those of an earlier chunk's PUSH.
                let data := not(shr(j, not(0)))
                // Each PUSH at or past the scan, until there is none (none is past the chunk: pushes has 32 bits).
                for { let next := and(pushes, shl(j, 0xffffffff)) } next { next := and(pushes, shl(j, 0xffffffff)) } {
                    let k := lowestBit(next)
                    let size := sub(byte(k, chunk), 0x5f)
                    data := or(data, shr(add(k, 1), not(shr(size, not(0)))))
                    j := add(add(k, 1), size)
                }
                // What the last immediate runs into the next chunk, if anything.
                if lt(j, 32) { j := 32 }
                j := sub(j, 32)
                mstore(0, chunk)
                // The mask is the word's top 4 bytes, all the leaf hashes of it.
                mstore(32, and(gatherHigh(zeroBytes(xor(chunk, JUMPDEST_BYTES))), not(data)))
                mstore(add(leaves, shl(5, i)), keccak256(0, 36))
            }
        }
        return _reduce(leaves, n, 0, Trees.CODE_DEPTH, bytes32(0));
    }

    /// @notice `T_depth(data)` (depth ≥ 1): the raw 32-byte chunks as leaves, the last one zero-padded; the
    ///         lowest level of nodes is hashed straight from `data`, two chunks at a time.
    function bytesRoot(bytes memory data, uint256 depth) internal pure returns (bytes32) {
        uint256 len = data.length;
        if (len > 32 << depth) revert BadItem("bytes: longer than the leaves of their tree");
        uint256 m = (len + 63) / 64;
        uint256 nodes = _alloc(m + 1);
        assembly ("memory-safe") {
            let base := add(data, 32)
            let full := shr(6, len)
            for { let i := 0 } lt(i, full) { i := add(i, 1) } {
                mstore(add(nodes, shl(5, i)), keccak256(add(base, shl(6, i)), 64))
            }
            if lt(full, m) {
                let at := add(base, shl(6, full))
                let rest := and(len, 63)
                let left := mload(at)
                let right := 0
                if lt(rest, 32) { left := and(left, not(shr(shl(3, rest), not(0)))) }
                if gt(rest, 32) { right := and(mload(add(at, 32)), not(shr(shl(3, sub(rest, 32)), not(0)))) }
                mstore(0, left)
                mstore(32, right)
                mstore(add(nodes, shl(5, full)), keccak256(0, 64))
            }
        }
        return _reduce(nodes, m, 1, depth, ZERO_PAIR);
    }

    /// @dev The root over the `n` nodes at `level` (in memory from `nodes`, with room for one more) of a
    ///      depth-`depth` tree, `zero` being Z_level: each level's pairs hashed into the level's first half.
    function _reduce(uint256 nodes, uint256 n, uint256 level, uint256 depth, bytes32 zero)
        private
        pure
        returns (bytes32 root)
    {
        assembly ("memory-safe") {
            for { let h := level } lt(h, depth) { h := add(h, 1) } {
                if and(n, 1) {
                    mstore(add(nodes, shl(5, n)), zero)
                    n := add(n, 1)
                }
                n := shr(1, n)
                let end := add(nodes, shl(5, n))
                for {
                    let to := nodes
                    let from := nodes
                } lt(to, end) {
                    to := add(to, 32)
                    from := add(from, 64)
                } { mstore(to, keccak256(from, 64)) }
                mstore(0, zero)
                mstore(32, zero)
                zero := keccak256(0, 64)
            }
            root := zero
            if n { root := mload(nodes) }
        }
    }

    /// @dev `words` words of memory at the free memory pointer, which moves past them.
    function _alloc(uint256 words) private pure returns (uint256 at) {
        assembly ("memory-safe") {
            at := mload(0x40)
            mstore(0x40, add(at, shl(5, words)))
        }
    }
}
