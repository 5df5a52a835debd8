// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IStepVerifier} from "../dispute/IStepVerifier.sol";
import {NotImplemented} from "./EvmErrors.sol";
import {EvmLayout} from "./lib/EvmLayout.sol";
import {WitnessReader} from "./lib/WitnessReader.sol";
import {Opcode} from "./Opcode.sol";
import {FrameExits} from "./provers/FrameExits.sol";
import {CallOpcodes} from "./provers/CallOpcodes.sol";
import {CreateOpcodes} from "./provers/CreateOpcodes.sol";
import {EnvironmentOpcodes} from "./provers/EnvironmentOpcodes.sol";
import {MachineOpcodes} from "./provers/MachineOpcodes.sol";
import {MemoryOpcodes} from "./provers/MemoryOpcodes.sol";
import {SelfdestructOpcodes} from "./provers/SelfdestructOpcodes.sol";
import {StorageOpcodes} from "./provers/StorageOpcodes.sol";
import {TxEnds} from "./provers/TxEnds.sol";

/// @title EvmStepVerifier
/// @notice The EVM-native one-step verifier (SPEC.md version 10), held to the TypeScript reference
///         checker (packages/evm-native-proof/src/check) step for step. It routes a step by its phase,
///         its frame's status and its opcode to the part that proves it, each deployed on its own under
///         EIP-170's limit (src/evm/provers/). Proven so far: every opcode step (but the deposit
///         contract's logs from Prague on), the exits of every frame but a system call's, and the
///         transaction's refund and clean-up; the precompiles and every other step kind revert with
///         NotImplemented (README's status table lists them).
contract EvmStepVerifier is IStepVerifier {
    /// @notice The parts (each a contract of its own, src/evm/provers/).
    struct Parts {
        MachineOpcodes machine;
        EnvironmentOpcodes environment;
        MemoryOpcodes memory_;
        StorageOpcodes storage_;
        CallOpcodes calls;
        CreateOpcodes creates;
        SelfdestructOpcodes selfdestructs;
        FrameExits exits;
        TxEnds txEnds;
    }

    MachineOpcodes public immutable machine;
    EnvironmentOpcodes public immutable environment;
    MemoryOpcodes public immutable memory_;
    StorageOpcodes public immutable storage_;
    CallOpcodes public immutable calls;
    CreateOpcodes public immutable creates;
    SelfdestructOpcodes public immutable selfdestructs;
    FrameExits public immutable exits;
    TxEnds public immutable txEnds;

    constructor(Parts memory p) {
        (machine, environment, memory_, storage_) = (p.machine, p.environment, p.memory_, p.storage_);
        (calls, creates, selfdestructs, exits, txEnds) = (p.calls, p.creates, p.selfdestructs, p.exits, p.txEnds);
    }

    /// @inheritdoc IStepVerifier
    function step(bytes calldata stateData, bytes calldata proof, bytes32) external view returns (bytes32) {
        bytes memory s = EvmLayout.readState(stateData);
        WitnessReader.Reader memory r = WitnessReader.open(proof);
        uint8 phase = EvmLayout.phase(s);
        if (phase == EvmLayout.TX_REFUND || phase == EvmLayout.TX_CLEANUP) return txEnds.prove(stateData, proof);
        if (phase != Opcode.EXECUTION) revert NotImplemented(phase, 0);
        EvmLayout.Frame memory f = EvmLayout.openFrame(r, s);
        // A halted frame's exit and a precompile's run are step kinds of their own (SPEC.md §5.2, §5.3).
        if (f.status != 0) return exits.prove(stateData, proof);
        if (_isPrecompile(f.codeAddress, EvmLayout.forkId(s))) revert NotImplemented(phase, 0);
        uint8 op = Opcode.opcodeAt(f, r);
        if (environment.has(op)) return environment.prove(stateData, proof);
        if (memory_.has(op)) return memory_.prove(stateData, proof);
        if (storage_.has(op)) return storage_.prove(stateData, proof);
        if (calls.has(op)) return calls.prove(stateData, proof);
        if (creates.has(op)) return creates.prove(stateData, proof);
        if (selfdestructs.has(op)) return selfdestructs.prove(stateData, proof);
        // An opcode of no class proven elsewhere goes to the machine part, which proves every opcode's undefined, stack and gas failures.
        return machine.prove(stateData, proof);
    }

    /// @notice Whether the verifier proves `op`'s class (the test holds this to the vectors' list).
    function proven(uint8 op) external view returns (bool) {
        return machine.has(op) || environment.has(op) || memory_.has(op) || storage_.has(op) || calls.has(op)
            || creates.has(op) || selfdestructs.has(op);
    }

    /// @dev The precompile addresses of a fork: 0x01–0x09, 0x0a from Cancun, 0x0b–0x11 from Prague, 0x100 from Osaka.
    function _isPrecompile(address a, uint8 forkId) private pure returns (bool) {
        uint256 v = uint160(a);
        uint256 last = forkId == 0 ? 0x09 : forkId == 1 ? 0x0a : 0x11;
        return (v >= 1 && v <= last) || (forkId >= 3 && v == 0x100);
    }
}
