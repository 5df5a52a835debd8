// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {BadItem, NotCommitted} from "../EvmErrors.sol";
import {Rlp} from "./Rlp.sol";

/// @title Mpt
/// @notice Ethereum's Merkle–Patricia trie (Yellow Paper appendix D) read and written on the nodes a witness
///         item holds: an RLP list of nodes, each found by the keccak256 of its RLP, nodes under 32 bytes inlined
///         in their parent; and the account and storage values the state tries hold. The checker's twin is
///         src/check/mpt.ts (`proofTrie`, decodeAccount …). One node set serves any sequence of reads and writes
///         on the evolving root, as the checker's trie does. A node the walk needs and the witness lacks is
///         NotCommitted, a malformed one BadItem; an absent key is a result.
library Mpt {
    /// @dev keccak256(0x80): the root of the trie of no keys.
    bytes32 internal constant EMPTY_TRIE_ROOT = 0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421;
    /// @dev keccak256 of no bytes: an account without code.
    bytes32 internal constant EMPTY_CODE_HASH = 0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470;

    /// @dev A branch's 16 children and its value; a leaf or an extension has 2 items, its path and its value or child.
    uint256 private constant BRANCH = 17;
    uint256 private constant VALUE = 16;

    /// @dev The nodes a walk can look up, each with its hash: the witness's (hashed once, when the set is opened;
    ///      decoded only when a walk reaches it) and those the set's writes created that their parents reference
    ///      by hash, and each new root, as ethereumjs's trie database stores them. A list in memory, newest first:
    ///      `head` is the address of its first entry, the words [hash, node address, node length, next entry]
    ///      (0: the end), so that a write adds a node without copying the set, and the walk after it finds the new
    ///      root first. `what` is what the set proves, for the errors.
    struct NodeSet {
        uint256 head;
        string what;
    }

    /// @dev An account as the state trie holds it: RLP [nonce, balance, storageRoot, codeHash].
    struct Account {
        uint256 nonce;
        uint256 balance;
        bytes32 storageRoot;
        bytes32 codeHash;
    }

    /// @notice The node set in the `len` calldata bytes at `data` (an RLP list of byte strings, the nodes' RLP).
    function open(uint256 data, uint256 len, string memory what) internal pure returns (NodeSet memory s) {
        bytes memory list = new bytes(len);
        assembly ("memory-safe") {
            calldatacopy(add(list, 32), data, len)
        }
        s.what = what;
        for (Rlp.Iterator memory i = Rlp.iterator(Rlp.toItem(list)); Rlp.hasNext(i);) {
            (uint256 ptr, uint256 n) = Rlp.payload(Rlp.next(i));
            bytes32 h;
            assembly ("memory-safe") {
                h := keccak256(ptr, n)
            }
            _add(s, h, ptr, n);
        }
    }

    /// @notice The value at `key` of the trie `root` (`hashed`: a secure trie, keyed by keccak256(key)); an
    ///         absent key is not found.
    function get(NodeSet memory s, bytes32 root, bytes memory key, bool hashed)
        internal
        pure
        returns (bool found, bytes memory value)
    {
        if (root == EMPTY_TRIE_ROOT) return (false, "");
        bytes memory k = _path(key, hashed);
        Rlp.Item memory node = _lookup(s, root);
        uint256 at;
        while (true) {
            Rlp.Item[] memory items = _items(s, node);
            if (items.length == BRANCH) {
                if (at == k.length) {
                    value = Rlp.toBytes(items[VALUE]);
                    return (value.length != 0, value);
                }
                node = _resolve(s, items[uint8(k[at++])]);
                if (node.len == 0) return (false, "");
            } else {
                (bool leaf, bytes memory path) = _hexPrefix(s, items[0]);
                uint256 c = _common(path, k, at);
                if (c < path.length) return (false, "");
                at += c;
                if (leaf) return at == k.length ? (true, _leafValue(s, items[1])) : (false, value);
                node = _child(s, items[1]);
            }
        }
    }

    /// @notice The root of the trie `root` with `value` at `key`; an empty value removes the key, as in
    ///         ethereumjs's mpt package. The nodes of the key's path must be in the set; the nodes the write
    ///         creates join it.
    function set(NodeSet memory s, bytes32 root, bytes memory key, bytes memory value, bool hashed)
        internal
        pure
        returns (bytes32)
    {
        if (value.length == 0) return remove(s, root, key, hashed);
        Rlp.Item memory node = root == EMPTY_TRIE_ROOT ? Rlp.Item(0, 0) : _lookup(s, root);
        return _commit(s, _put(s, node, _path(key, hashed), 0, Rlp.encodeBytes(value)));
    }

    /// @notice The root of the trie `root` without `key` (the same root when it is absent). The nodes of the
    ///         key's path must be in the set, and the remaining child of a branch that the removal leaves with one;
    ///         the nodes the removal creates join it.
    function remove(NodeSet memory s, bytes32 root, bytes memory key, bool hashed) internal pure returns (bytes32) {
        if (root == EMPTY_TRIE_ROOT) return root;
        (bool found, bytes memory node) = _del(s, _lookup(s, root), _path(key, hashed), 0);
        if (!found) return root;
        return node.length == 0 ? EMPTY_TRIE_ROOT : _commit(s, node);
    }

    /// @notice The account in its trie value `rlp`.
    function decodeAccount(bytes memory rlp) internal pure returns (Account memory a) {
        Rlp.Item[] memory f = Rlp.toList(Rlp.toItem(rlp));
        if (f.length != 4) revert BadItem("an account is not a list of 4 fields");
        a.nonce = Rlp.toUint(f[0]);
        a.balance = Rlp.toUint(f[1]);
        a.storageRoot = Rlp.toBytes32(f[2]);
        a.codeHash = Rlp.toBytes32(f[3]);
    }

    /// @notice The trie value of account `a`: its integers in their minimal big-endian bytes.
    function encodeAccount(Account memory a) internal pure returns (bytes memory) {
        bytes[] memory f = new bytes[](4);
        f[0] = Rlp.encodeUint(a.nonce);
        f[1] = Rlp.encodeUint(a.balance);
        f[2] = Rlp.encodeBytes(abi.encodePacked(a.storageRoot));
        f[3] = Rlp.encodeBytes(abi.encodePacked(a.codeHash));
        return Rlp.encodeList(f);
    }

    /// @notice A storage value as its trie holds it: the RLP of its minimal big-endian bytes; zero is absent
    ///         (no bytes, which `set` reads as a removal).
    function encodeSlot(uint256 v) internal pure returns (bytes memory) {
        return v == 0 ? new bytes(0) : Rlp.encodeUint(v);
    }

    /// @notice The storage value in its trie value `rlp` (no bytes: absent, zero).
    function decodeSlot(bytes memory rlp) internal pure returns (uint256) {
        return rlp.length == 0 ? 0 : Rlp.toUint(Rlp.toItem(rlp));
    }

    /// @dev The node `node` with `value` (encoded) at the key's nibbles from `at`; `node` empty (len 0) for no node.
    function _put(NodeSet memory s, Rlp.Item memory node, bytes memory key, uint256 at, bytes memory value)
        private
        pure
        returns (bytes memory)
    {
        if (node.len == 0) return _pair(key, at, key.length, true, value);
        Rlp.Item[] memory items = _items(s, node);
        if (items.length != BRANCH) return _putInPair(s, items, key, at, value);
        if (at == key.length) return _withSlot(items, VALUE, value);
        uint8 i = uint8(key[at]);
        return _withSlot(items, i, _ref(s, _put(s, _resolve(s, items[i]), key, at + 1, value)));
    }

    /// @dev _put on a leaf or an extension.
    function _putInPair(NodeSet memory s, Rlp.Item[] memory items, bytes memory key, uint256 at, bytes memory value)
        private
        pure
        returns (bytes memory)
    {
        (bool leaf, bytes memory path) = _hexPrefix(s, items[0]);
        uint256 c = _common(path, key, at);
        if (c == path.length) {
            if (!leaf) return _extension(s, path, _put(s, _child(s, items[1]), key, at + c, value));
            if (at + c == key.length) return _pair(path, 0, c, true, value);
        }
        at += c;
        uint256 slot = VALUE;
        if (at < key.length) {
            slot = uint8(key[at]);
            value = _ref(s, _pair(key, at + 1, key.length, true, value)); // the new key's leaf
        }
        return _split(s, Rlp.raw(items[1]), leaf, path, c, slot, value);
    }

    /// @dev The leaf or extension (`path`, `second`) with the new key's leaf (or value) `added` hung beside it in
    ///      slot `slot`: a branch where they part, past the `c` nibbles they share, under an extension of those.
    function _split(
        NodeSet memory s,
        bytes memory second,
        bool leaf,
        bytes memory path,
        uint256 c,
        uint256 slot,
        bytes memory added
    ) private pure returns (bytes memory) {
        bytes[] memory slots = _emptyBranch();
        if (c == path.length) {
            slots[VALUE] = second;
        } else if (leaf || c + 1 < path.length) {
            slots[uint8(path[c])] = _ref(s, _pair(path, c + 1, path.length, leaf, second));
        } else {
            slots[uint8(path[c])] = second; // an extension's last nibble: its child hangs from the branch itself
        }
        slots[slot] = added;
        bytes memory branch = Rlp.encodeList(slots);
        return c == 0 ? branch : _pair(path, 0, c, false, _ref(s, branch));
    }

    /// @dev The slots of a branch without children or value, each the empty string.
    function _emptyBranch() private pure returns (bytes[] memory slots) {
        slots = new bytes[](BRANCH);
        bytes memory none = hex"80";
        for (uint256 j = 0; j < BRANCH; j++) {
            slots[j] = none;
        }
    }

    /// @dev Whether the key's nibbles from `at` are under `node`, and `node` without them (no bytes: no node left).
    function _del(NodeSet memory s, Rlp.Item memory node, bytes memory key, uint256 at)
        private
        pure
        returns (bool found, bytes memory left)
    {
        if (node.len == 0) return (false, left);
        Rlp.Item[] memory items = _items(s, node);
        if (items.length == BRANCH) {
            uint256 i = at == key.length ? VALUE : uint8(key[at]);
            if (i == VALUE) {
                if (Rlp.isEmpty(items[VALUE])) return (false, left);
            } else {
                (found, left) = _del(s, _resolve(s, items[i]), key, at + 1);
                if (!found) return (false, left);
            }
            return (true, _collapse(s, items, i, left));
        }
        (bool leaf, bytes memory path) = _hexPrefix(s, items[0]);
        uint256 c = _common(path, key, at);
        if (c < path.length) return (false, left);
        if (leaf) return (at + c == key.length, left);
        (found, left) = _del(s, _child(s, items[1]), key, at + c);
        if (found && left.length != 0) left = _prefixed(s, path, Rlp.toItem(left));
    }

    /// @dev The branch `items` with slot `i` now holding the node `below` (no bytes: nothing); a branch left
    ///      with one child or only its value becomes that child under one more nibble, or a leaf.
    function _collapse(NodeSet memory s, Rlp.Item[] memory items, uint256 i, bytes memory below)
        private
        pure
        returns (bytes memory)
    {
        uint256 count;
        uint256 only;
        for (uint256 j = 0; j < BRANCH; j++) {
            if (j == i ? below.length != 0 : !Rlp.isEmpty(items[j])) {
                count++;
                only = j;
            }
        }
        if (count > 1) return _withSlot(items, i, below.length == 0 ? bytes(hex"80") : _ref(s, below));
        if (count == 0) return below;
        if (only == VALUE) return _pair(new bytes(0), 0, 0, true, Rlp.raw(items[VALUE]));
        Rlp.Item memory child = only == i ? Rlp.toItem(below) : _resolve(s, items[only]);
        return _prefixed(s, abi.encodePacked(uint8(only)), child);
    }

    /// @dev The node `child` under the nibbles `prefix` more: a leaf or an extension takes them into its path,
    ///      a branch goes under an extension of them.
    function _prefixed(NodeSet memory s, bytes memory prefix, Rlp.Item memory child)
        private
        pure
        returns (bytes memory)
    {
        Rlp.Item[] memory items = _items(s, child);
        if (items.length == BRANCH) return _extension(s, prefix, Rlp.raw(child));
        (bool leaf, bytes memory path) = _hexPrefix(s, items[0]);
        bytes memory joined = bytes.concat(prefix, path);
        return _pair(joined, 0, joined.length, leaf, Rlp.raw(items[1]));
    }

    /// @dev The extension of all of `path` over the node `child`.
    function _extension(NodeSet memory s, bytes memory path, bytes memory child) private pure returns (bytes memory) {
        return _pair(path, 0, path.length, false, _ref(s, child));
    }

    /// @dev The branch `items` with slot `i` replaced by the encoded `slot`; the other slots' bytes are kept.
    function _withSlot(Rlp.Item[] memory items, uint256 i, bytes memory slot) private pure returns (bytes memory) {
        uint256 start = items[0].ptr;
        uint256 from = items[i].ptr;
        uint256 to = from + items[i].len;
        uint256 end = items[VALUE].ptr + items[VALUE].len;
        bytes[] memory parts = new bytes[](3);
        parts[0] = Rlp.copy(start, from - start);
        parts[1] = slot;
        parts[2] = Rlp.copy(to, end - to);
        return Rlp.encodeList(parts);
    }

    /// @dev A leaf (`leaf`) or extension of the nibbles `nibbles[from:to]` and `second`, its value or child (encoded).
    function _pair(bytes memory nibbles, uint256 from, uint256 to, bool leaf, bytes memory second)
        private
        pure
        returns (bytes memory)
    {
        bytes[] memory f = new bytes[](2);
        f[0] = Rlp.encodeBytes(_compact(nibbles, from, to, leaf));
        f[1] = second;
        return Rlp.encodeList(f);
    }

    /// @dev The hex-prefix encoding (appendix C) of `nibbles[from:to]`: a flag nibble (2 for a leaf, plus 1 for an
    ///      odd count, then the first nibble), else a zero nibble after the flag, then the nibbles in pairs.
    function _compact(bytes memory nibbles, uint256 from, uint256 to, bool leaf) private pure returns (bytes memory b) {
        uint256 odd = (to - from) & 1;
        b = new bytes((to - from) / 2 + 1);
        assembly ("memory-safe") {
            let src := add(add(nibbles, 32), from)
            let end := add(add(nibbles, 32), to)
            let out := add(b, 32)
            let flag := shl(5, leaf)
            if odd { flag := or(flag, or(0x10, byte(0, mload(src)))) }
            mstore8(out, flag)
            src := add(src, odd)
            for { out := add(out, 1) } lt(src, end) {
                src := add(src, 2)
                out := add(out, 1)
            } { mstore8(out, or(shl(4, byte(0, mload(src))), byte(0, mload(add(src, 1))))) }
        }
    }

    /// @dev Whether the leaf or extension's first item `hp` marks a leaf, and its path's nibbles.
    function _hexPrefix(NodeSet memory s, Rlp.Item memory hp) private pure returns (bool leaf, bytes memory nibbles) {
        (uint256 ptr, uint256 len) = Rlp.payload(hp);
        if (len == 0) _malformed(s, "a leaf or extension without a path");
        uint256 b0;
        assembly ("memory-safe") {
            b0 := byte(0, mload(ptr))
        }
        uint256 flag = b0 >> 4;
        if (flag > 3) _malformed(s, "a path's flag nibble is over 3");
        uint256 odd = flag & 1;
        if (odd == 0 && b0 & 0x0f != 0) _malformed(s, "an even path's padding nibble is not zero");
        leaf = flag >= 2;
        nibbles = new bytes(2 * (len - 1) + odd);
        if (!leaf && nibbles.length == 0) _malformed(s, "an extension of no nibbles");
        assembly ("memory-safe") {
            let out := add(nibbles, 32)
            if odd {
                mstore8(out, and(b0, 0x0f))
                out := add(out, 1)
            }
            for { let i := 1 } lt(i, len) { i := add(i, 1) } {
                let x := byte(0, mload(add(ptr, i)))
                mstore8(out, shr(4, x))
                mstore8(add(out, 1), and(x, 0x0f))
                out := add(out, 2)
            }
        }
    }

    /// @dev The nibbles of the trie's key for `key`.
    function _path(bytes memory key, bool hashed) private pure returns (bytes memory nibbles) {
        if (hashed) key = abi.encodePacked(keccak256(key));
        nibbles = new bytes(2 * key.length);
        assembly ("memory-safe") {
            let out := add(nibbles, 32)
            let p := add(key, 32)
            for { let i := 0 } lt(i, mload(key)) { i := add(i, 1) } {
                let x := byte(0, mload(add(p, i)))
                mstore8(add(out, mul(2, i)), shr(4, x))
                mstore8(add(out, add(mul(2, i), 1)), and(x, 0x0f))
            }
        }
    }

    /// @dev How many of `path`'s nibbles the key's nibbles from `at` start with.
    function _common(bytes memory path, bytes memory key, uint256 at) private pure returns (uint256 c) {
        uint256 n = key.length - at < path.length ? key.length - at : path.length;
        assembly ("memory-safe") {
            let p := add(path, 32)
            let k := add(add(key, 32), at)
            for {} and(lt(add(c, 31), n), eq(mload(add(p, c)), mload(add(k, c)))) {} { c := add(c, 32) }
            for {} and(lt(c, n), eq(byte(0, mload(add(p, c))), byte(0, mload(add(k, c))))) {} { c := add(c, 1) }
        }
    }

    /// @dev The reference a parent holds to `node`, a node of the trie a write leaves (appendix D's c): the node
    ///      itself under 32 bytes, else its hash, and the node joins the set (again, for a branch the write only
    ///      moved under a new extension).
    function _ref(NodeSet memory s, bytes memory node) private pure returns (bytes memory) {
        return node.length < 32 ? node : Rlp.encodeBytes(abi.encodePacked(_commit(s, node)));
    }

    /// @dev The hash of `node`, which joins the set (a later walk looks it up by it). Its bytes are never
    ///      written again: the set holds their address.
    function _commit(NodeSet memory s, bytes memory node) private pure returns (bytes32 h) {
        uint256 ptr;
        assembly ("memory-safe") {
            ptr := add(node, 32)
            h := keccak256(ptr, mload(node))
        }
        _add(s, h, ptr, node.length);
    }

    /// @dev Adds the node of `len` bytes at `ptr`, whose hash is `h`, at the head of the set's list.
    function _add(NodeSet memory s, bytes32 h, uint256 ptr, uint256 len) private pure {
        assembly ("memory-safe") {
            let e := mload(0x40)
            mstore(e, h)
            mstore(add(e, 32), ptr)
            mstore(add(e, 64), len)
            mstore(add(e, 96), mload(s))
            mstore(0x40, add(e, 128))
            mstore(s, e)
        }
    }

    /// @dev The node a branch slot or an extension refers to: inline, or by its hash from the set; len 0 for none.
    function _resolve(NodeSet memory s, Rlp.Item memory ref) private pure returns (Rlp.Item memory) {
        if (Rlp.isList(ref)) {
            if (ref.len >= 32) _malformed(s, "an inline node of 32 bytes or more");
            return ref;
        }
        (uint256 ptr, uint256 len) = Rlp.payload(ref);
        if (len == 0) return Rlp.Item(0, 0);
        if (len != 32) _malformed(s, "a node reference neither a hash nor an inline node");
        bytes32 h;
        assembly ("memory-safe") {
            h := mload(ptr)
        }
        return _lookup(s, h);
    }

    /// @dev An extension's child, which must be there.
    function _child(NodeSet memory s, Rlp.Item memory ref) private pure returns (Rlp.Item memory node) {
        node = _resolve(s, ref);
        if (node.len == 0) _malformed(s, "an extension without a child");
    }

    /// @dev The node of the set whose hash is `h`.
    function _lookup(NodeSet memory s, bytes32 h) private pure returns (Rlp.Item memory) {
        bool found;
        uint256 ptr;
        uint256 len;
        assembly ("memory-safe") {
            for { let e := mload(s) } e { e := mload(add(e, 96)) } {
                if eq(mload(e), h) {
                    found := 1
                    ptr := mload(add(e, 32))
                    len := mload(add(e, 64))
                    break
                }
            }
        }
        if (!found) revert NotCommitted(string.concat(s.what, ": the proof lacks a trie node the walk needs"));
        return Rlp.item(ptr, len);
    }

    /// @dev The items of a trie node: 17 for a branch, 2 for a leaf or an extension.
    function _items(NodeSet memory s, Rlp.Item memory node) private pure returns (Rlp.Item[] memory items) {
        items = Rlp.toList(node);
        if (items.length != BRANCH && items.length != 2) _malformed(s, "a trie node of neither 2 nor 17 items");
    }

    /// @dev A leaf's value, which must be a string of at least a byte.
    function _leafValue(NodeSet memory s, Rlp.Item memory it) private pure returns (bytes memory value) {
        value = Rlp.toBytes(it);
        if (value.length == 0) _malformed(s, "a leaf with an empty value");
    }

    /// @dev Reverts BadItem for a malformed node of the set `s`.
    function _malformed(NodeSet memory s, string memory what) private pure {
        revert BadItem(string.concat(s.what, ": ", what));
    }
}
