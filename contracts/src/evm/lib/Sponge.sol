// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {BadItem} from "../EvmErrors.sol";

/// @title Sponge
/// @notice Keccak-256's sponge over FIPS 202's Keccak-f[1600], for the hashes a step absorbs part of (SPEC.md §6.1):
///         KECCAK256 of a long range and the hash of a long LOG absorb CHUNK bytes a step, the frame committing to the
///         200-byte state between steps. The EVM's KECCAK256 cannot continue a sponge, so the permutation is here;
///         the checker's twin is src/check/sponge.ts.
/// @dev While a call absorbs, the lanes live in a workspace, in slots 24 bytes apart: slot i holds lane i = x + 5y
///      as a big-endian number in its first 8 bytes, then 8 bytes of no meaning, then 8 zero bytes. So
///      `mload(slot i - 24)` has lane i in its low 64 bits and bits 64 … 127 clear, the form a rotation takes, and
///      `mload(slot i)` has lanes i and i + 1 in its top and low 64 bits, two lanes of the column parities a load.
///      Lane t rotated left by n is `shl(128 + n, mul(t, 2^64 + 1))`: the product's low 128 bits are the lane twice
///      over (no carries, bits 64 … 127 of t being clear) and the shift lifts bits 64 - n … 127 - n of them to the
///      top. Below the top 64 bits the result is zero but for bits 128 + n … 191, so every χ output has its low 128
///      bits zero, and storing the outputs in increasing slot order writes the zero bytes of every slot.
library Sponge {
    /// @notice Keccak-256's rate: the bytes one permutation absorbs.
    uint256 internal constant RATE = 136;
    /// @notice The bytes a step of a long hash absorbs: the most whole blocks within 32 KiB (SPEC.md §6.1).
    uint256 internal constant CHUNK = 240 * RATE;
    /// @notice The Keccak-f state: 25 lanes of 8 bytes, lane (x, y) little-endian at byte 8 * (x + 5y) (FIPS 202).
    uint256 internal constant STATE_BYTES = 200;

    /// @dev FIPS 202's ι constants RC[0] … RC[23], 8 bytes each.
    bytes private constant ROUND_CONSTANTS = hex"00000000000000010000000000008082800000000000808a8000000080008000"
        hex"000000000000808b000000008000000180000000800080818000000000008009"
        hex"000000000000008a00000000000000880000000080008009000000008000000a"
        hex"000000008000808b800000000000008b80000000000080898000000000008003"
        hex"80000000000080028000000000000080000000000000800a800000008000000a"
        hex"8000000080008081800000000000808000000000800000018000000080008008";
    /// @dev The workspace: the round constants, one a word in its top 8 bytes (so the bytes before slot 0 are zero),
    ///      then two sets of 25 slots, each round reading one and writing the other; the 8 bytes past a set's last
    ///      slot are the zeros the last store writes.
    uint256 private constant TABLE_BYTES = 24 * 32;
    uint256 private constant SET_BYTES = 25 * 24 + 8;

    /// @notice The state after absorbing `blocks`, a whole number of RATE-byte blocks, into `state` (which is left as
    ///         it was).
    function absorb(bytes memory state, bytes memory blocks) internal pure returns (bytes memory next) {
        if (state.length != STATE_BYTES) revert BadItem("sponge: a state is 200 bytes");
        if (blocks.length % RATE != 0) revert BadItem("sponge: blocks are absorbed whole, 136 bytes each");
        bytes memory workspace = new bytes(TABLE_BYTES + 2 * SET_BYTES);
        bytes memory constants = ROUND_CONSTANTS;
        next = new bytes(STATE_BYTES);
        assembly ("memory-safe") {
            // `w` with the bytes of each of its four 8-byte lanes reversed: little-endian lanes to numbers, and back.
            function reverseLanes(w) -> v {
                let m := 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff
                v := or(and(shr(8, w), m), shl(8, and(w, m)))
                m := 0x0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff
                v := or(and(shr(16, v), m), shl(16, and(v, m)))
                m := 0x00000000ffffffff00000000ffffffff00000000ffffffff00000000ffffffff
                v := or(and(shr(32, v), m), shl(32, and(v, m)))
            }

            // Xors `count` little-endian lanes at memory address `src` into the first `count` slots at `lanes`.
            function xorLanes(lanes, src, count) {
                let high := shl(128, not(0)) // a lane and the 8 bytes of no meaning after it
                let i := 0
                for {} lt(add(i, 3), count) { i := add(i, 4) } {
                    let w := reverseLanes(mload(add(src, shl(3, i))))
                    let slot := add(lanes, mul(24, i))
                    mstore(slot, xor(mload(slot), and(w, high)))
                    let s1 := add(slot, 24)
                    mstore(s1, xor(mload(s1), and(shl(64, w), high)))
                    let s2 := add(slot, 48)
                    mstore(s2, xor(mload(s2), shl(128, w)))
                    let s3 := add(slot, 72)
                    mstore(s3, xor(mload(s3), shl(192, w)))
                }
                for {} lt(i, count) { i := add(i, 1) } {
                    let slot := add(lanes, mul(24, i))
                    mstore(slot, xor(mload(slot), and(reverseLanes(mload(add(src, shl(3, i)))), high)))
                }
            }

            // One round of Keccak-f from the set at `a` to the set at `e`. θ: the column parities two a word (C[0] and
            // C[1], C[2] and C[3], C[3] and C[4], each the top and the low 64 bits), then D[x] = C[x - 1] ^
            // rot(C[x + 1], 1) in the low 64 bits, bits 64 … 127 clear. Then a plane Y of the output at a time: B[X]
            // is lane (X + 3Y, X) xored with its D and rotated by its ρ (π), and the plane's χ is stored, with ι.
            function round(a, e, rc) {
                let dbl := 0x10000000000000001 // 2^64 + 1, a variable: the optimizer rebuilds a literal at each use
                let c01 :=
                    xor(
                        xor(xor(xor(mload(a), mload(add(a, 120))), mload(add(a, 240))), mload(add(a, 360))),
                        mload(add(a, 480))
                    )
                let c23 :=
                    xor(
                        xor(xor(xor(mload(add(a, 48)), mload(add(a, 168))), mload(add(a, 288))), mload(add(a, 408))),
                        mload(add(a, 528))
                    )
                let c34 :=
                    xor(
                        xor(xor(xor(mload(add(a, 72)), mload(add(a, 192))), mload(add(a, 312))), mload(add(a, 432))),
                        mload(add(a, 552))
                    )
                let d0 := xor(c34, shr(192, shl(129, mul(c01, dbl))))
                let d1 := shr(192, xor(c01, shl(129, mul(shr(192, c23), dbl))))
                let d2 := xor(c01, shr(192, shl(129, mul(c23, dbl))))
                let d3 := shr(192, xor(c23, shl(129, mul(c34, dbl))))
                let d4 := xor(c23, shr(192, shl(129, mul(shr(192, c01), dbl))))
                {
                    let b0 := shl(192, xor(mload(sub(a, 24)), d0)) // lane (0, 0), ρ 0
                    let b1 := shl(172, mul(xor(mload(add(a, 120)), d1), dbl)) // lane (1, 1), ρ 44
                    let b2 := shl(171, mul(xor(mload(add(a, 264)), d2), dbl)) // lane (2, 2), ρ 43
                    let b3 := shl(149, mul(xor(mload(add(a, 408)), d3), dbl)) // lane (3, 3), ρ 21
                    let b4 := shl(142, mul(xor(mload(add(a, 552)), d4), dbl)) // lane (4, 4), ρ 14
                    mstore(e, xor(xor(b0, and(not(b1), b2)), rc))
                    mstore(add(e, 24), xor(b1, and(not(b2), b3)))
                    mstore(add(e, 48), xor(b2, and(not(b3), b4)))
                    mstore(add(e, 72), xor(b3, and(not(b4), b0)))
                    mstore(add(e, 96), xor(b4, and(not(b0), b1)))
                }
                {
                    let b0 := shl(156, mul(xor(mload(add(a, 48)), d3), dbl)) // lane (3, 0), ρ 28
                    let b1 := shl(148, mul(xor(mload(add(a, 192)), d4), dbl)) // lane (4, 1), ρ 20
                    let b2 := shl(131, mul(xor(mload(add(a, 216)), d0), dbl)) // lane (0, 2), ρ 3
                    let b3 := shl(173, mul(xor(mload(add(a, 360)), d1), dbl)) // lane (1, 3), ρ 45
                    let b4 := shl(189, mul(xor(mload(add(a, 504)), d2), dbl)) // lane (2, 4), ρ 61
                    mstore(add(e, 120), xor(b0, and(not(b1), b2)))
                    mstore(add(e, 144), xor(b1, and(not(b2), b3)))
                    mstore(add(e, 168), xor(b2, and(not(b3), b4)))
                    mstore(add(e, 192), xor(b3, and(not(b4), b0)))
                    mstore(add(e, 216), xor(b4, and(not(b0), b1)))
                }
                {
                    let b0 := shl(129, mul(xor(mload(a), d1), dbl)) // lane (1, 0), ρ 1
                    let b1 := shl(134, mul(xor(mload(add(a, 144)), d2), dbl)) // lane (2, 1), ρ 6
                    let b2 := shl(153, mul(xor(mload(add(a, 288)), d3), dbl)) // lane (3, 2), ρ 25
                    let b3 := shl(136, mul(xor(mload(add(a, 432)), d4), dbl)) // lane (4, 3), ρ 8
                    let b4 := shl(146, mul(xor(mload(add(a, 456)), d0), dbl)) // lane (0, 4), ρ 18
                    mstore(add(e, 240), xor(b0, and(not(b1), b2)))
                    mstore(add(e, 264), xor(b1, and(not(b2), b3)))
                    mstore(add(e, 288), xor(b2, and(not(b3), b4)))
                    mstore(add(e, 312), xor(b3, and(not(b4), b0)))
                    mstore(add(e, 336), xor(b4, and(not(b0), b1)))
                }
                {
                    let b0 := shl(155, mul(xor(mload(add(a, 72)), d4), dbl)) // lane (4, 0), ρ 27
                    let b1 := shl(164, mul(xor(mload(add(a, 96)), d0), dbl)) // lane (0, 1), ρ 36
                    let b2 := shl(138, mul(xor(mload(add(a, 240)), d1), dbl)) // lane (1, 2), ρ 10
                    let b3 := shl(143, mul(xor(mload(add(a, 384)), d2), dbl)) // lane (2, 3), ρ 15
                    let b4 := shl(184, mul(xor(mload(add(a, 528)), d3), dbl)) // lane (3, 4), ρ 56
                    mstore(add(e, 360), xor(b0, and(not(b1), b2)))
                    mstore(add(e, 384), xor(b1, and(not(b2), b3)))
                    mstore(add(e, 408), xor(b2, and(not(b3), b4)))
                    mstore(add(e, 432), xor(b3, and(not(b4), b0)))
                    mstore(add(e, 456), xor(b4, and(not(b0), b1)))
                }
                {
                    let b0 := shl(190, mul(xor(mload(add(a, 24)), d2), dbl)) // lane (2, 0), ρ 62
                    let b1 := shl(183, mul(xor(mload(add(a, 168)), d3), dbl)) // lane (3, 1), ρ 55
                    let b2 := shl(167, mul(xor(mload(add(a, 312)), d4), dbl)) // lane (4, 2), ρ 39
                    let b3 := shl(169, mul(xor(mload(add(a, 336)), d0), dbl)) // lane (0, 3), ρ 41
                    let b4 := shl(130, mul(xor(mload(add(a, 480)), d1), dbl)) // lane (1, 4), ρ 2
                    mstore(add(e, 480), xor(b0, and(not(b1), b2)))
                    mstore(add(e, 504), xor(b1, and(not(b2), b3)))
                    mstore(add(e, 528), xor(b2, and(not(b3), b4)))
                    mstore(add(e, 552), xor(b3, and(not(b4), b0)))
                    mstore(add(e, 576), xor(b4, and(not(b0), b1)))
                }
            }

            // The round constants, the state in the first set, then each block xored in and Keccak-f (to the other
            // set and back), then the first set back to 200 little-endian bytes.
            let table := add(workspace, 32)
            for { let i := 0 } lt(i, 24) { i := add(i, 1) } {
                mstore(add(table, shl(5, i)), shl(192, shr(192, mload(add(add(constants, 32), shl(3, i))))))
            }
            let lanes := add(table, TABLE_BYTES)
            let other := add(lanes, SET_BYTES)
            xorLanes(lanes, add(state, 32), 25)
            let at := add(blocks, 32)
            for { let end := add(at, mload(blocks)) } lt(at, end) { at := add(at, RATE) } {
                xorLanes(lanes, at, 17)
                for { let r := table } lt(r, lanes) { r := add(r, 64) } {
                    round(lanes, other, mload(r))
                    round(other, lanes, mload(add(r, 32)))
                }
            }
            for { let i := 0 } lt(i, 25) { i := add(i, 4) } {
                let slot := add(lanes, mul(24, i))
                let w := shl(192, shr(192, mload(slot)))
                if lt(i, 24) {
                    w := or(w, shl(128, shr(192, mload(add(slot, 24)))))
                    w := or(w, shl(64, shr(192, mload(add(slot, 48)))))
                    w := or(w, shr(192, mload(add(slot, 72))))
                }
                mstore(add(add(next, 32), shl(3, i)), reverseLanes(w))
            }
        }
    }

    /// @notice The digest: `tail` (any length) absorbed with Keccak's padding (0x01 … 0x80, the one byte 0x81 when
    ///         the tail leaves one byte of a block), then the first 32 bytes of the state. From the empty state (200
    ///         zero bytes) it is keccak256(tail).
    function squeeze(bytes memory state, bytes memory tail) internal pure returns (bytes32 digest) {
        uint256 whole = tail.length - (tail.length % RATE);
        bytes memory padded = new bytes(whole + RATE);
        assembly ("memory-safe") {
            mcopy(add(padded, 32), add(tail, 32), mload(tail))
        }
        padded[tail.length] ^= 0x01;
        padded[whole + RATE - 1] ^= 0x80;
        bytes memory last = absorb(state, padded);
        assembly ("memory-safe") {
            digest := mload(add(last, 32))
        }
    }
}
