// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {BadItem, NotCommitted, NotImplemented} from "./EvmErrors.sol";
import {EvmLayout} from "./lib/EvmLayout.sol";
import {Mpt} from "./lib/Mpt.sol";
import {Trees} from "./lib/Trees.sol";
import {WitnessReader} from "./lib/WitnessReader.sol";
import {StepLib} from "./opcode/Step.sol";

/// @title FrameExit
/// @notice The `frame-exit` step (SPEC.md §4): the caller resumes with 1 or 0 (or the new address)
///         pushed, the child's unused gas back (none after a failure), the child's output as its return
///         data and copied to where it asked, COPY_CHUNK bytes a step; a revert or failure restores the
///         revert point. A transaction's frame (depth 0) has no caller: it stays in the state with its
///         final status and gas, and the block moves to TX_REFUND. A system call's exit is not proven
///         yet. The checker's twin is src/check/frame-exit.ts.
library FrameExit {
    uint256 internal constant MAX_CODE_SIZE = 24576;
    uint256 internal constant DEPOSIT_GAS_PER_BYTE = 200;
    /// @dev The suspended caller's item: its frame, the revert point (4 words) and the frame stack below.
    uint256 internal constant SUSPENSION_BYTES = EvmLayout.FRAME_BYTES + 128 + 32;

    /// @notice The state after the halted frame `child` exits (written into `s`).
    function run(bytes memory s, EvmLayout.Frame memory child, WitnessReader.Reader memory r) internal pure {
        if (child.depth == 0) return _depth0Exit(s, child, r);
        uint256 at = WitnessReader.next(r, SUSPENSION_BYTES, "suspended caller");
        bytes32 revertPre = WitnessReader.hash(at + EvmLayout.FRAME_BYTES, 128);
        bytes32 below = WitnessReader.word(at + EvmLayout.FRAME_BYTES + 128);
        if (
            _link(WitnessReader.hash(at, EvmLayout.FRAME_BYTES), revertPre, below)
                != EvmLayout.get(s, EvmLayout.FRAME_STACK_HASH)
        ) revert NotCommitted("suspended caller");
        EvmLayout.Frame memory parent = EvmLayout.readFrame(at);
        uint256 revertAt = at + EvmLayout.FRAME_BYTES;
        if (child.kind == 4 || child.kind == 5) return _createExit(s, child, parent, revertAt, below, r);
        bool failed = child.status == 3;
        // The output goes to the caller's memory at retOffset, COPY_CHUNK bytes a step (SPEC.md §6.1): the
        // child's `progress` counts the bytes done, and until the last part the caller stays suspended.
        uint256 n = failed ? 0 : child.outputSize < child.retSize ? child.outputSize : child.retSize;
        uint256 done = child.progress;
        if (done > 0 && done >= n) revert BadItem("the exiting frame has copied all of its output");
        uint256 part = n - done < StepLib.COPY_CHUNK ? n - done : StepLib.COPY_CHUNK;
        if (part > 0) {
            bytes memory output =
                Trees.readView(r, child.outputRoot, child.outputOffset, child.outputSize, done, part, "output");
            parent.memoryRoot =
                Trees.writeBytes(r, parent.memoryRoot, child.retOffset + done, output, "caller memory leaves");
        }
        WitnessReader.done(r);
        if (done + part < n) {
            EvmLayout.set(s, EvmLayout.FRAME_STACK_HASH, _link(EvmLayout.hashFrame(parent), revertPre, below));
            child.progress = done + part;
            EvmLayout.set(s, EvmLayout.FRAME_HASH, EvmLayout.hashFrame(child));
            return;
        }
        _push(parent, child.status == 1 ? 1 : 0);
        parent.gas += failed ? 0 : child.gas;
        if (failed) {
            _clearReturnData(parent);
        } else {
            (parent.returnDataRoot, parent.returnDataOffset, parent.returnDataSize) =
            (child.outputRoot, child.outputOffset, child.outputSize);
        }
        if (child.status != 1) _restore(s, revertAt);
        EvmLayout.set(s, EvmLayout.FRAME_STACK_HASH, below);
        EvmLayout.set(s, EvmLayout.FRAME_HASH, EvmLayout.hashFrame(parent));
    }

    /// @dev A create frame's exit: the caller gets the address (or 0), the unused gas, and return data only when the frame reverted.
    function _createExit(
        bytes memory s,
        EvmLayout.Frame memory child,
        EvmLayout.Frame memory parent,
        uint256 revertAt,
        bytes32 below,
        WitnessReader.Reader memory r
    ) private pure {
        (uint256 status, uint256 gas, bytes32 stateRoot) = _deposit(s, child, r);
        WitnessReader.done(r);
        _push(parent, status == 1 ? uint160(child.addr) : 0);
        parent.gas += gas;
        if (status == 2) {
            (parent.returnDataRoot, parent.returnDataOffset, parent.returnDataSize) =
            (child.outputRoot, child.outputOffset, child.outputSize);
        } else {
            _clearReturnData(parent);
        }
        if (status == 1) EvmLayout.set(s, EvmLayout.STATE_ROOT, stateRoot);
        else _restore(s, revertAt);
        EvmLayout.set(s, EvmLayout.FRAME_STACK_HASH, below);
        EvmLayout.set(s, EvmLayout.FRAME_HASH, EvmLayout.hashFrame(parent));
    }

    /// @dev A create frame's code deposit: a RETURN's output becomes the new account's code unless it is
    ///      too large (EIP-170), the frame cannot pay 200 gas a byte, or it starts with 0xEF (EIP-3541) —
    ///      then the create fails as if the frame had (all its gas gone). The first two are decided from
    ///      the frame alone, so a too-large output is never read.
    function _deposit(bytes memory s, EvmLayout.Frame memory child, WitnessReader.Reader memory r)
        private
        pure
        returns (uint256 status, uint256 gas, bytes32 stateRoot)
    {
        stateRoot = EvmLayout.get(s, EvmLayout.STATE_ROOT);
        if (child.status != 1 || child.outputSize == 0) return (child.status, child.gas, stateRoot);
        uint256 size = child.outputSize;
        uint256 cost = DEPOSIT_GAS_PER_BYTE * size;
        if (size > MAX_CODE_SIZE || child.gas < cost) return (3, 0, stateRoot);
        bytes memory code = Trees.readView(r, child.outputRoot, child.outputOffset, size, 0, size, "output");
        if (code[0] == 0xef) return (3, 0, stateRoot);
        (Mpt.NodeSet memory trie, bool exists, Mpt.Account memory a) =
            StepLib.account(r, stateRoot, child.addr, "new account proof");
        if (!exists) revert BadItem("the created account is not in the state");
        a.codeHash = keccak256(code);
        return (1, child.gas - cost, Mpt.set(trie, stateRoot, abi.encodePacked(child.addr), Mpt.encodeAccount(a), true));
    }

    /// @dev The exit of a transaction's frame: its suspension is only the revert point
    ///      (`frameStackHash = H(0 ‖ H(revertPre) ‖ 0)`). A create deposits its code; a revert or failure
    ///      restores the revert point; the frame stays with its final status and gas, and the block moves to TX_REFUND.
    function _depth0Exit(bytes memory s, EvmLayout.Frame memory child, WitnessReader.Reader memory r) private pure {
        uint256 revertAt = WitnessReader.next(r, 128, "revert point");
        if (_link(0, WitnessReader.hash(revertAt, 128), 0) != EvmLayout.get(s, EvmLayout.FRAME_STACK_HASH)) {
            revert NotCommitted("revert point");
        }
        // A system call's exit ends the call (EIP-4788, EIP-2935, EIP-7002, EIP-7251): not proven yet.
        if (child.kind == 6) revert NotImplemented(EvmLayout.phase(s), 0);
        (uint256 status, uint256 gas, bytes32 stateRoot) = child.kind == 4 || child.kind == 5
            ? _deposit(s, child, r)
            : (child.status, child.gas, EvmLayout.get(s, EvmLayout.STATE_ROOT));
        WitnessReader.done(r);
        if (status == 1) EvmLayout.set(s, EvmLayout.STATE_ROOT, stateRoot);
        else _restore(s, revertAt);
        EvmLayout.setPhase(s, EvmLayout.TX_REFUND);
        EvmLayout.setSubIndex(s, 0);
        EvmLayout.set(s, EvmLayout.FRAME_STACK_HASH, 0);
        (child.status, child.gas) = (status, gas);
        EvmLayout.set(s, EvmLayout.FRAME_HASH, EvmLayout.hashFrame(child));
    }

    /// @dev A link of the frame stack: H(H(frame) ‖ H(revertPre) ‖ below).
    function _link(bytes32 frame, bytes32 revertPre, bytes32 below) private pure returns (bytes32) {
        return keccak256(abi.encodePacked(frame, revertPre, below));
    }

    /// @dev The caller resumes at its next opcode with `v` pushed.
    function _push(EvmLayout.Frame memory f, uint256 v) private pure {
        f.stackHash = Trees.hashPair(f.stackHash, bytes32(v));
        f.stackSize += 1;
    }

    function _clearReturnData(EvmLayout.Frame memory f) private pure {
        (f.returnDataRoot, f.returnDataOffset, f.returnDataSize) = (Trees.EMPTY_BYTES_ROOT, 0, 0);
    }

    /// @dev What a revert or failure restores (SPEC.md §2.3): the state root, the access and transient maps and the sub-state.
    function _restore(bytes memory s, uint256 revertAt) private pure {
        EvmLayout.set(s, EvmLayout.STATE_ROOT, WitnessReader.word(revertAt));
        EvmLayout.set(s, EvmLayout.ACCESS_MAP, WitnessReader.word(revertAt + 32));
        EvmLayout.set(s, EvmLayout.TRANSIENT_MAP, WitnessReader.word(revertAt + 64));
        EvmLayout.set(s, EvmLayout.SUBSTATE_HASH, WitnessReader.word(revertAt + 96));
    }
}
