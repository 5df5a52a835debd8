// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title Opcodes
/// @notice The verifier's opcode table (Shanghai to Osaka): for each opcode a fork defines, the stack
///         items it reads and its static gas; the rest of its gas is in its class's rule. The
///         checker's twin is src/check/opcodes.ts; a forge test holds this one to it for every fork.
library Opcodes {
    uint8 internal constant CANCUN = 1;
    uint8 internal constant OSAKA = 3;

    /// @notice Whether `op` exists on `fork`, the items it reads and its static gas.
    function shape(uint8 op, uint8 fork) internal pure returns (bool defined, uint256 reads, uint256 gas) {
        if (op >= 0x60 && op <= 0x7f) return (true, 0, 3);
        if (op >= 0x80 && op <= 0x8f) return (true, op - 0x7f, 3);
        if (op >= 0x90 && op <= 0x9f) return (true, op - 0x8e, 3);
        if (op >= 0xa0 && op <= 0xa4) return (true, 2 + op - 0xa0, 375 * (1 + uint256(op) - 0xa0));
        if (op == 0x1e) return fork >= OSAKA ? (true, 1, 5) : (false, 0, 0);
        if (op == 0x49 || op == 0x5c) return fork >= CANCUN ? (true, 1, op == 0x49 ? 3 : 100) : (false, 0, 0);
        if (op == 0x4a) return fork >= CANCUN ? (true, 0, 2) : (false, 0, 0);
        if (op == 0x5d) return fork >= CANCUN ? (true, 2, 100) : (false, 0, 0);
        if (op == 0x5e) return fork >= CANCUN ? (true, 3, 3) : (false, 0, 0);
        // Every other defined opcode as (reads, gas) packed in 3 bytes, 0xffffff where undefined.
        uint256 entry = uint256(uint8(_TABLE[3 * uint256(op)])) << 16 | uint256(uint8(_TABLE[3 * uint256(op) + 1])) << 8
            | uint256(uint8(_TABLE[3 * uint256(op) + 2]));
        if (entry == 0xffffff) return (false, 0, 0);
        return (true, entry >> 16, entry & 0xffff);
    }

    /// @dev 256 entries of reads (1 byte) ‖ static gas (2 bytes), by opcode; written out of
    ///      src/check/opcodes.ts's table, and held to it by test/EvmStepVerifier.t.sol.
    bytes internal constant _TABLE =
        hex"00000002000302000502000302000502000502000502000503000803000802000a020005ffffffffffffffffffffffff020003020003020003020003020003010003020003020003020003010003020003020003020003020003ffffffffffff02001effffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff000002010000000002000002000002010003000002030003000002030003000002010000040000000002030003010000010014000002000002000002000002000002000002000005000002ffffffffffffffffffffffffffffffffffffffffff01000201000302000302000301000002000001000802000a000002000002000002000001ffffffffffffffffff000002ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff030000070000070000020000060000040000ffffffffffffffffffffffff060000ffffffffffff020000ffffff011388";
}
