// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title Transient
/// @notice EIP-1153 transient storage: a reentrancy lock and a value passed between frames of one tx.
contract Transient {
    uint256 public observed;

    error Locked();

    /// @notice Holds a transient lock, stores `v` transiently, and reads it back in a nested call.
    function run(uint256 v) external {
        assembly {
            if tload(0) {
                mstore(0, 0x0f2e5b6c00000000000000000000000000000000000000000000000000000000)
                revert(0, 4)
            }
            tstore(0, 1)
            tstore(1, v)
        }
        observed = this.readBack();
        // A reentrant run must hit the lock.
        try this.run(v + 1) {} catch {}
        assembly {
            tstore(0, 0)
        }
    }

    /// @notice Returns transient slot 1 as set by the enclosing `run` of the same tx.
    function readBack() external view returns (uint256 v) {
        assembly {
            v := tload(1)
        }
    }
}
