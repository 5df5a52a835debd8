// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IStepVerifier} from "../dispute/IStepVerifier.sol";
import {PreimageOracle} from "../mips/PreimageOracle.sol";

/// @title StepGasMeter
/// @notice Measures the execution gas of one `step` call, apart from the transaction's base cost
///         and calldata, the way a forge test would measure it around the call.
contract StepGasMeter {
    /// @notice Calls `verifier.step` and returns its post-state and the gas the call itself used.
    function measure(IStepVerifier verifier, bytes calldata stateData, bytes calldata proof, bytes32 localContext)
        external
        returns (bytes32 postState, uint256 gasUsed)
    {
        uint256 before = gasleft();
        postState = verifier.step(stateData, proof, localContext);
        gasUsed = before - gasleft();
    }

    /// @notice Loads local data as this contract, which is the caller MIPS.sol localizes keys for
    ///         when `measure` calls it (local keys are bound to the contract that calls `step`).
    function loadLocalData(
        PreimageOracle oracle,
        uint256 ident,
        bytes32 localContext,
        bytes32 word,
        uint256 size,
        uint256 partOffset
    ) external returns (bytes32) {
        return oracle.loadLocalData(ident, localContext, word, size, partOffset);
    }
}
