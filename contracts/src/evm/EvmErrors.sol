// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @notice The EVM-native verifier's errors: a bad witness reverts with one of these (SPEC.md §5);
///         an exceptional halt of the EVM is a state (a failed frame), never a revert.

/// @dev stateData is not SPEC.md §2's 352 bytes of version 10 with zero padding.
error BadStateData(string what);
/// @dev A witness item is missing, has the wrong length, or is left over.
error BadItem(string what);
/// @dev An item does not hash to what the state commits to.
error NotCommitted(string what);
/// @dev A step kind or opcode class this verifier does not prove yet (README's status table lists them).
error NotImplemented(uint8 phase, uint8 opcode);
/// @dev A value the checker writes in a fixed-width field does not fit it.
error FieldOverflow(string what);
