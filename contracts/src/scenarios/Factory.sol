// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title Child
/// @notice What Factory deploys: a contract with state set by its constructor.
contract Child {
    uint256 public immutable seed;
    uint256 public value;

    /// @notice Records `seed_` and a derived value in storage.
    constructor(uint256 seed_) payable {
        seed = seed_;
        value = uint256(keccak256(abi.encode(seed_)));
    }
}

/// @title Factory
/// @notice Deploys Child contracts by CREATE and by CREATE2.
contract Factory {
    event Deployed(address child, bool viaCreate2);

    /// @notice Deploys a Child with CREATE.
    function create(uint256 seed) external returns (address child) {
        child = address(new Child(seed));
        emit Deployed(child, false);
    }

    /// @notice Deploys a Child with CREATE2 under `salt`.
    function create2(uint256 seed, bytes32 salt) external returns (address child) {
        child = address(new Child{salt: salt}(seed));
        emit Deployed(child, true);
    }
}
