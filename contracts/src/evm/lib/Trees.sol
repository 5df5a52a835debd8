// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {BadItem, NotCommitted} from "../EvmErrors.sol";
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

    /// @notice Leaves lo … hi of the `T_depth` tree `root` (32-byte leaves) from the witness's two items
    ///         (the leaves, then the range's siblings), as their bytes and the calldata offset of the siblings.
    function openRange(
        WitnessReader.Reader memory r,
        bytes32 root,
        uint256 lo,
        uint256 hi,
        uint256 depth,
        string memory what
    ) internal pure returns (bytes memory cells, uint256 siblings) {
        uint256 count = hi - lo + 1;
        uint256 at = WitnessReader.next(r, 32 * count, what);
        siblings = WitnessReader.next(r, 32 * siblingCount(lo, hi, depth), what);
        cells = new bytes(32 * count);
        assembly ("memory-safe") {
            calldatacopy(add(cells, 32), at, mul(32, count))
        }
        if (rangeRoot(words(cells), lo, depth, siblings) != root) revert NotCommitted(what);
    }

    /// @notice Bytes [from, from + len) of a view (`size` bytes of the `T_24` tree `root` from byte
    ///         `offset`), those past its size zero; the leaves are opened only when a byte asked for is in it.
    function readView(
        WitnessReader.Reader memory r,
        bytes32 root,
        uint256 offset,
        uint256 size,
        uint256 from,
        uint256 len,
        string memory what
    ) internal pure returns (bytes memory out) {
        out = new bytes(len);
        if (len == 0 || from >= size) return out;
        uint256 end = len < size - from ? from + len : size;
        (uint256 start, uint256 stop) = (offset + from, offset + end);
        uint256 lo = start / 32;
        (bytes memory cells,) = openRange(r, root, lo, (stop - 1) / 32, 24, what);
        _copy(cells, start - 32 * lo, out, stop - start);
    }

    /// @notice Bytes [offset, offset + len) of a code of `size` bytes from its code tree's leaves
    ///         (chunk ‖ mask, SPEC.md §1), those past the size zero.
    function codeBytes(WitnessReader.Reader memory r, bytes32 root, uint256 size, uint256 offset, uint256 len)
        internal
        pure
        returns (bytes memory out)
    {
        out = new bytes(len);
        if (len == 0 || offset >= size) return out;
        uint256 end = len < size - offset ? offset + len : size;
        (uint256 lo, uint256 hi) = (offset / 32, (end - 1) / 32);
        uint256 count = hi - lo + 1;
        uint256 at = WitnessReader.next(r, 36 * count, "code leaves");
        uint256 siblings = WitnessReader.next(r, 32 * siblingCount(lo, hi, CODE_DEPTH), "code range proof");
        bytes32[] memory hashes = new bytes32[](count);
        bytes memory chunks = new bytes(32 * count);
        for (uint256 i = 0; i < count; i++) {
            hashes[i] = WitnessReader.hash(at + 36 * i, 36);
            bytes32 chunk = WitnessReader.word(at + 36 * i);
            assembly ("memory-safe") {
                mstore(add(add(chunks, 32), mul(32, i)), chunk)
            }
        }
        if (rangeRoot(hashes, lo, CODE_DEPTH, siblings) != root) revert NotCommitted("code leaves");
        _copy(chunks, offset - 32 * lo, out, end - offset);
    }

    /// @notice The root of the `T_24` tree `root` with `data` written at byte `at`, the leaves it lies in
    ///         opened from the witness (their other bytes kept); `root` itself for no bytes.
    function writeBytes(WitnessReader.Reader memory r, bytes32 root, uint256 at, bytes memory data, string memory what)
        internal
        pure
        returns (bytes32)
    {
        if (data.length == 0) return root;
        if (at + data.length > 32 << 24) revert BadItem(string.concat(what, ": bytes past a tree of 2^24 leaves"));
        uint256 lo = at / 32;
        (bytes memory cells, uint256 siblings) = openRange(r, root, lo, (at + data.length - 1) / 32, 24, what);
        assembly ("memory-safe") {
            mcopy(add(add(cells, 32), sub(at, mul(32, lo))), add(data, 32), mload(data))
        }
        return rangeRoot(words(cells), lo, 24, siblings);
    }

    /// @notice A byte string of whole 32-byte cells as its words.
    function words(bytes memory cells) internal pure returns (bytes32[] memory out) {
        out = new bytes32[](cells.length / 32);
        for (uint256 i = 0; i < out.length; i++) {
            bytes32 w;
            assembly ("memory-safe") {
                w := mload(add(add(cells, 32), mul(32, i)))
            }
            out[i] = w;
        }
    }

    /// @dev `n` bytes of `from` at byte `at` to the start of `to`.
    function _copy(bytes memory from, uint256 at, bytes memory to, uint256 n) private pure {
        assembly ("memory-safe") {
            mcopy(add(to, 32), add(add(from, 32), at), n)
        }
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
