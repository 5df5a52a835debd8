// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {ICodeOracle} from "../ICodeOracle.sol";
import {WitnessReader} from "../lib/WitnessReader.sol";
import {Memory} from "../opcode/Memory.sol";
import {Step} from "../opcode/Step.sol";
import {OpcodeProver} from "./OpcodeProver.sol";

/// @title MemoryOpcodes
/// @notice The memory-and-copies class: MLOAD, MSTORE, MSTORE8, MSIZE, MCOPY and the copies from
///         calldata, code, another account's code (through the MPT library and the CodeOracle) and
///         return data.
contract MemoryOpcodes is OpcodeProver {
    constructor(ICodeOracle oracle) OpcodeProver(oracle) {}

    /// @inheritdoc OpcodeProver
    function has(uint8 op) public pure override returns (bool) {
        return Memory.has(op);
    }

    function _rule(Step memory c, WitnessReader.Reader memory r) internal view override returns (bool) {
        if (!Memory.has(c.op)) return false;
        Memory.run(c, r);
        return true;
    }
}
