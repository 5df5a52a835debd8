// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title MIPSState
/// @notice Cannon's single-threaded 32-bit state: packing, unpacking and the status-tagged hash.
///         Mirrors packages/mips-proof/src/vm/state.ts.
library MIPSState {
    /// @notice The unpacked state.
    struct State {
        bytes32 memRoot;
        bytes32 preimageKey;
        uint32 preimageOffset;
        uint32 pc;
        uint32 nextPC;
        uint32 lo;
        uint32 hi;
        uint32 heap;
        uint8 exitCode;
        bool exited;
        uint64 step;
        uint32[32] registers;
    }

    uint256 internal constant STATE_SIZE = 226;
    uint8 internal constant FAULT_EXIT_CODE = 0xff;

    error InvalidStateSize(uint256 size);

    /// @notice Unpacks the 226-byte big-endian state.
    function decode(bytes calldata data) internal pure returns (State memory s) {
        if (data.length != STATE_SIZE) revert InvalidStateSize(data.length);
        uint256 o;
        assembly {
            o := data.offset
        }
        s.memRoot = bytes32(data[0:32]);
        s.preimageKey = bytes32(data[32:64]);
        s.preimageOffset = uint32(bytes4(data[64:68]));
        s.pc = uint32(bytes4(data[68:72]));
        s.nextPC = uint32(bytes4(data[72:76]));
        s.lo = uint32(bytes4(data[76:80]));
        s.hi = uint32(bytes4(data[80:84]));
        s.heap = uint32(bytes4(data[84:88]));
        s.exitCode = uint8(data[88]);
        s.exited = data[89] != 0;
        s.step = uint64(bytes8(data[90:98]));
        uint32[32] memory regs = s.registers;
        for (uint256 i = 0; i < 32; i++) {
            uint256 word;
            assembly {
                word := shr(224, calldataload(add(o, add(98, mul(i, 4)))))
            }
            regs[i] = uint32(word);
        }
    }

    /// @notice Packs the state and returns its hash with the VM status in the top byte
    ///         (0 valid, 1 invalid, 2 panic: exited with that code class; 3 unfinished).
    function hash(State memory s) internal pure returns (bytes32 h) {
        uint256 status = s.exited ? (s.exitCode == 0 ? 0 : (s.exitCode == 1 ? 1 : 2)) : 3;
        assembly {
            // Pack into scratch memory past the free pointer; each field is written left-aligned,
            // later writes overwriting the zero tails of earlier ones.
            let p := mload(0x40)
            mstore(p, mload(s)) // memRoot
            mstore(add(p, 32), mload(add(s, 32))) // preimageKey
            mstore(add(p, 64), shl(224, mload(add(s, 64)))) // preimageOffset
            mstore(add(p, 68), shl(224, mload(add(s, 96)))) // pc
            mstore(add(p, 72), shl(224, mload(add(s, 128)))) // nextPC
            mstore(add(p, 76), shl(224, mload(add(s, 160)))) // lo
            mstore(add(p, 80), shl(224, mload(add(s, 192)))) // hi
            mstore(add(p, 84), shl(224, mload(add(s, 224)))) // heap
            mstore(add(p, 88), shl(248, mload(add(s, 256)))) // exitCode
            mstore(add(p, 89), shl(248, mload(add(s, 288)))) // exited
            mstore(add(p, 90), shl(192, mload(add(s, 320)))) // step
            let regs := mload(add(s, 352))
            for { let i := 0 } lt(i, 32) { i := add(i, 1) } {
                mstore(add(p, add(98, mul(i, 4))), shl(224, mload(add(regs, mul(i, 32)))))
            }
            h := keccak256(p, 226)
            h := or(and(h, not(shl(248, 0xff))), shl(248, status))
        }
    }
}
