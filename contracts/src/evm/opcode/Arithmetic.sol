// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Step, StepLib} from "./Step.sol";

/// @title Arithmetic
/// @notice Arithmetic and bitwise opcodes (ADD … SIGNEXTEND, AND … CLZ): words in, a word out, nothing
///         else read. The L1 EVM's own instructions compute the L2 EVM's (the same definitions); CLZ,
///         which L1 may not have, is computed. The checker's twin is src/check/opcode/arithmetic.ts.
library Arithmetic {
    /// @notice Whether `op` is of this class.
    function has(uint8 op) internal pure returns (bool) {
        return (op >= 0x01 && op <= 0x0b) || (op >= 0x16 && op <= 0x1e);
    }

    function run(Step memory c) internal pure {
        uint8 op = c.op;
        uint256 a = c.args[0];
        uint256 b = c.args.length > 1 ? c.args[1] : 0;
        uint256 m = c.args.length > 2 ? c.args[2] : 0;
        uint256 r;
        if (op == 0x0a) {
            // EXP: 50 gas a byte of the exponent (EIP-160), on top of the table's 10.
            uint256 bytes_ = 0;
            for (uint256 e = b; e != 0; e >>= 8) {
                bytes_++;
            }
            if (!StepLib.use(c, 50 * bytes_)) return;
        }
        if (op == 0x1e) {
            r = _clz(a);
        } else {
            assembly ("memory-safe") {
                switch op
                case 0x01 { r := add(a, b) }
                case 0x02 { r := mul(a, b) }
                case 0x03 { r := sub(a, b) }
                case 0x04 { r := div(a, b) }
                case 0x05 { r := sdiv(a, b) }
                case 0x06 { r := mod(a, b) }
                case 0x07 { r := smod(a, b) }
                case 0x08 { r := addmod(a, b, m) }
                case 0x09 { r := mulmod(a, b, m) }
                case 0x0a { r := exp(a, b) }
                case 0x0b { r := signextend(a, b) }
                case 0x16 { r := and(a, b) }
                case 0x17 { r := or(a, b) }
                case 0x18 { r := xor(a, b) }
                case 0x19 { r := not(a) }
                case 0x1a { r := byte(a, b) }
                case 0x1b { r := shl(a, b) }
                case 0x1c { r := shr(a, b) }
                case 0x1d { r := sar(a, b) }
            }
        }
        StepLib.push1(c, r);
    }

    /// @dev CLZ (EIP-7939, Osaka on): the leading zero bits of a word, 256 for zero.
    function _clz(uint256 x) private pure returns (uint256 n) {
        if (x == 0) return 256;
        for (uint256 s = 128; s > 0; s >>= 1) {
            if (x >> (256 - s) == 0) {
                n += s;
                x <<= s;
            }
        }
    }
}
