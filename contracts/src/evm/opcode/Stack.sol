// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Trees} from "../lib/Trees.sol";
import {WitnessReader} from "../lib/WitnessReader.sol";
import {Step, StepLib} from "./Step.sol";

/// @title Stack
/// @notice Stack opcodes: POP, PUSH0–PUSH32 (the pushed bytes from the code chunk at pc, and the next
///         chunk when they cross into it), DUP1–DUP16, SWAP1–SWAP16. The checker's twin is
///         src/check/opcode/stack.ts.
library Stack {
    /// @notice Whether `op` is of this class.
    function has(uint8 op) internal pure returns (bool) {
        return op == 0x50 || (op >= 0x5f && op <= 0x9f);
    }

    function run(Step memory c, WitnessReader.Reader memory r) internal pure {
        uint8 op = c.op;
        if (op == 0x50) return;
        if (op == 0x5f) return StepLib.push1(c, 0);
        if (op <= 0x7f) return _push(c, r, uint256(op) - 0x5f);
        uint256 n = c.args.length;
        c.out = new uint256[](op <= 0x8f ? n + 1 : n);
        // The items read, bottom first, pushed back: DUPn then pushes the n-th on top, SWAPn swaps
        // the top and the n+1-th.
        for (uint256 i = 0; i < n; i++) {
            c.out[i] = c.args[n - 1 - i];
        }
        if (op <= 0x8f) {
            c.out[n] = c.args[n - 1];
        } else {
            (c.out[0], c.out[n - 1]) = (c.args[0], c.args[n - 1]);
        }
    }

    /// @dev PUSHn: n bytes after pc, those past the code zero.
    function _push(Step memory c, WitnessReader.Reader memory r, uint256 n) private pure {
        uint256 pc = c.f.pc;
        uint256 first = pc + 1;
        uint256 nextChunk = (pc >> 5) + 1;
        bytes32 next;
        if ((first + n - 1) >> 5 == nextChunk && nextChunk * 32 < c.f.codeSize) {
            (next,) = Trees.codeLeaf(r, c.f.codeRoot, nextChunk);
        }
        // The 64 code bytes from the chunk at pc, the n bytes after pc taken from them.
        uint256 at = (pc & 31) + 1;
        uint256 v = at == 32 ? uint256(next) : (uint256(c.chunk) << (8 * at)) | (uint256(next) >> (8 * (32 - at)));
        v >>= 8 * (32 - n);
        uint256 end = first + n;
        if (end > c.f.codeSize) {
            // Bytes at or past codeSize read zero: keep the first codeSize − first.
            uint256 kept = first >= c.f.codeSize ? 0 : c.f.codeSize - first;
            v = kept == 0 ? 0 : (v >> (8 * (n - kept))) << (8 * (n - kept));
        }
        StepLib.push1(c, v);
        c.pc = end;
    }
}
