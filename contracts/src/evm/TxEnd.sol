// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {BadItem} from "./EvmErrors.sol";
import {EvmLayout} from "./lib/EvmLayout.sol";
import {IndexedMap} from "./lib/IndexedMap.sol";
import {Mpt} from "./lib/Mpt.sol";
import {WitnessReader} from "./lib/WitnessReader.sol";
import {Opcodes} from "./opcode/Opcodes.sol";
import {Step, StepLib} from "./opcode/Step.sol";

/// @title TxEnd
/// @notice The transaction-end steps (SPEC.md §4, §5.4): `tx-refund` (the refund cap, the EIP-7623 floor,
///         the unused gas back to the sender, the priority fee to the coinbase, the block's gas) and
///         `tx-cleanup` (one self-destructed or touched account). The checker's twin is src/check/tx-end.ts
///         (checkTxRefund, checkTxCleanup); tx-receipt is not proven yet.
library TxEnd {
    /// @dev EIP-4844: blob gas per blob.
    uint256 internal constant GAS_PER_BLOB = 131072;
    /// @dev Words of txEnv (SPEC.md §3) the refund reads.
    uint256 private constant ORIGIN = 0;
    uint256 private constant GAS_LIMIT = 2;
    uint256 private constant EFFECTIVE_GAS_PRICE = 3;
    uint256 private constant BLOB_COUNT = 10;
    uint256 private constant FLOOR_GAS = 12;
    /// @dev Words of blockEnv (SPEC.md §3) the refund reads.
    uint256 private constant BASE_FEE = 5;
    uint256 private constant COINBASE = 8;
    /// @dev Words of the sub-state (SPEC.md §2.1).
    uint256 private constant REFUND = 0;
    uint256 private constant SELFDESTRUCT_MAP = 3;
    uint256 private constant CREATED_MAP = 4;
    uint256 private constant TOUCHED_MAP = 5;

    /// @notice The refund (written into `s`): the gas used, after EIP-3529's cap on the refund and
    ///         EIP-7623's floor, is paid for; the rest goes back to the sender, the priority fee to the
    ///         coinbase; the block's gas and blob gas grow; then the clean-up, or the receipt when the
    ///         self-destruct and touched maps are empty.
    function checkTxRefund(bytes memory s, WitnessReader.Reader memory r) internal pure {
        EvmLayout.Frame memory frame = EvmLayout.openFrame(r, s);
        if (frame.depth != 0 || frame.status == 0) revert BadItem("the frame is not a halted transaction frame");
        (uint256 txAt, uint256 blockAt, bytes memory sub) = _environments(s, r);
        bytes memory acc = EvmLayout.openBlockAcc(r, s);
        // Two statements: the legacy code generator evaluates a sum's right operand first.
        uint256 maps = IndexedMap.count(r, StepLib.word(sub, SELFDESTRUCT_MAP), "self-destruct map root and count");
        maps += IndexedMap.count(r, StepLib.word(sub, TOUCHED_MAP), "touched map root and count");
        Mpt.NodeSet memory trie = _nodeSet(r, "sender and coinbase");
        WitnessReader.done(r);
        uint256 used = _gasUsed(frame.gas, txAt, uint256(StepLib.word(sub, REFUND)));
        EvmLayout.set(s, EvmLayout.STATE_ROOT, _pay(trie, EvmLayout.get(s, EvmLayout.STATE_ROOT), txAt, blockAt, used));
        _add(acc, EvmLayout.CUMULATIVE_GAS, used);
        _add(acc, EvmLayout.BLOB_GAS_USED, _txWord(txAt, BLOB_COUNT) * GAS_PER_BLOB);
        EvmLayout.setBlockAcc(s, acc);
        EvmLayout.setPhase(s, maps > 2 ? EvmLayout.TX_CLEANUP : EvmLayout.TX_RECEIPT);
        EvmLayout.setSubIndex(s, 0);
    }

    /// @notice Account `subIndex` of the self-destruct map's leaves, then the touched map's (each in leaf
    ///         order): a self-destructed account goes (from Cancun only if it was created in this transaction,
    ///         EIP-6780), a touched one if it is empty (EIP-161). Written into `s`.
    function checkTxCleanup(bytes memory s, WitnessReader.Reader memory r) internal pure {
        bytes memory sub = StepLib.substate(_step(s), r);
        uint256 destroyed =
            IndexedMap.count(r, StepLib.word(sub, SELFDESTRUCT_MAP), "self-destruct map root and count") - 1;
        uint256 total =
            destroyed + IndexedMap.count(r, StepLib.word(sub, TOUCHED_MAP), "touched map root and count") - 1;
        uint256 i = EvmLayout.subIndex(s);
        if (i >= total) revert BadItem("tx-cleanup: the maps hold fewer accounts than subIndex");
        (address a, bool selfdestructed, bool goesIfDestroyed) = _cleanupEntry(s, r, sub, i, destroyed);
        bytes32 root = EvmLayout.get(s, EvmLayout.STATE_ROOT);
        (Mpt.NodeSet memory trie, bool exists, Mpt.Account memory account) = StepLib.account(r, root, a, "account");
        WitnessReader.done(r);
        if (exists && (selfdestructed ? goesIfDestroyed : StepLib.isEmpty(exists, account))) {
            EvmLayout.set(s, EvmLayout.STATE_ROOT, Mpt.remove(trie, root, abi.encodePacked(a), true));
        }
        bool last = i + 1 == total;
        EvmLayout.setPhase(s, last ? EvmLayout.TX_RECEIPT : EvmLayout.TX_CLEANUP);
        EvmLayout.setSubIndex(s, last ? 0 : uint32(i + 1));
    }

    /// @dev A step context on `s`, for StepLib's readers of the environments and the sub-state.
    function _step(bytes memory s) private pure returns (Step memory c) {
        c.s = s;
    }

    /// @dev The transaction and block environments' calldata offsets and the sub-state, in the witness's order.
    function _environments(bytes memory s, WitnessReader.Reader memory r)
        private
        pure
        returns (uint256 txAt, uint256 blockAt, bytes memory sub)
    {
        Step memory c = _step(s);
        txAt = StepLib.txEnv(c, r);
        blockAt = StepLib.blockEnv(c, r);
        sub = StepLib.substate(c, r);
    }

    /// @dev Adds `v` to word `i` of `b`.
    function _add(bytes memory b, uint256 i, uint256 v) private pure {
        StepLib.setWord(b, i, bytes32(uint256(StepLib.word(b, i)) + v));
    }

    /// @dev The account of clean-up step `i` (after `destroyed` self-destructed accounts, the touched ones), whether
    ///      it self-destructed, and whether it then goes.
    function _cleanupEntry(
        bytes memory s,
        WitnessReader.Reader memory r,
        bytes memory sub,
        uint256 i,
        uint256 destroyed
    ) private pure returns (address a, bool selfdestructed, bool goesIfDestroyed) {
        a = address(bytes20(WitnessReader.word(WitnessReader.next(r, 20, "address"))));
        selfdestructed = i < destroyed;
        uint256 key = selfdestructed
            ? IndexedMap.leafAt(r, StepLib.word(sub, SELFDESTRUCT_MAP), i + 1, "self-destruct map")
            : IndexedMap.leafAt(r, StepLib.word(sub, TOUCHED_MAP), i - destroyed + 1, "touched map");
        if (key != _accountKey(selfdestructed ? 4 : 6, a)) revert BadItem("the address is not the map entry's");
        // Before Cancun every self-destructed account goes; from Cancun only one created in this transaction (EIP-6780).
        goesIfDestroyed = selfdestructed
            && (EvmLayout.forkId(s) < Opcodes.CANCUN
                || IndexedMap.open(r, StepLib.word(sub, CREATED_MAP), _accountKey(5, a), "created map").present);
    }

    /// @dev The gas the transaction pays for: EIP-3529 caps the refund at a fifth of the gas used; EIP-7623's floor is paid at least.
    function _gasUsed(uint256 gasLeft, uint256 txAt, uint256 refund) private pure returns (uint256 used) {
        uint256 usedBefore = _txWord(txAt, GAS_LIMIT) - gasLeft;
        uint256 cap = usedBefore / 5;
        used = usedBefore - (refund < cap ? refund : cap);
        uint256 floor = _txWord(txAt, FLOOR_GAS);
        if (used < floor) used = floor;
    }

    /// @dev The state root after the unused gas goes back to the sender and the priority fee to the coinbase,
    ///      one after the other on the same node set.
    function _pay(Mpt.NodeSet memory trie, bytes32 root, uint256 txAt, uint256 blockAt, uint256 used)
        private
        pure
        returns (bytes32)
    {
        uint256 price = _txWord(txAt, EFFECTIVE_GAS_PRICE);
        root = _credit(trie, root, address(uint160(_txWord(txAt, ORIGIN))), (_txWord(txAt, GAS_LIMIT) - used) * price);
        address coinbase = address(uint160(uint256(WitnessReader.word(blockAt + 32 * COINBASE))));
        uint256 fee = used * (price - uint256(WitnessReader.word(blockAt + 32 * BASE_FEE)));
        if (fee > 0) return _credit(trie, root, coinbase, fee);
        // No fee: the coinbase is left alone, unless it exists and is empty (EIP-161): then it goes.
        (bool exists, bytes memory value) = Mpt.get(trie, root, abi.encodePacked(coinbase), true);
        if (exists && StepLib.isEmpty(true, Mpt.decodeAccount(value))) {
            return Mpt.remove(trie, root, abi.encodePacked(coinbase), true);
        }
        return root;
    }

    /// @dev The root after `amount` is added to `a`'s balance (an absent account is created).
    function _credit(Mpt.NodeSet memory trie, bytes32 root, address a, uint256 amount) private pure returns (bytes32) {
        bytes memory key = abi.encodePacked(a);
        (bool exists, bytes memory value) = Mpt.get(trie, root, key, true);
        Mpt.Account memory account = exists
            ? Mpt.decodeAccount(value)
            : Mpt.Account({nonce: 0, balance: 0, storageRoot: Mpt.EMPTY_TRIE_ROOT, codeHash: Mpt.EMPTY_CODE_HASH});
        account.balance += amount;
        return Mpt.set(trie, root, key, Mpt.encodeAccount(account), true);
    }

    /// @dev The node set of the witness's next item (an RLP list of trie nodes).
    function _nodeSet(WitnessReader.Reader memory r, string memory what) private pure returns (Mpt.NodeSet memory) {
        (uint256 at, uint256 len) = WitnessReader.nextAny(r, string.concat(what, " proof"));
        return Mpt.open(at, len, what);
    }

    /// @dev Word `i` of the transaction environment at calldata offset `txAt`.
    function _txWord(uint256 txAt, uint256 i) private pure returns (uint256) {
        return uint256(WitnessReader.word(txAt + 32 * i));
    }

    /// @dev SPEC.md §2.1's map key of an account, H(tag ‖ address): 4 self-destructed, 5 created, 6 touched.
    function _accountKey(uint8 tag, address a) private pure returns (uint256) {
        return uint256(keccak256(abi.encodePacked(tag, a)));
    }
}
