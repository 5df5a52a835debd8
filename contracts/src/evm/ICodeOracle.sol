// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title ICodeOracle
/// @notice SPEC.md §0, point 1: `codeHash → (codeRoot, codeSize)` for every code posted (and the
///         EIP-7702 delegate of a delegation designator), read by the steps that run or copy a code.
interface ICodeOracle {
    function code(bytes32 codeHash) external view returns (bool known, bytes32 root, uint256 size, address delegate);

    /// @notice `C(code)` of any code, as `post` computes it (a CREATE step's initcode, which has no code hash to post by).
    function rootOf(bytes calldata code) external pure returns (bytes32);
}
