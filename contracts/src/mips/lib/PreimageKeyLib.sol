// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title PreimageKeyLib
/// @notice Local preimage keys (type byte 1) are bound to the contract that drives the game and to a
///         context it chooses, so one game's boot data cannot answer another's.
library PreimageKeyLib {
    /// @notice The localized form of a type-1 key for `caller` and `localContext`.
    function localize(bytes32 key, bytes32 localContext, address caller) internal pure returns (bytes32 localized) {
        localized = keccak256(abi.encode(key, keccak256(abi.encode(caller, localContext))));
        localized = (localized & ~bytes32(uint256(0xff) << 248)) | bytes32(uint256(1) << 248);
    }
}
