// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title IPreimageOracle
/// @notice What the MIPS step reads preimages from (Cannon's oracle interface, the parts MIPS uses).
interface IPreimageOracle {
    /// @notice Up to 32 bytes of the length-prefixed preimage of `key`, from `offset`.
    function readPreimage(bytes32 key, uint256 offset) external view returns (bytes32 dat, uint256 datLen);
}
