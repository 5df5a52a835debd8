// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IPreimageOracle} from "./IPreimageOracle.sol";
import {PreimageKeyLib} from "./lib/PreimageKeyLib.sol";

/// @title PreimageOracle
/// @notice Holds 32-byte parts of preimages, each proven to belong to its key, for the MIPS step to read.
///         A preimage is served as its 8-byte big-endian length followed by its bytes (Cannon's framing).
///         Keys: type 1 (local, bound to a game's context), type 2 (keccak256 of the preimage).
contract PreimageOracle is IPreimageOracle {
    mapping(bytes32 => uint256) public preimageLengths;
    mapping(bytes32 => mapping(uint256 => bytes32)) public preimageParts;
    mapping(bytes32 => mapping(uint256 => bool)) public preimagePartOk;

    error PartOffsetOutOfBounds(uint256 offset, uint256 size);
    error PartNotLoaded(bytes32 key, uint256 offset);

    /// @inheritdoc IPreimageOracle
    function readPreimage(bytes32 key, uint256 offset) external view returns (bytes32 dat, uint256 datLen) {
        if (!preimagePartOk[key][offset]) revert PartNotLoaded(key, offset);
        datLen = preimageLengths[key] + 8 - offset;
        if (datLen > 32) datLen = 32;
        dat = preimageParts[key][offset];
    }

    /// @notice The key of local data `ident` in `localContext` (type byte 1) for the calling contract,
    ///         as the MIPS step localizes it when that contract calls `step`.
    function localKey(uint256 ident, bytes32 localContext) public view returns (bytes32) {
        return PreimageKeyLib.localize(bytes32((uint256(1) << 248) | ident), localContext, msg.sender);
    }

    /// @notice Loads local data: `word` (left-aligned, `size` ≤ 32 bytes) as the preimage of local key `ident`.
    function loadLocalData(uint256 ident, bytes32 localContext, bytes32 word, uint256 size, uint256 partOffset)
        external
        returns (bytes32 key)
    {
        key = localKey(ident, localContext);
        bytes memory framed = abi.encodePacked(uint64(size), word);
        _storePart(key, framed, size, partOffset);
    }

    /// @notice Loads the 32-byte part at `partOffset` of the framed `preimage`, under key 2 ‖ keccak256(preimage)[1:].
    function loadKeccak256PreimagePart(uint256 partOffset, bytes calldata preimage) external returns (bytes32 key) {
        key = keccak256(preimage);
        key = (key & ~bytes32(uint256(0xff) << 248)) | bytes32(uint256(2) << 248);
        _storePart(key, abi.encodePacked(uint64(preimage.length), preimage), preimage.length, partOffset);
    }

    function _storePart(bytes32 key, bytes memory framed, uint256 size, uint256 partOffset) private {
        if (partOffset >= size + 8) revert PartOffsetOutOfBounds(partOffset, size);
        bytes32 part;
        assembly {
            part := mload(add(add(framed, 32), partOffset))
        }
        // Bytes past the end of the framed preimage are zero.
        uint256 available = size + 8 - partOffset;
        if (available < 32) part &= ~bytes32(type(uint256).max >> (available * 8));
        preimageParts[key][partOffset] = part;
        preimagePartOk[key][partOffset] = true;
        preimageLengths[key] = size;
    }
}
