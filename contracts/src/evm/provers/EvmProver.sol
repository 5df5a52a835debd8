// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {EvmLayout} from "../lib/EvmLayout.sol";
import {WitnessReader} from "../lib/WitnessReader.sol";

/// @title EvmProver
/// @notice One part of the EVM-native verifier (SPEC.md version 10), deployed on its own so that each
///         part stays under EIP-170's 24,576 bytes: EvmStepVerifier routes a step to the part that
///         proves it, which re-reads the step from its start (the state, the frame) and returns the
///         post-state commitment. Each part's `_run` writes the post-state into `s`.
abstract contract EvmProver {
    /// @notice The commitment after the step from `stateData` with witness `proof`.
    function prove(bytes calldata stateData, bytes calldata proof) external view returns (bytes32) {
        bytes memory s = EvmLayout.readState(stateData);
        WitnessReader.Reader memory r = WitnessReader.open(proof);
        _run(s, EvmLayout.openFrame(r, s), r);
        return keccak256(s);
    }

    function _run(bytes memory s, EvmLayout.Frame memory f, WitnessReader.Reader memory r) internal view virtual;
}
