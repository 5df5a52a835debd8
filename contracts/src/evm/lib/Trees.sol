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

    /// @notice H(a ‖ b): a tree's inner node, and a push onto the stack chain (SPEC.md §1).
    function hashPair(bytes32 a, bytes32 b) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            mstore(0, a)
            mstore(32, b)
            h := keccak256(0, 64)
        }
    }
}
