// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {ICodeOracle} from "../ICodeOracle.sol";
import {WitnessReader} from "../lib/WitnessReader.sol";
import {Calls} from "../opcode/Calls.sol";
import {Step} from "../opcode/Step.sol";
import {OpcodeProver} from "./OpcodeProver.sol";

/// @title CreateOpcodes
/// @notice The creates of the calls-and-creates class (CREATE, CREATE2): the steps that make an
///         account and enter its initcode (its code tree computed from memory by the CodeOracle's `rootOf`).
contract CreateOpcodes is OpcodeProver {
    constructor(ICodeOracle oracle) OpcodeProver(oracle) {}

    /// @inheritdoc OpcodeProver
    function has(uint8 op) public pure override returns (bool) {
        return Calls.isCreate(op);
    }

    function _rule(Step memory c, WitnessReader.Reader memory r) internal view override returns (bool) {
        if (!Calls.isCreate(c.op)) return false;
        Calls.create(c, r);
        return true;
    }
}
