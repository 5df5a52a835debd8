// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title Probe
/// @notice Calls any address (precompiles above all) with given input and records the outcome,
///         so the result of the call lands in state and a wrong precompile changes the root.
contract Probe {
    mapping(address => bytes32) public outcome;

    error CallFailed(address target, bool ok, uint256 outLength);

    event Called(address indexed target, bool ok, uint256 outLength, bytes32 outHash);

    /// @notice Calls `target` with `input` and stores keccak256(ok, output) under `target`.
    function probe(address target, bytes calldata input) external returns (bool ok, bytes memory out) {
        (ok, out) = target.call(input);
        bytes32 h = keccak256(abi.encodePacked(ok, out));
        outcome[target] = h;
        emit Called(target, ok, out.length, h);
    }

    /// @notice Like `probe`, but reverts unless the call succeeds with a non-empty output, so a
    ///         scenario that means to exercise a precompile cannot pass on a rejected input.
    function probeOk(address target, bytes calldata input) external returns (bytes memory out) {
        bool ok;
        (ok, out) = this.probe(target, input);
        if (!ok || out.length == 0) revert CallFailed(target, ok, out.length);
    }

    /// @notice Runs into an invalid opcode (consumes all gas of the call).
    function invalid() external pure {
        assembly {
            invalid()
        }
    }

    /// @notice Loops until out of gas.
    function burn() external {
        uint256 i;
        while (true) {
            outcome[address(uint160(i++))] = bytes32(i);
        }
    }
}
