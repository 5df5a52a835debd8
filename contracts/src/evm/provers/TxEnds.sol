// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {NotImplemented} from "../EvmErrors.sol";
import {TxEnd} from "../TxEnd.sol";
import {EvmLayout} from "../lib/EvmLayout.sol";
import {WitnessReader} from "../lib/WitnessReader.sol";

/// @title TxEnds
/// @notice The `tx-refund` and `tx-cleanup` steps (src/check/tx-end.ts's twin in ../TxEnd.sol). Unlike the
///         EvmProver parts it does not open a frame first: a clean-up's witness starts with the sub-state.
contract TxEnds {
    /// @notice The commitment after the TX_REFUND or TX_CLEANUP step from `stateData` with witness `proof`.
    function prove(bytes calldata stateData, bytes calldata proof) external pure returns (bytes32) {
        bytes memory s = EvmLayout.readState(stateData);
        WitnessReader.Reader memory r = WitnessReader.open(proof);
        uint8 phase = EvmLayout.phase(s);
        if (phase == EvmLayout.TX_REFUND) TxEnd.checkTxRefund(s, r);
        else if (phase == EvmLayout.TX_CLEANUP) TxEnd.checkTxCleanup(s, r);
        else revert NotImplemented(phase, 0);
        return keccak256(s);
    }
}
