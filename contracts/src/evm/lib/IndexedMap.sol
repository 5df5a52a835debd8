// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {BadItem, NotCommitted} from "../EvmErrors.sol";
import {WitnessReader} from "./WitnessReader.sol";

/// @title IndexedMap
/// @notice SPEC.md §1's indexed Merkle maps (the access, transient, self-destruct, created and touched
///         maps): a sorted linked list of leaves `H(key ‖ value ‖ nextKey)` in a depth-24 tree, committed
///         as `H(root ‖ count)`, the sentinel (key 0) at leaf 0 and new keys appended at leaf `count`. A
///         key is proven present by its leaf and absent by the leaf just below it. The checker's twin is
///         src/check/trees.ts's indexed maps.
library IndexedMap {
    uint256 internal constant DEPTH = 24;
    /// @dev A map item: count (32) ‖ index (4) ‖ key ‖ value ‖ nextKey ‖ 24 siblings.
    uint256 internal constant ITEM_BYTES = 32 + 4 + 96 + 32 * DEPTH;

    /// @dev A key's place in a map, from one map item.
    struct Entry {
        bool present;
        uint256 value;
        uint256 count;
        uint256 index;
        /// @dev The leaf's key, value and next key (the key itself when present, the one just below when not).
        uint256 leafKey;
        uint256 leafValue;
        uint256 nextKey;
        /// @dev The calldata offset of the leaf's 24 siblings.
        uint256 siblings;
    }

    /// @notice `key`'s entry in the map `commitment`: its value, or its absence.
    function open(WitnessReader.Reader memory r, bytes32 commitment, uint256 key, string memory what)
        internal
        pure
        returns (Entry memory e)
    {
        uint256 at = WitnessReader.next(r, ITEM_BYTES, what);
        e.count = uint256(WitnessReader.word(at));
        e.index = uint256(WitnessReader.word(at + 32)) >> 224;
        e.leafKey = uint256(WitnessReader.word(at + 36));
        e.leafValue = uint256(WitnessReader.word(at + 68));
        e.nextKey = uint256(WitnessReader.word(at + 100));
        e.siblings = at + 132;
        bytes32 root = _fold(_leaf(e.leafKey, e.leafValue, e.nextKey), e.index, e.siblings);
        if (e.index >= e.count || _commit(root, e.count) != commitment) revert NotCommitted(what);
        e.present = e.leafKey == key;
        if (!e.present && !(e.leafKey < key && (e.nextKey > key || e.nextKey == 0))) {
            revert BadItem(string.concat(what, ": the leaf neither holds the key nor sits just below it"));
        }
        if (e.present) e.value = e.leafValue;
    }

    /// @notice The map's commitment with `value` written for `key` (whose entry `e` is); an absent key is
    ///         inserted at leaf `count`, the witness's next item being that free leaf's path.
    function write(WitnessReader.Reader memory r, Entry memory e, uint256 key, uint256 value, string memory what)
        internal
        pure
        returns (bytes32)
    {
        if (e.present) return _commit(_fold(_leaf(key, value, e.nextKey), e.index, e.siblings), e.count);
        if (e.count >= 1 << DEPTH) revert BadItem(string.concat(what, " is full"));
        bytes32 lowRoot = _fold(_leaf(e.leafKey, e.leafValue, key), e.index, e.siblings);
        uint256 path = WitnessReader.next(r, 32 * DEPTH, what);
        if (_fold(bytes32(0), e.count, path) != lowRoot) {
            revert NotCommitted(string.concat(what, ": the insert path is not the next free leaf's"));
        }
        return _commit(_fold(_leaf(key, value, e.nextKey), e.count, path), e.count + 1);
    }

    /// @notice The number of leaves of the map `commitment` (the sentinel included), from its preimage `treeRoot ‖ count`.
    function count(WitnessReader.Reader memory r, bytes32 commitment, string memory what)
        internal
        pure
        returns (uint256)
    {
        uint256 at = WitnessReader.next(r, 64, what);
        if (WitnessReader.hash(at, 64) != commitment) revert NotCommitted(what);
        return uint256(WitnessReader.word(at + 32));
    }

    /// @notice The key of leaf `index` of the map `commitment` (a map item at that index).
    function leafAt(WitnessReader.Reader memory r, bytes32 commitment, uint256 index, string memory what)
        internal
        pure
        returns (uint256 key)
    {
        uint256 at = WitnessReader.next(r, ITEM_BYTES, what);
        uint256 n = uint256(WitnessReader.word(at));
        uint256 i = uint256(WitnessReader.word(at + 32)) >> 224;
        key = uint256(WitnessReader.word(at + 36));
        bytes32 leaf = _leaf(key, uint256(WitnessReader.word(at + 68)), uint256(WitnessReader.word(at + 100)));
        if (i != index || i >= n || _commit(_fold(leaf, i, at + 132), n) != commitment) {
            revert NotCommitted(string.concat(what, ": the item is not the leaf asked for"));
        }
    }

    function _leaf(uint256 key, uint256 value, uint256 nextKey) private pure returns (bytes32 h) {
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, key)
            mstore(add(p, 32), value)
            mstore(add(p, 64), nextKey)
            h := keccak256(p, 96)
        }
    }

    function _commit(bytes32 root, uint256 n) private pure returns (bytes32 h) {
        assembly ("memory-safe") {
            mstore(0, root)
            mstore(32, n)
            h := keccak256(0, 64)
        }
    }

    /// @dev The root over `leaf` at `index` with the 24 siblings at calldata offset `siblings`, from the leaf up.
    function _fold(bytes32 leaf, uint256 index, uint256 siblings) private pure returns (bytes32 node) {
        assembly ("memory-safe") {
            node := leaf
            for { let h := 0 } lt(h, 24) { h := add(h, 1) } {
                let s := calldataload(add(siblings, mul(32, h)))
                switch and(shr(h, index), 1)
                case 0 {
                    mstore(0, node)
                    mstore(32, s)
                }
                default {
                    mstore(0, s)
                    mstore(32, node)
                }
                node := keccak256(0, 64)
            }
        }
    }
}
