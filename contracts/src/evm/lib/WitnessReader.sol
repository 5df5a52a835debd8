// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {BadItem} from "../EvmErrors.sol";

/// @title WitnessReader
/// @notice Reads a step's witness (SPEC.md §5: items, each a 4-byte big-endian length and its bytes) in
///         the order the step needs them; the checker's twin is src/check/witness-reader.ts.
library WitnessReader {
    /// @dev A cursor over the proof: the calldata offset of the next item's length.
    struct Reader {
        uint256 at;
        uint256 end;
    }

    /// @notice A reader of `proof`.
    function open(bytes calldata proof) internal pure returns (Reader memory r) {
        uint256 start;
        assembly ("memory-safe") {
            start := proof.offset
        }
        r.at = start;
        r.end = start + proof.length;
    }

    /// @notice The calldata offset of the next item, which must be `length` bytes.
    function next(Reader memory r, uint256 length, string memory what) internal pure returns (uint256 data) {
        uint256 len;
        (data, len) = nextAny(r, what);
        if (len != length) revert BadItem(what);
    }

    /// @notice The calldata offset and length of the next item, of any length.
    function nextAny(Reader memory r, string memory what) internal pure returns (uint256 data, uint256 len) {
        uint256 at = r.at;
        if (at + 4 > r.end) revert BadItem(what);
        assembly ("memory-safe") {
            len := shr(224, calldataload(at))
        }
        data = at + 4;
        if (data + len > r.end) revert BadItem(what);
        r.at = data + len;
    }

    /// @notice Requires every item to have been read.
    function done(Reader memory r) internal pure {
        if (r.at != r.end) revert BadItem("the witness has items the step did not use");
    }

    /// @notice The 32-byte word at calldata offset `at`.
    function word(uint256 at) internal pure returns (bytes32 w) {
        assembly ("memory-safe") {
            w := calldataload(at)
        }
    }

    /// @notice keccak256 of `length` calldata bytes at `at`.
    function hash(uint256 at, uint256 length) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            let p := mload(0x40)
            calldatacopy(p, at, length)
            h := keccak256(p, length)
        }
    }
}
