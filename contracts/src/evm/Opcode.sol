// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {BadItem, NotCommitted, NotImplemented} from "./EvmErrors.sol";
import {EvmLayout} from "./lib/EvmLayout.sol";
import {Trees} from "./lib/Trees.sol";
import {WitnessReader} from "./lib/WitnessReader.sol";
import {Arithmetic} from "./opcode/Arithmetic.sol";
import {Comparison} from "./opcode/Comparison.sol";
import {Control} from "./opcode/Control.sol";
import {Environment} from "./opcode/Environment.sol";
import {Keccak} from "./opcode/Keccak.sol";
import {Logs} from "./opcode/Logs.sol";
import {Memory} from "./opcode/Memory.sol";
import {Opcodes} from "./opcode/Opcodes.sol";
import {Stack} from "./opcode/Stack.sol";
import {Step, StepLib} from "./opcode/Step.sol";
import {Storage} from "./opcode/Storage.sol";

/// @title Opcode
/// @notice One opcode of an executing frame (SPEC.md §4 `opcode`, §5.1): decodes the step (the opcode
///         at pc, its stack items, its static gas), hands it to its class's rule and makes the frame
///         after it. The checker's twin is src/check/opcode.ts.
library Opcode {
    uint8 internal constant EXECUTION = 5;

    /// @notice The frame's hash after the opcode at its pc.
    function run(bytes memory s, EvmLayout.Frame memory f, WitnessReader.Reader memory r)
        internal
        pure
        returns (bytes32)
    {
        Step memory c;
        c.s = s;
        bytes memory s0 = bytes.concat(s);
        c.f = f;
        if (f.pc < f.codeSize) {
            (c.chunk,) = Trees.codeLeaf(r, f.codeRoot, f.pc >> 5);
            c.op = uint8(c.chunk[f.pc & 31]);
        }
        uint8 op = c.op;
        bool continuing = f.progress > 0;
        bool hashes = op == 0x20 || (op >= 0xa0 && op <= 0xa4);
        if (continuing && !(hashes || op == 0x37 || op == 0x39 || op == 0x3c || op == 0x3e || op == 0x5e)) {
            revert BadItem("the frame is in the middle of a copy or a hash, but the opcode at pc is another");
        }
        if ((f.sponge != bytes32(0)) != (continuing && hashes)) {
            revert BadItem("the frame's sponge is not that of a hash under way at pc");
        }
        c.continuing = continuing;

        (bool defined, uint256 reads, uint256 gas) = Opcodes.shape(op, EvmLayout.forkId(s));
        if (!defined) return _failed(f);
        if (f.stackSize < reads || f.stackSize - reads + _pushes(op, reads) > 1024) return _failed(f);
        _openStack(c, r, reads);
        c.gas = f.gas;
        c.pc = f.pc + 1;
        c.memoryWords = f.memoryWords;
        c.memoryRoot = f.memoryRoot;
        if (!continuing && !StepLib.use(c, gas)) return _failed(f);

        if (Arithmetic.has(op)) Arithmetic.run(c);
        else if (Comparison.has(op)) Comparison.run(c);
        else if (Keccak.has(op)) Keccak.run(c, r);
        else if (Environment.has(op)) Environment.run(c, r);
        else if (Stack.has(op)) Stack.run(c, r);
        else if (Control.has(op)) Control.run(c, r);
        else if (Memory.has(op)) Memory.run(c, r);
        else if (Storage.has(op)) Storage.run(c, r);
        else if (Logs.has(op)) Logs.run(c, r);
        else revert NotImplemented(EXECUTION, op);

        if (c.failed) {
            // A failed frame leaves the rest of the state as it was.
            _restore(s, s0);
            return _failed(f);
        }
        WitnessReader.done(r);
        return _after(c);
    }

    /// @dev The stack item: the `reads` words, top first, and the hash below them, which must rebuild the frame's stackHash.
    function _openStack(Step memory c, WitnessReader.Reader memory r, uint256 reads) private pure {
        uint256 at = WitnessReader.next(r, 32 * (reads + 1), "stack");
        c.args = new uint256[](reads);
        bytes32 h = WitnessReader.word(at + 32 * reads);
        c.below = h;
        for (uint256 i = reads; i > 0; i--) {
            uint256 v = uint256(WitnessReader.word(at + 32 * (i - 1)));
            c.args[i - 1] = v;
            h = Trees.hashPair(h, bytes32(v));
        }
        if (h != c.f.stackHash) revert NotCommitted("stack");
    }

    /// @notice Whether the verifier proves `op`'s class (the test holds this to the vectors' list).
    function proven(uint8 op) internal pure returns (bool) {
        return Arithmetic.has(op) || Comparison.has(op) || Keccak.has(op) || Environment.has(op) || Stack.has(op)
            || Control.has(op) || Memory.has(op) || Storage.has(op) || Logs.has(op);
    }

    /// @dev The frame a step leaves: halted with its output, a copy or hash going on, or at its next opcode.
    function _after(Step memory c) private pure returns (bytes32) {
        EvmLayout.Frame memory f = c.f;
        if (c.progress != 0) {
            // The copy or hash goes on at the same pc with its operands on the stack (SPEC.md §6.1).
            (f.gas, f.memoryWords, f.memoryRoot) = (c.gas, c.memoryWords, c.memoryRoot);
            (f.progress, f.sponge) = (c.progress, c.sponge);
            return EvmLayout.hashFrame(f);
        }
        if (c.halted) {
            // A halting opcode leaves pc, stack and memory as they were; the frame now holds its output.
            f.status = c.haltStatus;
            f.gas = c.gas;
            (f.outputRoot, f.outputOffset, f.outputSize) = (c.outputRoot, c.outputOffset, c.outputSize);
            return EvmLayout.hashFrame(f);
        }
        bytes32 h = c.below;
        for (uint256 i = 0; i < c.out.length; i++) {
            h = Trees.hashPair(h, bytes32(c.out[i]));
        }
        f.stackSize = f.stackSize - c.args.length + c.out.length;
        f.stackHash = h;
        f.pc = c.pc;
        f.gas = c.gas;
        f.memoryWords = c.memoryWords;
        f.memoryRoot = c.memoryRoot;
        f.progress = 0;
        f.sponge = bytes32(0);
        return EvmLayout.hashFrame(f);
    }

    function _restore(bytes memory s, bytes memory s0) private pure {
        assembly ("memory-safe") {
            mcopy(add(s, 32), add(s0, 32), mload(s0))
        }
    }

    /// @dev An exceptional halt: status 3, no gas, nothing else changed (SPEC.md §4).
    function _failed(EvmLayout.Frame memory f) private pure returns (bytes32) {
        f.status = 3;
        f.gas = 0;
        return EvmLayout.hashFrame(f);
    }

    /// @dev The words an opcode pushes (SPEC.md §5.1's stack bound): DUPn n + 1, SWAPn n + 1, PUSHn one.
    function _pushes(uint8 op, uint256 reads) private pure returns (uint256) {
        if (op >= 0x80 && op <= 0x9f) return op <= 0x8f ? reads + 1 : reads;
        if (op >= 0x60 && op <= 0x7f) return 1;
        return (_PUSHES_ONE >> op) & 1;
    }

    /// @dev Bit `op` set for the opcodes besides PUSH, DUP and SWAP that push one word (the checker's PUSHES_ONE).
    uint256 private constant _PUSHES_ONE = 0x437000000000000000000000000000000000000971207ffad7f00017fff0ffe;
}
