// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {NotCommitted} from "../EvmErrors.sol";
import {WitnessReader} from "./WitnessReader.sol";

/// @title Trees
/// @notice SPEC.md §1's chunk trees: a code tree's leaf opened against its root (a range of one leaf,
///         §5.1's two items: `chunk ‖ mask`, then its 16 siblings from the leaf up); the checker's twin
///         is src/check/trees.ts.
library Trees {
    /// @dev `T_24` of no bytes (Z_24): the root of the view of no bytes (SPEC.md §2.3).
    bytes32 internal constant EMPTY_BYTES_ROOT = 0xcdc72595f74c7b1043d0e1ffbab734648c838dfb0527d971b602bc216c9619ef;
    uint256 internal constant CODE_DEPTH = 16;

    /// @notice Leaf `index` of the code tree `root`: its 32 code bytes and its 4-byte JUMPDEST mask.
    function codeLeaf(WitnessReader.Reader memory r, bytes32 root, uint256 index)
        internal
        pure
        returns (bytes32 chunk, bytes4 mask)
    {
        uint256 leaf = WitnessReader.next(r, 36, "code leaf");
        uint256 siblings = WitnessReader.next(r, 32 * CODE_DEPTH, "code range proof");
        bytes32 node = WitnessReader.hash(leaf, 36);
        for (uint256 h = 0; h < CODE_DEPTH; h++) {
            bytes32 sibling = WitnessReader.word(siblings + 32 * h);
            node = (index >> h) & 1 == 1 ? hashPair(sibling, node) : hashPair(node, sibling);
        }
        if (node != root) revert NotCommitted("code leaf");
        chunk = WitnessReader.word(leaf);
        mask = bytes4(WitnessReader.word(leaf + 32));
    }

    /// @notice How many siblings the range of leaves lo … hi of a depth-`depth` tree needs (SPEC.md §5.1).
    function siblingCount(uint256 lo, uint256 hi, uint256 depth) internal pure returns (uint256 n) {
        for (uint256 h = 0; h < depth; h++) {
            n += (lo & 1) + (hi & 1 == 0 ? 1 : 0);
            lo >>= 1;
            hi >>= 1;
        }
    }

    /// @notice The root over `leaves` from index `lo` of a depth-`depth` tree, with the siblings at calldata
    ///         offset `siblings` in SPEC.md §5.1's order: level by level from the leaves, at each level the
    ///         left neighbour when the range starts at an odd index, then the right one when it ends at an even one.
    function rangeRoot(bytes32[] memory leaves, uint256 lo, uint256 depth, uint256 siblings)
        internal
        pure
        returns (bytes32)
    {
        bytes32[] memory level = leaves;
        uint256 start = lo;
        for (uint256 h = 0; h < depth; h++) {
            uint256 n = level.length;
            uint256 left = start & 1;
            uint256 right = (start + n - 1) & 1 == 0 ? 1 : 0;
            bytes32[] memory padded = new bytes32[](n + left + right);
            if (left == 1) {
                padded[0] = WitnessReader.word(siblings);
                siblings += 32;
            }
            for (uint256 i = 0; i < n; i++) {
                padded[left + i] = level[i];
            }
            if (right == 1) {
                padded[n + left] = WitnessReader.word(siblings);
                siblings += 32;
            }
            level = new bytes32[](padded.length / 2);
            for (uint256 i = 0; i < level.length; i++) {
                level[i] = hashPair(padded[2 * i], padded[2 * i + 1]);
            }
            start = (start - left) / 2;
        }
        return level[0];
    }

    /// @notice H(a ‖ b): a tree's inner node, and a push onto the stack chain (SPEC.md §1).
    function hashPair(bytes32 a, bytes32 b) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            mstore(0, a)
            mstore(32, b)
            h := keccak256(0, 64)
        }
    }
}
