// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IStepVerifier} from "../dispute/IStepVerifier.sol";
import {NotImplemented} from "./EvmErrors.sol";
import {EvmLayout} from "./lib/EvmLayout.sol";
import {WitnessReader} from "./lib/WitnessReader.sol";
import {Opcode} from "./Opcode.sol";

/// @title EvmStepVerifier
/// @notice The EVM-native one-step verifier (SPEC.md version 10), held to the TypeScript reference
///         checker (packages/evm-native-proof/src/check) step for step. Dispatches by phase and, for
///         an executing frame, by opcode class. Proven so far: the opcode steps of the arithmetic,
///         comparison, stack, control and log classes, KECCAK256 within a step, the environment and
///         block opcodes but those that read an account, memory and the copies but EXTCODECOPY, and
///         transient storage (and every opcode's undefined, stack and static-gas failures); every
///         other step kind and opcode reverts with NotImplemented (README's status table lists them).
contract EvmStepVerifier is IStepVerifier {
    /// @inheritdoc IStepVerifier
    function step(bytes calldata stateData, bytes calldata proof, bytes32) external pure returns (bytes32) {
        bytes memory s = EvmLayout.readState(stateData);
        WitnessReader.Reader memory r = WitnessReader.open(proof);
        uint8 phase = EvmLayout.phase(s);
        if (phase != Opcode.EXECUTION) revert NotImplemented(phase, 0);
        EvmLayout.Frame memory f = EvmLayout.openFrame(r, s);
        // A halted frame's exit and a precompile's run are step kinds of their own (SPEC.md §5.2, §5.3).
        if (f.status != 0 || _isPrecompile(f.codeAddress, EvmLayout.forkId(s))) revert NotImplemented(phase, 0);
        EvmLayout.set(s, EvmLayout.FRAME_HASH, Opcode.run(s, f, r));
        return keccak256(s);
    }

    /// @dev The precompile addresses of a fork: 0x01–0x09, 0x0a from Cancun, 0x0b–0x11 from Prague, 0x100 from Osaka.
    function _isPrecompile(address a, uint8 forkId) private pure returns (bool) {
        uint256 v = uint160(a);
        uint256 last = forkId == 0 ? 0x09 : forkId == 1 ? 0x0a : 0x11;
        return (v >= 1 && v <= last) || (forkId >= 3 && v == 0x100);
    }
}
