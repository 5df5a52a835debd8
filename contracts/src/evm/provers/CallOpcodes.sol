// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {ICodeOracle} from "../ICodeOracle.sol";
import {WitnessReader} from "../lib/WitnessReader.sol";
import {Calls} from "../opcode/Calls.sol";
import {Step} from "../opcode/Step.sol";
import {OpcodeProver} from "./OpcodeProver.sol";

/// @title CallOpcodes
/// @notice The calls of the calls-and-creates class (CALL, CALLCODE, DELEGATECALL, STATICCALL): the
///         steps that enter a child frame running an account's code (accounts through the MPT library,
///         codes through the CodeOracle).
contract CallOpcodes is OpcodeProver {
    constructor(ICodeOracle oracle) OpcodeProver(oracle) {}

    /// @inheritdoc OpcodeProver
    function has(uint8 op) public pure override returns (bool) {
        return Calls.isCall(op);
    }

    function _rule(Step memory c, WitnessReader.Reader memory r) internal view override returns (bool) {
        if (!Calls.isCall(c.op)) return false;
        Calls.call(c, r);
        return true;
    }
}
