// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {NotCommitted} from "../EvmErrors.sol";
import {EvmLayout} from "../lib/EvmLayout.sol";
import {Mpt} from "../lib/Mpt.sol";
import {Trees} from "../lib/Trees.sol";
import {WitnessReader} from "../lib/WitnessReader.sol";
import {Step, StepLib} from "./Step.sol";

/// @title Environment
/// @notice Environment and block opcodes: the frame's own fields (ADDRESS, CALLER, CALLVALUE,
///         CALLDATASIZE, CODESIZE, RETURNDATASIZE), calldata (CALLDATALOAD, from the calldata view),
///         accounts (BALANCE, EXTCODESIZE, EXTCODEHASH, SELFBALANCE: warmed, from the world state), the
///         transaction's and the block's environments (ORIGIN, GASPRICE, BLOBHASH; COINBASE …
///         BLOBBASEFEE) and BLOCKHASH (from the block-hashes tree). The checker's twin is
///         src/check/opcode/environment.ts.
library Environment {
    /// @notice Whether `op` is of this class.
    function has(uint8 op) internal pure returns (bool) {
        return (op >= 0x30 && op <= 0x36) || op == 0x38 || op == 0x3a || op == 0x3b || op == 0x3d || op == 0x3f
            || (op >= 0x40 && op <= 0x4a);
    }

    function run(Step memory c, WitnessReader.Reader memory r) internal view {
        uint8 op = c.op;
        if (op == 0x31 || op == 0x3b || op == 0x3f) return _ofAccount(c, r);
        if (op == 0x47) {
            (,, Mpt.Account memory self) =
                StepLib.account(r, EvmLayout.get(c.s, EvmLayout.STATE_ROOT), c.f.addr, "account proof");
            return StepLib.push1(c, self.balance);
        }
        if (op == 0x30) return StepLib.push1(c, uint160(c.f.addr));
        if (op == 0x33) return StepLib.push1(c, uint160(c.f.caller));
        if (op == 0x34) return StepLib.push1(c, c.f.value);
        if (op == 0x36) return StepLib.push1(c, c.f.calldataSize);
        if (op == 0x38) return StepLib.push1(c, c.f.codeSize);
        if (op == 0x3d) return StepLib.push1(c, c.f.returnDataSize);
        if (op == 0x35) {
            bytes memory w =
                Trees.readView(r, c.f.calldataRoot, c.f.calldataOffset, c.f.calldataSize, c.args[0], 32, "calldata");
            return StepLib.push1(c, uint256(bytes32(w)));
        }
        if (op == 0x32 || op == 0x3a || op == 0x49) return _ofTx(c, r);
        if (op == 0x40) return _blockHash(c, r);
        // COINBASE, TIMESTAMP, NUMBER, PREVRANDAO, GASLIMIT, CHAINID, BASEFEE, BLOBBASEFEE: words of the block environment.
        uint256 env = StepLib.blockEnv(c, r);
        uint256 field = op == 0x41
            ? 8
            : op == 0x42 ? 3 : op == 0x43 ? 2 : op == 0x44 ? 7 : op == 0x45 ? 4 : op == 0x46 ? 1 : op == 0x48 ? 5 : 6;
        StepLib.push1(c, uint256(WitnessReader.word(env + 32 * field)));
    }

    /// @dev BALANCE, EXTCODESIZE, EXTCODEHASH: the account warmed (EIP-2929), then read.
    function _ofAccount(Step memory c, WitnessReader.Reader memory r) private view {
        address target = address(uint160(c.args[0]));
        if (!StepLib.use(c, StepLib.warm(c, r, StepLib.addressKey(target)) ? 2600 : 100)) return;
        (, bool exists, Mpt.Account memory a) =
            StepLib.account(r, EvmLayout.get(c.s, EvmLayout.STATE_ROOT), target, "account proof");
        if (c.op == 0x31) return StepLib.push1(c, a.balance);
        if (c.op == 0x3b) {
            (, uint256 size) = StepLib.codeOf(c, exists, a);
            return StepLib.push1(c, size);
        }
        StepLib.push1(c, StepLib.isEmpty(exists, a) ? 0 : uint256(a.codeHash));
    }

    /// @dev ORIGIN, GASPRICE, BLOBHASH: from the transaction environment (words 0, 3 and 9–10).
    function _ofTx(Step memory c, WitnessReader.Reader memory r) private pure {
        uint256 env = StepLib.txEnv(c, r);
        if (c.op == 0x32) return StepLib.push1(c, uint256(WitnessReader.word(env)));
        if (c.op == 0x3a) return StepLib.push1(c, uint256(WitnessReader.word(env + 96)));
        uint256 count = uint256(WitnessReader.word(env + 320));
        uint256 i = c.args[0];
        if (i >= count) return StepLib.push1(c, 0);
        uint256 hashes = WitnessReader.next(r, 32 * count, "blob hashes");
        if (WitnessReader.hash(hashes, 32 * count) != WitnessReader.word(env + 288)) {
            revert NotCommitted("blob hashes");
        }
        StepLib.push1(c, uint256(WitnessReader.word(hashes + 32 * i)));
    }

    /// @dev BLOCKHASH: one of the 256 before the block, leaf n + 256 − number of the block-hashes tree (`T_8`, word 13).
    function _blockHash(Step memory c, WitnessReader.Reader memory r) private pure {
        uint256 env = StepLib.blockEnv(c, r);
        uint256 number = uint256(WitnessReader.word(env + 64));
        uint256 n = c.args[0];
        if (n >= number || n + 256 < number) return StepLib.push1(c, 0);
        uint256 i = n + 256 - number;
        (bytes memory leaf,) = Trees.openRange(r, WitnessReader.word(env + 32 * 13), i, i, 8, "block hash");
        StepLib.push1(c, uint256(bytes32(leaf)));
    }
}
