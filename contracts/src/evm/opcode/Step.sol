// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {BadItem, NotCommitted} from "../EvmErrors.sol";
import {EvmLayout} from "../lib/EvmLayout.sol";
import {Trees} from "../lib/Trees.sol";
import {WitnessReader} from "../lib/WitnessReader.sol";

/// @notice One opcode step as the verifier re-executes it (SPEC.md §5.1): the frame it starts from,
///         the stack items it read, and what it changes. The checker's twin is src/check/opcode/step.ts;
///         each opcode class's file works on it.
struct Step {
    uint8 op;
    /// @dev The machine state (SPEC.md §2's 352 bytes) the step starts from; a rule changes its words in place.
    bytes s;
    EvmLayout.Frame f;
    /// @dev A copy or hash under way (SPEC.md §6.1): its gas and memory expansion were charged by its first step.
    bool continuing;
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
    /// @dev A copy or hash longer than a step: the bytes done after this one (0: done), and H(sponge state).
    uint256 progress;
    bytes32 sponge;
}

/// @dev An opened range of memory: its cells' bytes, the first cell's index and the calldata offset of its siblings.
struct Cells {
    bytes bytes_;
    uint256 lo;
    uint256 siblings;
}

/// @title StepLib
/// @notice Gas, memory and the environments of a step, as src/check/opcode/step.ts reads and charges them.
library StepLib {
    /// @dev SPEC.md §6: the bytes one step of a copy moves.
    uint256 internal constant COPY_CHUNK = 32 * 1024;
    uint256 internal constant MEMORY_DEPTH = 24;
    uint256 internal constant BLOCK_ENV_BYTES = 448;
    uint256 internal constant TX_ENV_BYTES = 800;
    uint256 internal constant SUBSTATE_BYTES = 288;
    /// @dev The byte offset of the state's sub-state hash (word 7).
    uint256 internal constant SUBSTATE_HASH = 224;

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

    /// @notice The 3 gas a word of a copy.
    function copyGas(Step memory c, uint256 len) internal pure returns (bool) {
        return use(c, len >> 64 != 0 ? type(uint256).max : 3 * words(len));
    }

    /// @notice ⌈len / 32⌉ without overflow.
    function words(uint256 len) internal pure returns (uint256) {
        return len / 32 + (len % 32 == 0 ? 0 : 1);
    }

    /// @notice The part [from, from + n) of a copy of `len` bytes this step moves: the next COPY_CHUNK
    ///         bytes, from the end for an MCOPY to a higher address (no byte read after it is written).
    function part(Step memory c, uint256 len, bool backward) internal pure returns (uint256 from, uint256 n) {
        uint256 done = c.f.progress;
        // No honest run leaves a copy with nothing left to move (its last step resets progress).
        if (c.continuing && done >= len) revert BadItem("the frame has moved all the bytes of its copy");
        n = len - done < COPY_CHUNK ? len - done : COPY_CHUNK;
        if (done + n < len) c.progress = done + n;
        from = backward ? len - done - n : done;
    }

    /// @notice The memory cells covering [at, at + n) (n > 0) as one range proven against the frame's
    ///         memory root; cells at or past the frame's memory size must be zero.
    function openMemory(Step memory c, WitnessReader.Reader memory r, uint256 at, uint256 n)
        internal
        pure
        returns (Cells memory m)
    {
        m.lo = at / 32;
        uint256 hi = (at + n - 1) / 32;
        (m.bytes_, m.siblings) = Trees.openRange(r, c.f.memoryRoot, m.lo, hi, MEMORY_DEPTH, "memory leaves");
        bytes memory b = m.bytes_;
        for (uint256 i = m.lo < c.f.memoryWords ? c.f.memoryWords - m.lo : 0; 32 * i < b.length; i++) {
            bytes32 w;
            assembly ("memory-safe") {
                w := mload(add(add(b, 32), mul(32, i)))
            }
            if (w != bytes32(0)) revert NotCommitted("a memory cell past the memory size is not zero");
        }
    }

    /// @notice The memory root with the opened cells as they are now.
    function commitMemory(Step memory c, Cells memory m) internal pure {
        c.memoryRoot = Trees.rangeRoot(Trees.words(m.bytes_), m.lo, MEMORY_DEPTH, m.siblings);
    }

    /// @notice Memory bytes [at, at + n) (none read for n = 0).
    function readMemory(Step memory c, WitnessReader.Reader memory r, uint256 at, uint256 n)
        internal
        pure
        returns (bytes memory out)
    {
        out = new bytes(n);
        if (n == 0) return out;
        Cells memory m = openMemory(c, r, at, n);
        _mcopy(m.bytes_, at - 32 * m.lo, out, 0, n);
    }

    /// @notice Writes `data` to memory at `at`, its cells opened from the witness (nothing for no bytes).
    function writeMemory(Step memory c, WitnessReader.Reader memory r, uint256 at, bytes memory data) internal pure {
        if (data.length == 0) return;
        Cells memory m = openMemory(c, r, at, data.length);
        _mcopy(data, 0, m.bytes_, at - 32 * m.lo, data.length);
        commitMemory(c, m);
    }

    /// @notice The block environment (SPEC.md §3's 448 bytes) from the witness, checked against the state's word 1;
    ///         returns its calldata offset (field i at offset + 32 i).
    function blockEnv(Step memory c, WitnessReader.Reader memory r) internal pure returns (uint256 at) {
        at = WitnessReader.next(r, BLOCK_ENV_BYTES, "block environment");
        if (WitnessReader.hash(at, BLOCK_ENV_BYTES) != EvmLayout.get(c.s, 32)) {
            revert NotCommitted("block environment");
        }
    }

    /// @notice The transaction environment (SPEC.md §3's 800 bytes), checked against the state's word 2.
    function txEnv(Step memory c, WitnessReader.Reader memory r) internal pure returns (uint256 at) {
        at = WitnessReader.next(r, TX_ENV_BYTES, "transaction environment");
        if (WitnessReader.hash(at, TX_ENV_BYTES) != EvmLayout.get(c.s, 64)) {
            revert NotCommitted("transaction environment");
        }
    }

    /// @notice The sub-state (SPEC.md §2.1's 288 bytes) from the witness, checked against the state's word 7,
    ///         as a copy a rule may change and write back with setSubstate.
    function substate(Step memory c, WitnessReader.Reader memory r) internal pure returns (bytes memory out) {
        uint256 at = WitnessReader.next(r, SUBSTATE_BYTES, "sub-state");
        if (WitnessReader.hash(at, SUBSTATE_BYTES) != EvmLayout.get(c.s, SUBSTATE_HASH)) {
            revert NotCommitted("sub-state");
        }
        if (uint256(WitnessReader.word(at + 256)) > 1) {
            revert BadItem("the sub-state's deposit-error word is neither 0 nor 1");
        }
        out = new bytes(SUBSTATE_BYTES);
        assembly ("memory-safe") {
            calldatacopy(add(out, 32), at, 288)
        }
    }

    /// @notice The state now commits to `sub`.
    function setSubstate(Step memory c, bytes memory sub) internal pure {
        EvmLayout.set(c.s, SUBSTATE_HASH, keccak256(sub));
    }

    /// @notice Pushes one word.
    function push1(Step memory c, uint256 v) internal pure {
        c.out = new uint256[](1);
        c.out[0] = v;
    }

    function _mcopy(bytes memory from, uint256 fromAt, bytes memory to, uint256 toAt, uint256 n) private pure {
        assembly ("memory-safe") {
            mcopy(add(add(to, 32), toAt), add(add(from, 32), fromAt), n)
        }
    }

    function _memoryCost(uint256 w) private pure returns (uint256) {
        return 3 * w + (w * w) / 512;
    }
}
