// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {BadItem, NotCommitted, NotImplemented} from "../EvmErrors.sol";
import {EvmLayout} from "../lib/EvmLayout.sol";
import {Sponge} from "../lib/Sponge.sol";
import {Trees} from "../lib/Trees.sol";
import {WitnessReader} from "../lib/WitnessReader.sol";
import {Step, StepLib} from "./Step.sol";

/// @title Logs
/// @notice LOG0–LOG4: the log's RLP, `rlp([address, topics, data])`, written at the end of the
///         sub-state's logs tree and its address and topics set in the sub-state's bloom. A log whose
///         RLP is longer than KECCAK_CHUNK is written that many bytes a step, the tree's root so far
///         in the frame's `sponge` word, and only the last step changes the sub-state (SPEC.md §6.1).
///         The deposit contract's DepositEvent from Prague on (EIP-6110, a request absorbed into a
///         SHA-256 stream) is not proven yet. The checker's twin is src/check/opcode/logs.ts.
library Logs {
    uint256 internal constant KECCAK_CHUNK = Sponge.CHUNK;
    uint8 internal constant PRAGUE = 2;
    address internal constant DEPOSIT_CONTRACT = 0x00000000219ab540356cBB839Cbe05303d7705Fa;
    bytes32 internal constant DEPOSIT_TOPIC = 0x649bbc62d0e31342afea4e5cd82d4049e7e1ee912fc0889aa790803be39038c5;

    function has(uint8 op) internal pure returns (bool) {
        return op >= 0xa0 && op <= 0xa4;
    }

    function run(Step memory c, WitnessReader.Reader memory r) internal pure {
        if (c.f.isStatic) {
            c.failed = true;
            return;
        }
        (uint256 offset, uint256 len) = (c.args[0], c.args[1]);
        if (!c.continuing) {
            if (!StepLib.use(c, len >> 64 != 0 ? type(uint256).max : 8 * len)) return;
            if (!StepLib.expand(c, offset, len)) return;
        }
        bytes memory sub = StepLib.substate(c, r);
        bytes memory head = _head(c, _rlpHeader(len, 0x80), len);
        uint256 h = head.length;
        bool short = !c.continuing && h + len <= KECCAK_CHUNK;
        // A short log is written whole; a long one KECCAK_CHUNK bytes of its RLP a step, its head from the stack and its data from memory.
        uint256 total = short ? 0 : h + len;
        uint256 done = c.f.progress;
        if (c.continuing && done >= total) revert BadItem("the frame has written all the bytes of its log");
        uint256 to = short || total - done <= KECCAK_CHUNK ? total : done + KECCAK_CHUNK;
        bytes memory bytes_;
        if (short) {
            bytes memory data = StepLib.readMemory(c, r, offset, len);
            // RLP writes a single byte under 0x80 as itself, with no string header.
            if (len == 1 && uint8(data[0]) < 0x80) head = _head(c, "", len);
            bytes_ = bytes.concat(head, data);
        } else {
            uint256 from = done > h ? done - h : 0;
            bytes_ = bytes.concat(
                _slice(head, done < h ? done : h, to < h ? to : h),
                StepLib.readMemory(c, r, offset + from, to - h - from)
            );
        }
        uint256 logsSize = uint256(StepLib.word(sub, 2));
        bytes32 root = Trees.writeBytes(
            r, c.continuing ? c.f.sponge : StepLib.word(sub, 1), logsSize + done, bytes_, "logs leaves"
        );
        if (to < total) {
            // The log goes on in the next step.
            c.progress = to;
            c.sponge = root;
            return;
        }
        _bloom(c, r, sub);
        if (EvmLayout.forkId(c.s) >= PRAGUE && c.f.addr == DEPOSIT_CONTRACT && c.args.length > 2) {
            if (bytes32(c.args[2]) == DEPOSIT_TOPIC) revert NotImplemented(5, c.op);
        }
        StepLib.setWord(sub, 1, root);
        StepLib.setWord(sub, 2, bytes32(logsSize + (short ? bytes_.length : total)));
        StepLib.setSubstate(c, sub);
    }

    /// @dev `rlp([address, topics, data])` up to its data of `len` bytes, `dataHeader` the data's string header.
    function _head(Step memory c, bytes memory dataHeader, uint256 len) private pure returns (bytes memory) {
        uint256 k = c.args.length - 2;
        bytes memory topics;
        for (uint256 i = 0; i < k; i++) {
            topics = bytes.concat(topics, bytes1(0xa0), bytes32(c.args[2 + i]));
        }
        bytes memory body = bytes.concat(bytes1(0x94), bytes20(c.f.addr), _rlpHeader(33 * k, 0xc0), topics, dataHeader);
        return bytes.concat(_rlpHeader(body.length + len, 0xc0), body);
    }

    function _rlpHeader(uint256 n, uint8 base) private pure returns (bytes memory) {
        if (n <= 55) return abi.encodePacked(uint8(base + n));
        uint256 bytesLen;
        for (uint256 v = n; v != 0; v >>= 8) {
            bytesLen++;
        }
        bytes memory out = new bytes(1 + bytesLen);
        out[0] = bytes1(uint8(base + 55 + bytesLen));
        for (uint256 i = 0; i < bytesLen; i++) {
            out[bytesLen - i] = bytes1(uint8(n >> (8 * i)));
        }
        return out;
    }

    /// @dev Sets the address's and the topics' bits in the transaction's bloom (the sub-state's word 6).
    function _bloom(Step memory c, WitnessReader.Reader memory r, bytes memory sub) private pure {
        uint256 at = WitnessReader.next(r, 256, "transaction bloom");
        if (WitnessReader.hash(at, 256) != StepLib.word(sub, 6)) revert NotCommitted("transaction bloom");
        bytes memory bloom = new bytes(256);
        assembly ("memory-safe") {
            calldatacopy(add(bloom, 32), at, 256)
        }
        _addToBloom(bloom, keccak256(abi.encodePacked(c.f.addr)));
        for (uint256 i = 2; i < c.args.length; i++) {
            _addToBloom(bloom, keccak256(abi.encode(c.args[i])));
        }
        StepLib.setWord(sub, 6, keccak256(bloom));
    }

    /// @dev The yellow paper's M3:2048: three bits, each from a pair of the item's hash bytes.
    function _addToBloom(bytes memory bloom, bytes32 h) private pure {
        for (uint256 i = 0; i < 6; i += 2) {
            uint256 bit = ((uint256(uint8(h[i])) << 8) | uint8(h[i + 1])) & 2047;
            uint256 at = 255 - (bit >> 3);
            bloom[at] = bytes1(uint8(bloom[at]) | uint8(1 << (bit & 7)));
        }
    }

    function _slice(bytes memory b, uint256 from, uint256 to) private pure returns (bytes memory out) {
        out = new bytes(to - from);
        for (uint256 i = 0; i < out.length; i++) {
            out[i] = b[from + i];
        }
    }
}
