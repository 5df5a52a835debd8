// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {ICodeOracle} from "../ICodeOracle.sol";
import {EvmLayout} from "../lib/EvmLayout.sol";
import {WitnessReader} from "../lib/WitnessReader.sol";
import {Opcode} from "../Opcode.sol";
import {Step} from "../opcode/Step.sol";
import {EvmProver} from "./EvmProver.sol";

/// @title OpcodeProver
/// @notice A part that proves the opcode steps of some classes: ../Opcode.sol decodes the step and
///         makes the frame after it, `_rule` runs the class's rule (false for an opcode of none of them).
abstract contract OpcodeProver is EvmProver {
    /// @notice Where the codes a step reads are registered (SPEC.md §0).
    ICodeOracle public immutable codeOracle;

    constructor(ICodeOracle oracle) {
        codeOracle = oracle;
    }

    /// @notice Whether `op`'s class is proven here (EvmStepVerifier routes by it).
    function has(uint8 op) public pure virtual returns (bool);

    function _rule(Step memory c, WitnessReader.Reader memory r) internal view virtual returns (bool);

    function _run(bytes memory s, EvmLayout.Frame memory f, WitnessReader.Reader memory r) internal view override {
        EvmLayout.set(s, EvmLayout.FRAME_HASH, Opcode.run(s, f, r, codeOracle, _rule));
    }
}
