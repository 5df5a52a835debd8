// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {ChunkTrees} from "./lib/ChunkTrees.sol";

/// @title BytesOracle
/// @notice SPEC.md §5's posted byte strings (trie leaves too long for a witness): binds a hash to the `T_24` tree
///         of the bytes and their size, as the CodeOracle does for codes. Anyone posts a whole byte string; the
///         contract computes the tree itself. The checker's twin is `bytesOracle` in src/check/index.ts.
contract BytesOracle {
    /// @dev The trees' depth, memory's and the views' (SPEC.md §1).
    uint256 internal constant DEPTH = 24;

    /// @dev What a posted byte string is known as; a non-zero root marks it posted.
    struct Posted {
        bytes32 root;
        uint256 size;
    }

    mapping(bytes32 hash => Posted) private _posted;

    /// @notice A byte string was posted for the first time.
    event BytesPosted(bytes32 indexed hash, bytes32 root, uint256 size);

    /// @notice Posts `data`: stores keccak256(data) → (T_24(data), its size); bytes already known return at once.
    /// @return hash keccak256(data), the key the bytes are known by.
    function post(bytes calldata data) external returns (bytes32 hash) {
        bytes memory d = data;
        hash = keccak256(d);
        if (_posted[hash].root != 0) return hash;
        bytes32 root = ChunkTrees.bytesRoot(d, DEPTH);
        _posted[hash] = Posted(root, d.length);
        emit BytesPosted(hash, root, d.length);
    }

    /// @notice What the byte string of hash `hash` is known as: its `T_24` root and its size.
    function bytesOf(bytes32 hash) external view returns (bool known, bytes32 root, uint256 size) {
        Posted storage p = _posted[hash];
        return (p.root != 0, p.root, p.size);
    }
}
