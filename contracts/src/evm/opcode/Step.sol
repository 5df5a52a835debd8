// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {BadItem, NotCommitted} from "../EvmErrors.sol";
import {ICodeOracle} from "../ICodeOracle.sol";
import {EvmLayout} from "../lib/EvmLayout.sol";
import {IndexedMap} from "../lib/IndexedMap.sol";
import {Mpt} from "../lib/Mpt.sol";
import {Trees} from "../lib/Trees.sol";
import {WitnessReader} from "../lib/WitnessReader.sol";

/// @notice One opcode step as the verifier re-executes it (SPEC.md §5.1): the frame it starts from,
///         the stack items it read, and what it changes. The checker's twin is src/check/opcode/step.ts;
///         each opcode class's file works on it.
struct Step {
    uint8 op;
    /// @dev The machine state (SPEC.md §2's 352 bytes) the step starts from; a rule changes its words in place.
    bytes s;
    /// @dev Where the codes the step reads are registered (SPEC.md §0).
    ICodeOracle oracle;
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
    /// @dev A call or create cleared the return data.
    bool clearsReturnData;
    /// @dev A call or create entered its child: the child's frame hash and the frame stack it suspends the caller on.
    bool entered;
    bytes32 childHash;
    bytes32 frameStackHash;
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
    /// @dev `C` of no code: the code tree of no leaves (Z_16).
    bytes32 internal constant EMPTY_CODE_ROOT = 0x2733e50f526ec2fa19a22b31e8ed50f23cd1fdf94c9154ed3a7609a2f1ff981f;

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
        if (WitnessReader.hash(at, SUBSTATE_BYTES) != EvmLayout.get(c.s, EvmLayout.SUBSTATE_HASH)) {
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
        EvmLayout.set(c.s, EvmLayout.SUBSTATE_HASH, keccak256(sub));
    }

    /// @notice EIP-2929: warms a key of the access map (SPEC.md §2's keys); returns whether it was cold.
    function warm(Step memory c, WitnessReader.Reader memory r, uint256 key) internal pure returns (bool) {
        IndexedMap.Entry memory e = IndexedMap.open(r, EvmLayout.get(c.s, EvmLayout.ACCESS_MAP), key, "access map");
        if (e.present) return false;
        EvmLayout.set(c.s, EvmLayout.ACCESS_MAP, IndexedMap.write(r, e, key, 1, "access map"));
        return true;
    }

    /// @notice An account of the world state `root` (the state's, or the transaction start's), with the trie
    ///         it was read from: its proof the witness's next item.
    function account(WitnessReader.Reader memory r, bytes32 root, address a, string memory what)
        internal
        pure
        returns (Mpt.NodeSet memory trie, bool exists, Mpt.Account memory acct)
    {
        (uint256 at, uint256 len) = WitnessReader.nextAny(r, what);
        trie = Mpt.open(at, len, what);
        bytes memory value;
        (exists, value) = Mpt.get(trie, root, abi.encodePacked(a), true);
        if (exists) acct = Mpt.decodeAccount(value);
    }

    /// @notice A storage slot of an account (absent: of the empty trie), with the trie it was read from.
    function slotOf(
        WitnessReader.Reader memory r,
        bool exists,
        Mpt.Account memory acct,
        uint256 key,
        string memory what
    ) internal pure returns (Mpt.NodeSet memory trie, uint256 value) {
        (uint256 at, uint256 len) = WitnessReader.nextAny(r, what);
        trie = Mpt.open(at, len, what);
        (bool found, bytes memory v) =
            Mpt.get(trie, exists ? acct.storageRoot : Mpt.EMPTY_TRIE_ROOT, abi.encode(key), true);
        if (found) value = Mpt.decodeSlot(v);
    }

    /// @notice The root and size of an account's code, from the CodeOracle (no code needs none).
    function codeOf(Step memory c, bool exists, Mpt.Account memory acct)
        internal
        view
        returns (bytes32 root, uint256 size)
    {
        (root, size,) = codeOfWithDelegate(c, exists, acct);
    }

    /// @notice An account's code as codeOf gives it, and its EIP-7702 delegate when the code is a delegation designator.
    function codeOfWithDelegate(Step memory c, bool exists, Mpt.Account memory acct)
        internal
        view
        returns (bytes32 root, uint256 size, address delegate)
    {
        bytes32 hash = exists ? acct.codeHash : Mpt.EMPTY_CODE_HASH;
        if (hash == Mpt.EMPTY_CODE_HASH) return (EMPTY_CODE_ROOT, 0, address(0));
        bool known;
        (known, root, size, delegate) = c.oracle.code(hash);
        if (!known) revert NotCommitted("the account's code is not registered with the code oracle");
    }

    /// @notice EIP-161: no nonce, no balance, no code (or no account).
    function isEmpty(bool exists, Mpt.Account memory a) internal pure returns (bool) {
        return !exists || (a.nonce == 0 && a.balance == 0 && a.codeHash == Mpt.EMPTY_CODE_HASH);
    }

    /// @notice SPEC.md §2's access-map key of an address, H(0x01 ‖ address).
    function addressKey(address a) internal pure returns (uint256) {
        return uint256(keccak256(abi.encodePacked(uint8(1), a)));
    }

    /// @notice SPEC.md §2's access-map key of a storage slot, H(0x02 ‖ address ‖ slot).
    function slotKey(address a, uint256 slot) internal pure returns (uint256) {
        return uint256(keccak256(abi.encodePacked(uint8(2), a, slot)));
    }

    /// @notice A frame entering its code (SPEC.md §2.3): pc 0, running, nothing on its stack, in its memory,
    ///         returned or output yet, no calldata; the caller sets the rest.
    function freshFrame() internal pure returns (EvmLayout.Frame memory f) {
        (f.memoryRoot, f.calldataRoot, f.returnDataRoot, f.outputRoot) =
        (Trees.EMPTY_BYTES_ROOT, Trees.EMPTY_BYTES_ROOT, Trees.EMPTY_BYTES_ROOT, Trees.EMPTY_BYTES_ROOT);
    }

    /// @notice The revert point of a call or create (SPEC.md §2.3): the state root, the access and transient
    ///         maps and the sub-state as they are now.
    function revertPoint(Step memory c) internal pure returns (bytes memory) {
        return abi.encodePacked(
            EvmLayout.get(c.s, EvmLayout.STATE_ROOT),
            EvmLayout.get(c.s, EvmLayout.ACCESS_MAP),
            EvmLayout.get(c.s, EvmLayout.TRANSIENT_MAP),
            EvmLayout.get(c.s, EvmLayout.SUBSTATE_HASH)
        );
    }

    /// @notice Enters a call's or create's child: the caller suspended as the opcode leaves it (SPEC.md §5.1),
    ///         at its next opcode with its operands popped, on the frame stack with the revert point.
    function enter(Step memory c, EvmLayout.Frame memory child, bytes memory revertPre) internal pure {
        EvmLayout.Frame memory parent = c.f;
        parent.pc += 1;
        parent.gas = c.gas;
        parent.stackHash = c.below;
        parent.stackSize -= c.args.length;
        parent.memoryWords = c.memoryWords;
        if (c.clearsReturnData) {
            (parent.returnDataRoot, parent.returnDataOffset, parent.returnDataSize) = (Trees.EMPTY_BYTES_ROOT, 0, 0);
        }
        c.entered = true;
        c.childHash = EvmLayout.hashFrame(child);
        c.frameStackHash = keccak256(
            abi.encodePacked(
                EvmLayout.hashFrame(parent), keccak256(revertPre), EvmLayout.get(c.s, EvmLayout.FRAME_STACK_HASH)
            )
        );
    }

    /// @notice Word `i` of a byte string (a sub-state, an environment copied to memory).
    function word(bytes memory b, uint256 i) internal pure returns (bytes32 w) {
        assembly ("memory-safe") {
            w := mload(add(add(b, 32), mul(32, i)))
        }
    }

    function setWord(bytes memory b, uint256 i, bytes32 w) internal pure {
        assembly ("memory-safe") {
            mstore(add(add(b, 32), mul(32, i)), w)
        }
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
