// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {ICodeOracle} from "../ICodeOracle.sol";
import {WitnessReader} from "../lib/WitnessReader.sol";
import {Selfdestruct} from "../opcode/Selfdestruct.sol";
import {Step} from "../opcode/Step.sol";
import {OpcodeProver} from "./OpcodeProver.sol";

/// @title SelfdestructOpcodes
/// @notice The self-destruct class: SELFDESTRUCT's balance move and marks.
contract SelfdestructOpcodes is OpcodeProver {
    constructor(ICodeOracle oracle) OpcodeProver(oracle) {}

    /// @inheritdoc OpcodeProver
    function has(uint8 op) public pure override returns (bool) {
        return Selfdestruct.has(op);
    }

    function _rule(Step memory c, WitnessReader.Reader memory r) internal pure override returns (bool) {
        if (!Selfdestruct.has(c.op)) return false;
        Selfdestruct.run(c, r);
        return true;
    }
}
