// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title Store
/// @notice Storage-heavy work: set fresh slots, reset them, clear them (earning refunds).
contract Store {
    mapping(uint256 => uint256) public slots;

    /// @notice Writes `count` slots starting at `from` with values derived from `salt`.
    function fill(uint256 from, uint256 count, uint256 salt) external {
        for (uint256 i = from; i < from + count; ++i) {
            slots[i] = uint256(keccak256(abi.encode(i, salt))) | 1;
        }
    }

    /// @notice Clears `count` slots starting at `from`; clearing set slots earns a refund.
    function clear(uint256 from, uint256 count) external {
        for (uint256 i = from; i < from + count; ++i) {
            delete slots[i];
        }
    }

    /// @notice Sets a slot and restores it in the same call (EIP-2200 dirty-slot accounting).
    function setAndRestore(uint256 slot, uint256 temporary) external {
        uint256 before = slots[slot];
        slots[slot] = temporary;
        slots[slot] = before;
    }
}
