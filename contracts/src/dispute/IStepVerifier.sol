// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title IStepVerifier
/// @notice One interface for every proof system's one-step verifier (MIPS and EVM-native alike).
interface IStepVerifier {
    /// @notice Executes exactly one step from the state whose commitment is keccak256(stateData)
    ///         (MIPS: Cannon's status-tagged hash) and returns the post-state commitment.
    /// @dev Reverts on an invalid proof; a guest fault is a state, not a revert.
    function step(bytes calldata stateData, bytes calldata proof, bytes32 localContext)
        external
        returns (bytes32 postState);
}
