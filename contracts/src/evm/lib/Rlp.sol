// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {BadItem} from "../EvmErrors.sol";

/// @title Rlp
/// @notice Ethereum's RLP (Yellow Paper appendix B) over memory: items decoded in the canonical form alone,
///         as ethereumjs's rlp package and go-ethereum require it (the checker decodes with the former), lists walked
///         item by item, and the encodings the trie writes.
library Rlp {
    /// @dev An encoded item in memory: the address of its first byte and its whole length, header included.
    ///      An Item from this library fits its parent; its payload's items are checked as they are read.
    struct Item {
        uint256 ptr;
        uint256 len;
    }

    /// @dev A cursor over a list's payload: the address of the next item and the payload's end.
    struct Iterator {
        uint256 at;
        uint256 end;
    }

    /// @notice The item that is all of `b`.
    function toItem(bytes memory b) internal pure returns (Item memory) {
        uint256 ptr;
        assembly ("memory-safe") {
            ptr := add(b, 32)
        }
        return item(ptr, b.length);
    }

    /// @notice The item that is exactly the `len` bytes at memory address `ptr`.
    function item(uint256 ptr, uint256 len) internal pure returns (Item memory it) {
        it = _first(ptr, len);
        if (it.len != len) revert BadItem("RLP: bytes after the item");
    }

    /// @notice Whether `it` is a list (else a string).
    function isList(Item memory it) internal pure returns (bool) {
        return _byte(it.ptr) >= 0xc0;
    }

    /// @notice Whether `it` is the empty string (0x80), a branch's mark of no child or no value.
    function isEmpty(Item memory it) internal pure returns (bool) {
        return it.len == 1 && _byte(it.ptr) == 0x80;
    }

    /// @notice A cursor over the items of the list `it`.
    function iterator(Item memory it) internal pure returns (Iterator memory) {
        (bool list, uint256 offset, uint256 len) = _header(it.ptr, it.len);
        if (!list) revert BadItem("RLP: a string where a list is expected");
        return Iterator(it.ptr + offset, it.ptr + offset + len);
    }

    /// @notice Whether the list has items left.
    function hasNext(Iterator memory i) internal pure returns (bool) {
        return i.at < i.end;
    }

    /// @notice The next item of the list, which must end within it.
    function next(Iterator memory i) internal pure returns (Item memory it) {
        it = _first(i.at, i.end - i.at);
        i.at += it.len;
    }

    /// @notice The items of the list `it`.
    function toList(Item memory it) internal pure returns (Item[] memory items) {
        Iterator memory i = iterator(it);
        (uint256 at, uint256 end) = (i.at, i.end);
        // One pass: the items' structs go past the free memory pointer as they are decoded (_header allocates
        // nothing unless it reverts), then the array of pointers to them after them, and the pointer moves on.
        // A branch's usual items, the empty string and a 32-byte hash, are canonical as they stand.
        uint256 structs;
        uint256 n;
        assembly ("memory-safe") {
            structs := mload(0x40)
        }
        while (at < end) {
            uint256 size;
            assembly ("memory-safe") {
                let b0 := byte(0, mload(at))
                if eq(b0, 0x80) { size := 1 }
                if and(eq(b0, 0xa0), lt(add(at, 32), end)) { size := 33 }
            }
            if (size == 0) {
                (, uint256 offset, uint256 len) = _header(at, end - at);
                size = offset + len;
            }
            assembly ("memory-safe") {
                let p := add(structs, shl(6, n))
                mstore(p, at)
                mstore(add(p, 32), size)
                at := add(at, size)
                n := add(n, 1)
            }
        }
        assembly ("memory-safe") {
            items := add(structs, shl(6, n))
            mstore(items, n)
            for { let k := 0 } lt(k, n) { k := add(k, 1) } {
                mstore(add(items, shl(5, add(k, 1))), add(structs, shl(6, k)))
            }
            mstore(0x40, add(items, shl(5, add(n, 1))))
        }
    }

    /// @notice The memory address and length of the string `it`'s payload.
    function payload(Item memory it) internal pure returns (uint256 ptr, uint256 len) {
        (bool list, uint256 offset, uint256 n) = _header(it.ptr, it.len);
        if (list) revert BadItem("RLP: a list where a string is expected");
        return (it.ptr + offset, n);
    }

    /// @notice The bytes of the string `it`.
    function toBytes(Item memory it) internal pure returns (bytes memory) {
        (uint256 ptr, uint256 len) = payload(it);
        return copy(ptr, len);
    }

    /// @notice The string `it` read as a big-endian integer in its minimal form (no leading zero byte).
    function toUint(Item memory it) internal pure returns (uint256 v) {
        (uint256 ptr, uint256 len) = payload(it);
        if (len > 32) revert BadItem("RLP: an integer of more than 32 bytes");
        if (len == 0) return 0;
        if (_byte(ptr) == 0) revert BadItem("RLP: an integer with a leading zero byte");
        assembly ("memory-safe") {
            v := shr(sub(256, mul(8, len)), mload(ptr))
        }
    }

    /// @notice The string `it`, which must be 32 bytes.
    function toBytes32(Item memory it) internal pure returns (bytes32 w) {
        (uint256 ptr, uint256 len) = payload(it);
        if (len != 32) revert BadItem("RLP: a string of other than 32 bytes where a word is expected");
        assembly ("memory-safe") {
            w := mload(ptr)
        }
    }

    /// @notice The encoding of `it`, header included.
    function raw(Item memory it) internal pure returns (bytes memory) {
        return copy(it.ptr, it.len);
    }

    /// @notice A copy of `len` memory bytes at `ptr`.
    function copy(uint256 ptr, uint256 len) internal pure returns (bytes memory out) {
        out = new bytes(len);
        assembly ("memory-safe") {
            mcopy(add(out, 32), ptr, len)
        }
    }

    /// @notice The string `b` encoded.
    function encodeBytes(bytes memory b) internal pure returns (bytes memory) {
        if (b.length == 1 && uint8(b[0]) < 0x80) return b;
        return bytes.concat(_lengthHeader(b.length, 0x80), b);
    }

    /// @notice `v` encoded as the string of its minimal big-endian bytes (zero: the empty string).
    function encodeUint(uint256 v) internal pure returns (bytes memory) {
        uint256 n;
        for (uint256 x = v; x != 0; x >>= 8) {
            n++;
        }
        bytes memory b = new bytes(n);
        assembly ("memory-safe") {
            if n { mstore(add(b, 32), shl(sub(256, mul(8, n)), v)) }
        }
        return encodeBytes(b);
    }

    /// @notice The list of `items`, each already encoded (a run of consecutive encoded items is as good as one).
    function encodeList(bytes[] memory items) internal pure returns (bytes memory) {
        bytes memory body;
        for (uint256 i = 0; i < items.length; i++) {
            body = bytes.concat(body, items[i]);
        }
        return bytes.concat(_lengthHeader(body.length, 0xc0), body);
    }

    /// @dev The header of a payload of `len` bytes: `base` (0x80 a string, 0xc0 a list) plus the length
    ///      under 56 bytes, else `base` + 55 + the length's byte count, then its big-endian bytes.
    function _lengthHeader(uint256 len, uint256 base) private pure returns (bytes memory h) {
        if (len < 56) return abi.encodePacked(uint8(base + len));
        uint256 n;
        for (uint256 x = len; x != 0; x >>= 8) {
            n++;
        }
        h = new bytes(1 + n);
        assembly ("memory-safe") {
            mstore(add(h, 32), or(shl(248, add(base, add(55, n))), shl(sub(248, mul(8, n)), len)))
        }
    }

    /// @dev The first item of the `avail` bytes at `ptr`.
    function _first(uint256 ptr, uint256 avail) private pure returns (Item memory) {
        (, uint256 offset, uint256 len) = _header(ptr, avail);
        return Item(ptr, offset + len);
    }

    /// @dev The header at `ptr`, of an item that must end within `avail` bytes: whether a list, the header's
    ///      length and the payload's. Only the canonical form passes: a single byte under 0x80 as itself, the
    ///      long form only from 56 bytes, a length without leading zero bytes. In assembly, the short string (a
    ///      branch's child references) first: a walk decodes 17 items per branch.
    function _header(uint256 ptr, uint256 avail) private pure returns (bool list, uint256 offset, uint256 len) {
        uint256 err;
        assembly ("memory-safe") {
            switch avail
            case 0 { err := 1 }
            default {
                let b0 := byte(0, mload(ptr))
                switch lt(b0, 0xb8)
                case 1 {
                    switch lt(b0, 0x80)
                    case 1 { len := 1 }
                    default {
                        offset := 1
                        len := sub(b0, 0x80)
                        switch gt(add(1, len), avail)
                        case 1 { err := 1 }
                        default { if eq(len, 1) { if lt(byte(0, mload(add(ptr, 1))), 0x80) { err := 2 } } }
                    }
                }
                default {
                    list := gt(b0, 0xbf)
                    let short := sub(b0, add(0x80, mul(0x40, list)))
                    switch lt(short, 56)
                    case 1 {
                        offset := 1
                        len := short
                    }
                    default {
                        let n := sub(short, 55)
                        offset := add(1, n)
                        switch gt(offset, avail)
                        case 1 { err := 1 }
                        default {
                            let w := mload(add(ptr, 1))
                            len := shr(sub(256, mul(8, n)), w)
                            if lt(len, 56) { err := 4 }
                            if iszero(byte(0, w)) { err := 3 }
                        }
                    }
                    if iszero(err) { if gt(add(offset, len), avail) { err := 1 } }
                }
            }
        }
        if (err != 0) _headerError(err);
    }

    /// @dev Reverts with the rule _header's error code `err` names.
    function _headerError(uint256 err) private pure {
        if (err == 1) revert BadItem("RLP: an item runs past its parent");
        if (err == 2) revert BadItem("RLP: a single byte under 0x80 not encoded as itself");
        if (err == 3) revert BadItem("RLP: a length with a leading zero byte");
        revert BadItem("RLP: the long form for under 56 bytes");
    }

    /// @dev The memory byte at `ptr`.
    function _byte(uint256 ptr) private pure returns (uint256 b) {
        assembly ("memory-safe") {
            b := byte(0, mload(ptr))
        }
    }
}
