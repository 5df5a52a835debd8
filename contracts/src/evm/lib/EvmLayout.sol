// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {BadStateData, FieldOverflow, NotCommitted} from "../EvmErrors.sol";
import {WitnessReader} from "./WitnessReader.sol";

/// @title EvmLayout
/// @notice SPEC.md §2's machine state and §2.3's frame, read and written field by field; the checker's
///         twin is src/check/layout.ts.
library EvmLayout {
    uint8 internal constant VERSION = 10;
    uint256 internal constant STATE_BYTES = 352;
    uint256 internal constant FRAME_BYTES = 448;
    /// @dev Byte offsets of stateData's words (SPEC.md §2).
    uint256 internal constant STATE_ROOT = 96;
    uint256 internal constant TX_START_ROOT = 128;
    uint256 internal constant ACCESS_MAP = 160;
    uint256 internal constant TRANSIENT_MAP = 192;
    uint256 internal constant SUBSTATE_HASH = 224;
    uint256 internal constant BLOCK_ACC_HASH = 256;
    uint256 internal constant FRAME_STACK_HASH = 288;
    uint256 internal constant FRAME_HASH = 320;
    /// @dev The phases of SPEC.md §4 a frame exit or a transaction's end moves to.
    uint8 internal constant TX_REFUND = 6;
    uint8 internal constant TX_CLEANUP = 7;
    uint8 internal constant TX_RECEIPT = 8;
    uint8 internal constant INVALID = 13;
    /// @dev SPEC.md §2.2's blockAcc: ten words; the word indices the transaction's end writes.
    uint256 internal constant BLOCK_ACC_BYTES = 320;
    uint256 internal constant CUMULATIVE_GAS = 0;
    uint256 internal constant BLOB_GAS_USED = 1;

    /// @dev SPEC.md §2.3's executing frame.
    struct Frame {
        uint256 kind;
        uint256 status;
        bool isStatic;
        uint256 depth;
        uint256 pc;
        uint256 gas;
        uint256 stackSize;
        uint256 memoryWords;
        uint256 codeSize;
        address addr;
        address codeAddress;
        address caller;
        uint256 value;
        bytes32 codeRoot;
        bytes32 stackHash;
        bytes32 memoryRoot;
        bytes32 calldataRoot;
        bytes32 returnDataRoot;
        bytes32 outputRoot;
        uint256 calldataSize;
        uint256 returnDataSize;
        uint256 outputSize;
        uint256 retOffset;
        uint256 retSize;
        uint256 progress;
        uint256 calldataOffset;
        uint256 returnDataOffset;
        uint256 outputOffset;
        bytes32 sponge;
    }

    /// @notice stateData copied to memory, after SPEC.md §2's checks (length, version, padding).
    function readState(bytes calldata stateData) internal pure returns (bytes memory s) {
        if (stateData.length != STATE_BYTES) revert BadStateData("stateData is not 352 bytes");
        if (uint8(stateData[0]) != VERSION) revert BadStateData("stateData is not of version 10");
        if (uint256(bytes32(stateData[0:32])) & ((1 << 104) - 1) != 0) {
            revert BadStateData("stateData has non-zero padding");
        }
        s = stateData;
    }

    function phase(bytes memory s) internal pure returns (uint8) {
        return uint8(s[1]);
    }

    function setPhase(bytes memory s, uint8 p) internal pure {
        s[1] = bytes1(p);
    }

    /// @notice stateData's subIndex (bytes 6–9): the position inside the phase.
    function subIndex(bytes memory s) internal pure returns (uint32 i) {
        for (uint256 k = 6; k < 10; k++) {
            i = (i << 8) | uint8(s[k]);
        }
    }

    function setSubIndex(bytes memory s, uint32 i) internal pure {
        for (uint256 k = 0; k < 4; k++) {
            s[6 + k] = bytes1(uint8(i >> (8 * (3 - k))));
        }
    }

    function forkId(bytes memory s) internal pure returns (uint8) {
        return uint8(s[10]);
    }

    /// @notice The state word at byte `offset`.
    function get(bytes memory s, uint256 offset) internal pure returns (bytes32 w) {
        assembly ("memory-safe") {
            w := mload(add(add(s, 32), offset))
        }
    }

    /// @notice Sets the state word at byte `offset`.
    function set(bytes memory s, uint256 offset, bytes32 w) internal pure {
        assembly ("memory-safe") {
            mstore(add(add(s, 32), offset), w)
        }
    }

    /// @notice The blockAcc item of the witness (SPEC.md §2.2), checked against the state's blockAccHash, as a
    ///         copy a step may change and write back with setBlockAcc.
    function openBlockAcc(WitnessReader.Reader memory r, bytes memory s) internal pure returns (bytes memory acc) {
        uint256 at = WitnessReader.next(r, BLOCK_ACC_BYTES, "blockAcc");
        if (WitnessReader.hash(at, BLOCK_ACC_BYTES) != get(s, BLOCK_ACC_HASH)) revert NotCommitted("blockAcc");
        acc = new bytes(BLOCK_ACC_BYTES);
        assembly ("memory-safe") {
            calldatacopy(add(acc, 32), at, 320)
        }
    }

    /// @notice The state now commits to `acc`.
    function setBlockAcc(bytes memory s, bytes memory acc) internal pure {
        set(s, BLOCK_ACC_HASH, keccak256(acc));
    }

    /// @notice The frame item of the witness, checked against the state's frameHash.
    function openFrame(WitnessReader.Reader memory r, bytes memory s) internal pure returns (Frame memory f) {
        uint256 at = WitnessReader.next(r, FRAME_BYTES, "frame");
        if (WitnessReader.hash(at, FRAME_BYTES) != get(s, FRAME_HASH)) revert NotCommitted("frame");
        return readFrame(at);
    }

    /// @notice The frame in the 448 calldata bytes at `at` (SPEC.md §2.3), its padding checked.
    function readFrame(uint256 at) internal pure returns (Frame memory f) {
        uint256 h = uint256(WitnessReader.word(at));
        if (h & ((1 << 40) - 1) != 0) revert BadStateData("a frame header has non-zero padding");
        f.kind = h >> 248;
        f.status = (h >> 240) & 0xff;
        f.isStatic = (h >> 232) & 0xff == 1;
        f.depth = (h >> 216) & 0xffff;
        f.pc = (h >> 184) & 0xffffffff;
        f.gas = (h >> 120) & 0xffffffffffffffff;
        f.stackSize = (h >> 104) & 0xffff;
        f.memoryWords = (h >> 72) & 0xffffffff;
        f.codeSize = (h >> 40) & 0xffffffff;
        f.addr = _address(at + 32);
        f.codeAddress = _address(at + 64);
        f.caller = _address(at + 96);
        f.value = uint256(WitnessReader.word(at + 128));
        f.codeRoot = WitnessReader.word(at + 160);
        f.stackHash = WitnessReader.word(at + 192);
        f.memoryRoot = WitnessReader.word(at + 224);
        f.calldataRoot = WitnessReader.word(at + 256);
        f.returnDataRoot = WitnessReader.word(at + 288);
        f.outputRoot = WitnessReader.word(at + 320);
        uint256 sizes = uint256(WitnessReader.word(at + 352));
        if (sizes & ((1 << 64) - 1) != 0) revert BadStateData("a frame's sizes word has non-zero padding");
        f.calldataSize = sizes >> 224;
        f.returnDataSize = (sizes >> 192) & 0xffffffff;
        f.outputSize = (sizes >> 160) & 0xffffffff;
        f.retOffset = (sizes >> 128) & 0xffffffff;
        f.retSize = (sizes >> 96) & 0xffffffff;
        f.progress = (sizes >> 64) & 0xffffffff;
        uint256 offsets = uint256(WitnessReader.word(at + 384));
        if (offsets & ((1 << 160) - 1) != 0) revert BadStateData("a frame's offsets word has non-zero padding");
        f.calldataOffset = offsets >> 224;
        f.returnDataOffset = (offsets >> 192) & 0xffffffff;
        f.outputOffset = (offsets >> 160) & 0xffffffff;
        f.sponge = WitnessReader.word(at + 416);
    }

    /// @notice H(frame) of SPEC.md §2.3's 448 bytes.
    function hashFrame(Frame memory f) internal pure returns (bytes32 h) {
        bytes memory b = new bytes(FRAME_BYTES);
        _put(b, 0, bytes32(_header(f)));
        _put(b, 1, bytes32(uint256(uint160(f.addr))));
        _put(b, 2, bytes32(uint256(uint160(f.codeAddress))));
        _put(b, 3, bytes32(uint256(uint160(f.caller))));
        _put(b, 4, bytes32(f.value));
        _put(b, 5, f.codeRoot);
        _put(b, 6, f.stackHash);
        _put(b, 7, f.memoryRoot);
        _put(b, 8, f.calldataRoot);
        _put(b, 9, f.returnDataRoot);
        _put(b, 10, f.outputRoot);
        _put(b, 11, bytes32(_sizes(f)));
        _put(b, 12, bytes32(_offsets(f)));
        _put(b, 13, f.sponge);
        h = keccak256(b);
    }

    function _header(Frame memory f) private pure returns (uint256) {
        return (f.kind << 248) | (f.status << 240) | (uint256(f.isStatic ? 1 : 0) << 232)
            | (_fit(f.depth, 16, "depth") << 216) | (_fit(f.pc, 32, "pc") << 184) | (_fit(f.gas, 64, "gas") << 120)
            | (_fit(f.stackSize, 16, "stack size") << 104) | (_fit(f.memoryWords, 32, "memory words") << 72)
            | (_fit(f.codeSize, 32, "code size") << 40);
    }

    function _sizes(Frame memory f) private pure returns (uint256) {
        return (_fit(f.calldataSize, 32, "calldata size") << 224)
            | (_fit(f.returnDataSize, 32, "return data size") << 192) | (_fit(f.outputSize, 32, "output size") << 160)
            | (_fit(f.retOffset, 32, "ret offset") << 128) | (_fit(f.retSize, 32, "ret size") << 96)
            | (_fit(f.progress, 32, "progress") << 64);
    }

    function _offsets(Frame memory f) private pure returns (uint256) {
        return (_fit(f.calldataOffset, 32, "calldata offset") << 224)
            | (_fit(f.returnDataOffset, 32, "return data offset") << 192)
            | (_fit(f.outputOffset, 32, "output offset") << 160);
    }

    function _put(bytes memory b, uint256 i, bytes32 w) private pure {
        assembly ("memory-safe") {
            mstore(add(add(b, 32), mul(i, 32)), w)
        }
    }

    function _address(uint256 at) private pure returns (address) {
        uint256 w = uint256(WitnessReader.word(at));
        if (w >> 160 != 0) revert BadStateData("an address word has non-zero high bytes");
        return address(uint160(w));
    }

    function _fit(uint256 v, uint256 bits, string memory what) private pure returns (uint256) {
        if (v >> bits != 0) revert FieldOverflow(what);
        return v;
    }
}
