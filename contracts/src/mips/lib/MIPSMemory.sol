// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title MIPSMemory
/// @notice Reads and writes 32-bit words of the VM's memory against its Merkle root, with proofs from
///         calldata: a proof is the 32-byte leaf and its 27 siblings, bottom-up (28 × 32 bytes).
///         Mirrors packages/mips-proof/src/vm/memory.ts.
library MIPSMemory {
    uint256 internal constant PROOF_SIZE = 28 * 32;

    error InvalidMemoryProof(uint32 addr);
    error MissingMemoryProof(uint256 index);

    function _offset(bytes calldata proof, uint256 index) private pure returns (uint256 offset) {
        if (proof.length < (index + 1) * PROOF_SIZE) revert MissingMemoryProof(index);
        assembly {
            offset := add(proof.offset, mul(index, 896))
        }
    }

    /// @notice The root a proof leads to with `leaf` at the leaf position of `addr`.
    function _root(uint256 offset, bytes32 leaf, uint32 addr) private pure returns (bytes32 node) {
        assembly {
            node := leaf
            let path := shr(5, addr)
            for { let i := 0 } lt(i, 27) { i := add(i, 1) } {
                let sibling := calldataload(add(offset, mul(add(i, 1), 32)))
                switch and(shr(i, path), 1)
                case 0 {
                    mstore(0, node)
                    mstore(32, sibling)
                }
                default {
                    mstore(0, sibling)
                    mstore(32, node)
                }
                node := keccak256(0, 64)
            }
        }
    }

    /// @notice The aligned word at `addr`, proven by proof number `index` against `root`.
    function readMem(bytes32 root, bytes calldata proof, uint256 index, uint32 addr)
        internal
        pure
        returns (uint32 word)
    {
        uint256 offset = _offset(proof, index);
        bytes32 leaf;
        assembly {
            leaf := calldataload(offset)
        }
        if (_root(offset, leaf, addr) != root) revert InvalidMemoryProof(addr);
        word = uint32(uint256(leaf) >> ((28 - (addr & 31)) * 8));
    }

    /// @notice The new root after writing `value` at `addr` (the same proof, already checked by readMem).
    function writeMem(bytes calldata proof, uint256 index, uint32 addr, uint32 value) internal pure returns (bytes32) {
        uint256 offset = _offset(proof, index);
        bytes32 leaf;
        assembly {
            leaf := calldataload(offset)
        }
        uint256 shift = (28 - (addr & 31)) * 8;
        leaf = bytes32((uint256(leaf) & ~(uint256(0xffffffff) << shift)) | (uint256(value) << shift));
        return _root(offset, leaf, addr);
    }
}
