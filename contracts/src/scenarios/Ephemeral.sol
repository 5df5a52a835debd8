// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title Doomed
/// @notice Self-destructs on request, sending its balance to `heir`.
contract Doomed {
    /// @notice Accepts value at creation.
    constructor() payable {}

    /// @notice SELFDESTRUCT: under EIP-6780 only a contract created in the same tx is deleted.
    function destroy(address payable heir) external {
        selfdestruct(heir);
    }
}

/// @title Ephemeral
/// @notice Exercises both EIP-6780 cases: create-and-destroy in one tx (account deleted) and
///         destroying a contract created earlier (only the balance moves).
contract Ephemeral {
    Doomed public survivor;

    event Created(address doomed);

    /// @notice Creates a Doomed that lives on, for `destroyOld` in a later tx.
    function plant() external payable {
        survivor = new Doomed{value: msg.value}();
        emit Created(address(survivor));
    }

    /// @notice Creates a Doomed and destroys it in the same transaction.
    function createAndDestroy(address payable heir) external payable {
        Doomed d = new Doomed{value: msg.value}();
        d.destroy(heir);
        emit Created(address(d));
    }

    /// @notice Destroys the Doomed created by an earlier `plant`.
    function destroyOld(address payable heir) external {
        survivor.destroy(heir);
    }
}
