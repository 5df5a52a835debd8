// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title Nest
/// @notice Nested CALL, DELEGATECALL and STATICCALL, with a revert in the middle that must undo
///         the inner frame's storage writes and logs while the outer frames' survive.
contract Nest {
    uint256 public depthReached;
    mapping(uint256 => uint256) public marks;

    event Entered(uint256 depth, address self, address sender);

    error Boom(uint256 depth);

    /// @notice Recurses to `depth` by CALL, reverting at `revertAt` (caught by the caller).
    function dive(uint256 depth, uint256 revertAt) external returns (uint256 reached) {
        marks[depth] = depth + 1;
        emit Entered(depth, address(this), msg.sender);
        if (depth == revertAt) revert Boom(depth);
        if (depth == 0) return 0;
        try this.dive(depth - 1, revertAt) returns (uint256 r) {
            reached = r;
        } catch {
            reached = depth;
        }
        depthReached = reached;
    }

    /// @notice Runs `dive` in this contract's storage via DELEGATECALL to `impl`.
    function delegate(address impl, uint256 depth, uint256 revertAt) external returns (bool ok) {
        (ok,) = impl.delegatecall(abi.encodeCall(Nest.dive, (depth, revertAt)));
    }

    /// @notice Reads `depthReached` of `other` through STATICCALL, and tries a write that must fail.
    function peek(address other) external returns (uint256 value, bool writeFailed) {
        (bool ok, bytes memory out) = other.staticcall(abi.encodeWithSelector(this.depthReached.selector));
        if (ok) value = abi.decode(out, (uint256));
        // Bounded gas: a write under STATICCALL consumes all the gas it is given.
        (bool wrote,) = other.staticcall{gas: 100_000}(abi.encodeCall(Nest.dive, (0, 1)));
        writeFailed = !wrote;
        marks[1000] = value;
    }
}
