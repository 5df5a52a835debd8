// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {ICodeOracle} from "../ICodeOracle.sol";
import {WitnessReader} from "../lib/WitnessReader.sol";
import {Environment} from "../opcode/Environment.sol";
import {Step} from "../opcode/Step.sol";
import {OpcodeProver} from "./OpcodeProver.sol";

/// @title EnvironmentOpcodes
/// @notice The environment and block class: the frame's fields, calldata, the transaction's and the
///         block's environments, BLOCKHASH, and the accounts (through the MPT library; code sizes through
///         the CodeOracle).
contract EnvironmentOpcodes is OpcodeProver {
    constructor(ICodeOracle oracle) OpcodeProver(oracle) {}

    /// @inheritdoc OpcodeProver
    function has(uint8 op) public pure override returns (bool) {
        return Environment.has(op);
    }

    function _rule(Step memory c, WitnessReader.Reader memory r) internal view override returns (bool) {
        if (!Environment.has(c.op)) return false;
        Environment.run(c, r);
        return true;
    }
}
