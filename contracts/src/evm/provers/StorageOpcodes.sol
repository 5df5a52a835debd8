// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {ICodeOracle} from "../ICodeOracle.sol";
import {WitnessReader} from "../lib/WitnessReader.sol";
import {Storage} from "../opcode/Storage.sol";
import {Step} from "../opcode/Step.sol";
import {OpcodeProver} from "./OpcodeProver.sol";

/// @title StorageOpcodes
/// @notice The storage class: SLOAD and SSTORE (through the MPT library), TLOAD and TSTORE (the
///         transient map).
contract StorageOpcodes is OpcodeProver {
    constructor(ICodeOracle oracle) OpcodeProver(oracle) {}

    /// @inheritdoc OpcodeProver
    function has(uint8 op) public pure override returns (bool) {
        return Storage.has(op);
    }

    function _rule(Step memory c, WitnessReader.Reader memory r) internal pure override returns (bool) {
        if (!Storage.has(c.op)) return false;
        Storage.run(c, r);
        return true;
    }
}
