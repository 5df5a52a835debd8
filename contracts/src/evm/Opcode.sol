// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {BadItem, NotCommitted, NotImplemented} from "./EvmErrors.sol";
import {ICodeOracle} from "./ICodeOracle.sol";
import {EvmLayout} from "./lib/EvmLayout.sol";
import {Trees} from "./lib/Trees.sol";
import {WitnessReader} from "./lib/WitnessReader.sol";
import {Opcodes} from "./opcode/Opcodes.sol";
import {Step, StepLib} from "./opcode/Step.sol";

/// @title Opcode
/// @notice One opcode of an executing frame (SPEC.md §4 `opcode`, §5.1): decodes the step (the opcode
///         at pc, its stack items, its static gas), hands it to its class's rule and makes the frame
///         after it. The checker's twin is src/check/opcode.ts.
library Opcode {
    uint8 internal constant EXECUTION = 5;

    /// @notice The frame's hash after the opcode at its pc, its class's rule run by `rule` (a prover's
    ///         dispatch over the classes it holds; false for an opcode of none of them).
    function run(
        bytes memory s,
        EvmLayout.Frame memory f,
        WitnessReader.Reader memory r,
        ICodeOracle oracle,
        function(Step memory, WitnessReader.Reader memory) internal view returns (bool) rule
    ) internal view returns (bytes32) {
        Step memory c = _start(s, f, r);
        c.oracle = oracle;
        bytes memory s0 = bytes.concat(s);
        if (!_decode(c, r)) return _failed(f);
        if (!rule(c, r)) revert NotImplemented(EXECUTION, c.op);

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

    /// @dev The step at the frame's pc: its opcode (from the code leaf), and whether a copy or hash goes on there.
    function _start(bytes memory s, EvmLayout.Frame memory f, WitnessReader.Reader memory r)
        private
        pure
        returns (Step memory c)
    {
        c.s = s;
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
    }

    /// @dev The opcode's shape, its stack items and its static gas (none for a copy or hash going on);
    ///      false for an exceptional halt (an undefined opcode, a stack out of bounds, too little gas).
    function _decode(Step memory c, WitnessReader.Reader memory r) private pure returns (bool) {
        EvmLayout.Frame memory f = c.f;
        (bool defined, uint256 reads, uint256 gas) = Opcodes.shape(c.op, EvmLayout.forkId(c.s));
        if (!defined) return false;
        if (f.stackSize < reads || f.stackSize - reads + _pushes(c.op, reads) > 1024) return false;
        _openStack(c, r, reads);
        c.gas = f.gas;
        c.pc = f.pc + 1;
        c.memoryWords = f.memoryWords;
        c.memoryRoot = f.memoryRoot;
        return c.continuing || StepLib.use(c, gas);
    }

    /// @notice The opcode at the frame's pc (STOP past the code), from the code leaf the witness opens first.
    function opcodeAt(EvmLayout.Frame memory f, WitnessReader.Reader memory r) internal pure returns (uint8) {
        if (f.pc >= f.codeSize) return 0x00;
        (bytes32 chunk,) = Trees.codeLeaf(r, f.codeRoot, f.pc >> 5);
        return uint8(chunk[f.pc & 31]);
    }

    /// @dev The frame a step leaves: the child a call entered, halted with its output, a copy or hash going on, or at its next opcode.
    function _after(Step memory c) private pure returns (bytes32) {
        if (c.entered) {
            EvmLayout.set(c.s, EvmLayout.FRAME_STACK_HASH, c.frameStackHash);
            return c.childHash;
        }
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
        if (c.clearsReturnData) {
            (f.returnDataRoot, f.returnDataOffset, f.returnDataSize) = (Trees.EMPTY_BYTES_ROOT, 0, 0);
        }
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
