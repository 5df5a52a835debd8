// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {EvmLayout} from "../lib/EvmLayout.sol";
import {Mpt} from "../lib/Mpt.sol";
import {Trees} from "../lib/Trees.sol";
import {WitnessReader} from "../lib/WitnessReader.sol";
import {Cells, Step, StepLib} from "./Step.sol";

/// @title Memory
/// @notice Memory and copies: MLOAD, MSTORE, MSTORE8, MSIZE, MCOPY, and the copies into memory from
///         calldata, code, another account's code and return data (CALLDATACOPY, CODECOPY, EXTCODECOPY,
///         RETURNDATACOPY), each over COPY_CHUNK bytes a step (SPEC.md §6.1), their cells opened as
///         ranges of the frame's `T_24` memory tree. The checker's twin is src/check/opcode/memory.ts.
library Memory {
    /// @notice Whether `op` is of this class.
    function has(uint8 op) internal pure returns (bool) {
        return
            op == 0x37 || op == 0x39 || op == 0x3c || op == 0x3e || (op >= 0x51 && op <= 0x53) || op == 0x59
                || op == 0x5e;
    }

    function run(Step memory c, WitnessReader.Reader memory r) internal view {
        uint8 op = c.op;
        if (op == 0x59) return StepLib.push1(c, 32 * c.f.memoryWords);
        if (op == 0x5e) return _mcopy(c, r);
        if (op == 0x3c) return _extCodeCopy(c, r);
        if (op < 0x50) return _copy(c, r);
        uint256 at = c.args[0];
        uint256 len = op == 0x53 ? 1 : 32;
        if (!StepLib.expand(c, at, len)) return;
        Cells memory m = StepLib.openMemory(c, r, at, len);
        uint256 base = at - 32 * m.lo;
        bytes memory cells = m.bytes_;
        if (op == 0x51) {
            uint256 v;
            assembly ("memory-safe") {
                v := mload(add(add(cells, 32), base))
            }
            return StepLib.push1(c, v);
        }
        uint256 value = c.args[1];
        assembly ("memory-safe") {
            switch op
            case 0x52 { mstore(add(add(cells, 32), base), value) }
            default { mstore8(add(add(cells, 32), base), and(value, 0xff)) }
        }
        StepLib.commitMemory(c, m);
    }

    /// @dev CALLDATACOPY, CODECOPY, RETURNDATACOPY: this step's part of the source, into memory at dest.
    function _copy(Step memory c, WitnessReader.Reader memory r) private pure {
        (uint256 dest, uint256 offset, uint256 len) = (c.args[0], c.args[1], c.args[2]);
        if (!c.continuing) {
            if (c.op == 0x3e && (len > c.f.returnDataSize || offset > c.f.returnDataSize - len)) {
                c.failed = true;
                return;
            }
            if (!StepLib.copyGas(c, len) || !StepLib.expand(c, dest, len)) return;
        }
        (uint256 from, uint256 n) = StepLib.part(c, len, false);
        // Past the source's end (or past 2^256) every byte reads zero.
        uint256 at = offset > type(uint256).max - from ? type(uint256).max : offset + from;
        bytes memory data;
        if (c.op == 0x37) {
            data = Trees.readView(r, c.f.calldataRoot, c.f.calldataOffset, c.f.calldataSize, at, n, "calldata");
        } else if (c.op == 0x39) {
            data = Trees.codeBytes(r, c.f.codeRoot, c.f.codeSize, at, n);
        } else {
            data = Trees.readView(r, c.f.returnDataRoot, c.f.returnDataOffset, c.f.returnDataSize, at, n, "return data");
        }
        StepLib.writeMemory(c, r, dest + from, data);
    }

    /// @dev EXTCODECOPY: the account warmed (first step only), its code from the CodeOracle.
    function _extCodeCopy(Step memory c, WitnessReader.Reader memory r) private view {
        address target = address(uint160(c.args[0]));
        if (!c.continuing) {
            if (!StepLib.use(c, StepLib.warm(c, r, StepLib.addressKey(target)) ? 2600 : 100)) return;
            if (!StepLib.copyGas(c, c.args[3]) || !StepLib.expand(c, c.args[1], c.args[3])) return;
        }
        (, bool exists, Mpt.Account memory a) =
            StepLib.account(r, EvmLayout.get(c.s, EvmLayout.STATE_ROOT), target, "account proof");
        (bytes32 root, uint256 size) = StepLib.codeOf(c, exists, a);
        (uint256 from, uint256 n) = StepLib.part(c, c.args[3], false);
        uint256 offset = c.args[2];
        uint256 at = offset > type(uint256).max - from ? type(uint256).max : offset + from;
        StepLib.writeMemory(c, r, c.args[1] + from, Trees.codeBytes(r, root, size, at, n));
    }

    /// @dev MCOPY: the source and the destination are two ranges, each proven against the memory root
    ///      (one range over both would grow with their distance, not with the copy).
    function _mcopy(Step memory c, WitnessReader.Reader memory r) private pure {
        (uint256 dest, uint256 src, uint256 len) = (c.args[0], c.args[1], c.args[2]);
        if (!c.continuing) {
            if (!StepLib.copyGas(c, len) || !StepLib.expand(c, dest, len) || !StepLib.expand(c, src, len)) return;
        }
        (uint256 from, uint256 n) = StepLib.part(c, len, dest > src);
        StepLib.writeMemory(c, r, dest + from, StepLib.readMemory(c, r, src + from, n));
    }
}
