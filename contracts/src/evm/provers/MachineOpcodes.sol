// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {ICodeOracle} from "../ICodeOracle.sol";
import {WitnessReader} from "../lib/WitnessReader.sol";
import {Arithmetic} from "../opcode/Arithmetic.sol";
import {Comparison} from "../opcode/Comparison.sol";
import {Control} from "../opcode/Control.sol";
import {Keccak} from "../opcode/Keccak.sol";
import {Logs} from "../opcode/Logs.sol";
import {Stack} from "../opcode/Stack.sol";
import {Step} from "../opcode/Step.sol";
import {OpcodeProver} from "./OpcodeProver.sol";

/// @title MachineOpcodes
/// @notice The opcode steps that change only the frame (and the sub-state's logs): the arithmetic,
///         comparison, keccak, stack, control and log classes; and every opcode's undefined, stack and
///         static-gas failures, whatever its class.
contract MachineOpcodes is OpcodeProver {
    constructor(ICodeOracle oracle) OpcodeProver(oracle) {}

    /// @inheritdoc OpcodeProver
    function has(uint8 op) public pure override returns (bool) {
        return
            Arithmetic.has(op) || Comparison.has(op) || Keccak.has(op) || Stack.has(op) || Control.has(op)
                || Logs.has(op);
    }

    function _rule(Step memory c, WitnessReader.Reader memory r) internal pure override returns (bool) {
        uint8 op = c.op;
        if (Arithmetic.has(op)) Arithmetic.run(c);
        else if (Comparison.has(op)) Comparison.run(c);
        else if (Keccak.has(op)) Keccak.run(c, r);
        else if (Stack.has(op)) Stack.run(c, r);
        else if (Control.has(op)) Control.run(c, r);
        else if (Logs.has(op)) Logs.run(c, r);
        else return false;
        return true;
    }
}
