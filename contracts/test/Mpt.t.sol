// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Test} from "forge-std/Test.sol";
import {BadItem, NotCommitted} from "../src/evm/EvmErrors.sol";
import {Mpt} from "../src/evm/lib/Mpt.sol";
import {Rlp} from "../src/evm/lib/Rlp.sol";
import {WitnessReader} from "../src/evm/lib/WitnessReader.sol";

/// @dev An operation of a sequence of test/vectors/mpt.json (fields in alphabetical order, as vm.parseJson
///      decodes objects): `value` a put's value or a read's answer, `post` the root after it.
struct MptOperation {
    bytes key;
    string op;
    bytes32 post;
    bytes value;
}

/// @dev What the library gave for an operation of a sequence: a read's `found` and `value`, the root after it.
struct MptAnswer {
    bool found;
    bytes32 post;
    bytes value;
}

/// @dev The trie library as a verifier uses it: the node list is a witness item (4-byte length, its bytes).
contract MptHarness {
    function get(bytes calldata proof, bytes32 root, bytes calldata key, bool hashed)
        external
        pure
        returns (bool, bytes memory)
    {
        return Mpt.get(_nodes(proof), root, key, hashed);
    }

    function set(bytes calldata proof, bytes32 root, bytes calldata key, bytes calldata value, bool hashed)
        external
        pure
        returns (bytes32)
    {
        return Mpt.set(_nodes(proof), root, key, value, hashed);
    }

    function remove(bytes calldata proof, bytes32 root, bytes calldata key, bool hashed)
        external
        pure
        returns (bytes32)
    {
        return Mpt.remove(_nodes(proof), root, key, hashed);
    }

    /// @dev The operations `ops` run in turn on one node set, each on the root the one before leaves.
    function sequence(bytes calldata proof, bytes32 root, bool hashed, MptOperation[] calldata ops)
        external
        pure
        returns (MptAnswer[] memory answers)
    {
        Mpt.NodeSet memory s = _nodes(proof);
        answers = new MptAnswer[](ops.length);
        for (uint256 i = 0; i < ops.length; i++) {
            MptOperation calldata o = ops[i];
            bytes32 op = keccak256(bytes(o.op));
            if (op == keccak256("get")) (answers[i].found, answers[i].value) = Mpt.get(s, root, o.key, hashed);
            else if (op == keccak256("put")) root = Mpt.set(s, root, o.key, o.value, hashed);
            else root = Mpt.remove(s, root, o.key, hashed);
            answers[i].post = root;
        }
    }

    /// @dev A CALL's accounts: `from` and `to` read, then `from` written, then `to` on the root that leaves.
    function transfer(
        bytes calldata proof,
        bytes32 root,
        address from,
        address to,
        Mpt.Account calldata fromAfter,
        Mpt.Account calldata toAfter
    ) external pure returns (Mpt.Account memory fromBefore, Mpt.Account memory toBefore, bytes32 post) {
        Mpt.NodeSet memory s = _nodes(proof);
        (, bytes memory a) = Mpt.get(s, root, abi.encodePacked(from), true);
        (, bytes memory b) = Mpt.get(s, root, abi.encodePacked(to), true);
        fromBefore = Mpt.decodeAccount(a);
        toBefore = Mpt.decodeAccount(b);
        post = Mpt.set(s, root, abi.encodePacked(from), Mpt.encodeAccount(fromAfter), true);
        post = Mpt.set(s, post, abi.encodePacked(to), Mpt.encodeAccount(toAfter), true);
    }

    function readAccount(bytes calldata proof, bytes32 root, address a)
        external
        pure
        returns (bool found, Mpt.Account memory account)
    {
        bytes memory value;
        (found, value) = Mpt.get(_nodes(proof), root, abi.encodePacked(a), true);
        if (found) account = Mpt.decodeAccount(value);
    }

    function writeAccount(bytes calldata proof, bytes32 root, address a, Mpt.Account calldata account)
        external
        pure
        returns (bytes32)
    {
        return Mpt.set(_nodes(proof), root, abi.encodePacked(a), Mpt.encodeAccount(account), true);
    }

    function decodeAccount(bytes calldata rlp) external pure returns (Mpt.Account memory) {
        return Mpt.decodeAccount(rlp);
    }

    function encodeAccount(Mpt.Account calldata a) external pure returns (bytes memory) {
        return Mpt.encodeAccount(a);
    }

    function encodeSlot(uint256 v) external pure returns (bytes memory) {
        return Mpt.encodeSlot(v);
    }

    function decodeSlot(bytes calldata rlp) external pure returns (uint256) {
        return Mpt.decodeSlot(rlp);
    }

    function _nodes(bytes calldata proof) private pure returns (Mpt.NodeSet memory) {
        WitnessReader.Reader memory r = WitnessReader.open(proof);
        (uint256 data, uint256 len) = WitnessReader.nextAny(r, "trie nodes");
        WitnessReader.done(r);
        return Mpt.open(data, len, "trie");
    }
}

/// @dev The RLP library's decoding of a whole input, every nested item included, and its encodings.
contract RlpHarness {
    /// @dev How many strings `b` holds, decoding every list inside it.
    function strings(bytes memory b) external pure returns (uint256) {
        return _strings(Rlp.toItem(b));
    }

    function toBytes(bytes memory b) external pure returns (bytes memory) {
        return Rlp.toBytes(Rlp.toItem(b));
    }

    function toUint(bytes memory b) external pure returns (uint256) {
        return Rlp.toUint(Rlp.toItem(b));
    }

    function encodeBytes(bytes memory b) external pure returns (bytes memory) {
        return Rlp.encodeBytes(b);
    }

    function encodeUint(uint256 v) external pure returns (bytes memory) {
        return Rlp.encodeUint(v);
    }

    function encodeList(bytes[] memory items) external pure returns (bytes memory) {
        return Rlp.encodeList(items);
    }

    function _strings(Rlp.Item memory it) private pure returns (uint256 n) {
        if (!Rlp.isList(it)) {
            Rlp.toBytes(it);
            return 1;
        }
        for (Rlp.Iterator memory i = Rlp.iterator(it); Rlp.hasNext(i);) {
            n += _strings(Rlp.next(i));
        }
    }
}

/// @dev A vector of test/vectors/mpt.json; fields in alphabetical order, as vm.parseJson decodes objects.
struct MptVector {
    bool hashed;
    bytes key;
    string kind;
    bytes nodes;
    string op;
    bytes32 post;
    bytes32 root;
    string trie;
    bytes value;
}

/// @dev A sequence of test/vectors/mpt.json: operations on one node list, the union of theirs less the nodes an
///      earlier write of the sequence created (a later operation finds those in the set); `stopsAt[k]` the
///      operation the checker stops at without node k of the list (ops.length: none does).
struct MptSequence {
    bool hashed;
    string kind;
    bytes nodes;
    MptOperation[] ops;
    bytes32 root;
    uint256[] stopsAt;
    string trie;
}

string constant VECTORS = "test/vectors/mpt.json";
string constant VECTOR_TYPE =
    "MptVector(bool hashed,bytes key,string kind,bytes nodes,string op,bytes32 post,bytes32 root,string trie,bytes value)";
string constant SEQUENCE_TYPE = "MptSequence(bool hashed,string kind,bytes nodes,MptOperation[] ops,bytes32 root,uint256[] stopsAt,string trie)"
    "MptOperation(bytes key,string op,bytes32 post,bytes value)";

/// @dev Runs vectors on the harness.
abstract contract MptVectors is Test {
    MptHarness internal mpt;

    /// @dev The witness holding `nodes` as its one item.
    function _proof(bytes memory nodes) internal pure returns (bytes memory) {
        return abi.encodePacked(uint32(nodes.length), nodes);
    }

    /// @dev The vector's operation on `nodes` in place of its own, and whether it gave ethereumjs's answer.
    function _run(MptVector memory v, bytes memory nodes) internal view returns (bool) {
        bytes32 op = keccak256(bytes(v.op));
        if (op == keccak256("get")) {
            (bool found, bytes memory value) = mpt.get(_proof(nodes), v.root, v.key, v.hashed);
            return found == (v.value.length != 0) && keccak256(value) == keccak256(v.value);
        }
        if (op == keccak256("put")) return mpt.set(_proof(nodes), v.root, v.key, v.value, v.hashed) == v.post;
        return mpt.remove(_proof(nodes), v.root, v.key, v.hashed) == v.post;
    }

    /// @dev The vector's operation on `nodes` must revert with NotCommitted or (`orBadItem`) BadItem.
    function _assertReverts(MptVector memory v, bytes memory nodes, bool orBadItem, string memory what) internal view {
        try this.run(v, nodes) returns (bool) {
            assertTrue(false, string.concat(what, ": ", v.trie, " / ", v.kind, " did not revert"));
        } catch (bytes memory err) {
            bytes4 sel = bytes4(err);
            assertTrue(sel == NotCommitted.selector || (orBadItem && sel == BadItem.selector), what);
        }
    }

    /// @dev _run as an external call, for try/catch.
    function run(MptVector memory v, bytes memory nodes) external view returns (bool) {
        return _run(v, nodes);
    }

    /// @dev Whether the walk looks the node (an item of the node list) up by its hash: the root, or 32 bytes or more.
    function _needed(MptVector memory v, Rlp.Item memory item) internal pure returns (bool) {
        (uint256 ptr, uint256 len) = Rlp.payload(item);
        bytes32 h;
        assembly ("memory-safe") {
            h := keccak256(ptr, len)
        }
        return len >= 32 || h == v.root;
    }

    /// @dev The node items (each an RLP string of a node's RLP) of the node list `nodes`.
    function _nodeItems(bytes memory nodes) internal pure returns (Rlp.Item[] memory) {
        return Rlp.toList(Rlp.toItem(nodes));
    }

    /// @dev The first `n` operations of the sequence run on `nodes` in place of its own.
    function _runSequence(MptSequence memory q, bytes memory nodes, uint256 n)
        internal
        view
        returns (MptAnswer[] memory)
    {
        MptOperation[] memory ops = new MptOperation[](n);
        for (uint256 i = 0; i < n; i++) {
            ops[i] = q.ops[i];
        }
        return mpt.sequence(_proof(nodes), q.root, q.hashed, ops);
    }

    /// @dev Whether `answers` are ethereumjs's to the sequence's first operations: each root, each read's value.
    function _same(MptSequence memory q, MptAnswer[] memory answers) internal pure returns (bool) {
        for (uint256 i = 0; i < answers.length; i++) {
            MptOperation memory o = q.ops[i];
            if (answers[i].post != o.post) return false;
            if (keccak256(bytes(o.op)) != keccak256("get")) continue;
            if (answers[i].found != (o.value.length != 0) || keccak256(answers[i].value) != keccak256(o.value)) {
                return false;
            }
        }
        return true;
    }
}

/// Mpt.sol replays reads and writes of tries built by ethereumjs's mpt package (test/vectors/mpt.json, from
/// `pnpm gen:mpt-vectors` in packages/evm-native-proof), alone and in sequences on one node set, and gives
/// ethereumjs's answer on every one; a witness without a node the walk needs, or with a changed byte, reverts
/// rather than giving another answer.
contract MptTest is MptVectors {
    RlpHarness internal rlp;
    uint256 internal count;
    uint256 internal sequenceCount;

    function setUp() public {
        mpt = new MptHarness();
        rlp = new RlpHarness();
        count = _vectors().length;
        sequenceCount = _sequences().length;
    }

    function _vectors() internal view returns (MptVector[] memory) {
        return abi.decode(vm.parseJsonTypeArray(vm.readFile(VECTORS), ".vectors", VECTOR_TYPE), (MptVector[]));
    }

    function test_EveryVectorGivesEthereumjsAnswer() public view {
        MptVector[] memory vs = _vectors();
        assertGt(vs.length, 400);
        for (uint256 i = 0; i < vs.length; i++) {
            assertTrue(_run(vs[i], vs[i].nodes), string.concat(vs[i].trie, " / ", vs[i].kind));
        }
    }

    function test_AnAccountDecodesAndEncodesBackToItsTrieValue() public view {
        MptVector[] memory vs = _vectors();
        uint256 n;
        for (uint256 i = 0; i < vs.length; i++) {
            MptVector memory v = vs[i];
            if (!_startsWith(v.trie, "accounts") || v.value.length == 0) continue;
            assertEq(mpt.encodeAccount(mpt.decodeAccount(v.value)), v.value, v.kind);
            n++;
        }
        assertGt(n, 20);
    }

    /// @dev Every node the walk needs removed in turn (a node under 32 bytes other than the root is inlined in
    ///      its parent; createMerkleProof lists it too, unneeded).
    function test_ANodeMissingFromTheWitnessRevertsNotCommitted() public view {
        MptVector[] memory vs = _vectors();
        uint256 cases;
        for (uint256 i = 0; i < vs.length; i++) {
            Rlp.Item[] memory items = _nodeItems(vs[i].nodes);
            for (uint256 k = 0; k < items.length; k++) {
                if (!_needed(vs[i], items[k])) continue;
                bytes[] memory rest = new bytes[](items.length - 1);
                for (uint256 j = 0; j < rest.length; j++) {
                    rest[j] = Rlp.raw(items[j < k ? j : j + 1]);
                }
                _assertReverts(vs[i], Rlp.encodeList(rest), false, "a node removed");
                cases++;
            }
        }
        assertGt(cases, 1000);
    }

    /// @dev A byte of each node the walk needs changed in turn (at a position drawn from the vector and the
    ///      node's index).
    function test_AChangedNodeByteReverts() public view {
        MptVector[] memory vs = _vectors();
        for (uint256 i = 0; i < vs.length; i++) {
            bytes memory nodes = vs[i].nodes;
            Rlp.Item[] memory items = _nodeItems(nodes);
            uint256 base;
            assembly ("memory-safe") {
                base := add(nodes, 32)
            }
            for (uint256 k = 0; k < items.length; k++) {
                if (!_needed(vs[i], items[k])) continue;
                (uint256 ptr, uint256 len) = Rlp.payload(items[k]);
                uint256 at = ptr - base + uint256(keccak256(abi.encode(i, k))) % len;
                bytes memory changed = bytes.concat(nodes);
                changed[at] = bytes1(uint8(changed[at]) ^ 0x01);
                _assertReverts(vs[i], changed, true, "a node byte changed");
            }
        }
    }

    /// @dev Any byte of the node list changed (the list's and the nodes' headers too): a revert or ethereumjs's answer.
    function testFuzz_AChangedNodeListByteGivesTheAnswerOrReverts(uint256 which, uint256 at, uint8 delta) public view {
        MptVector memory v = abi.decode(
            vm.parseJsonType(
                vm.readFile(VECTORS), string.concat(".vectors[", vm.toString(which % count), "]"), VECTOR_TYPE
            ),
            (MptVector)
        );
        vm.assume(v.nodes.length > 0);
        bytes memory nodes = bytes.concat(v.nodes);
        at %= nodes.length;
        nodes[at] = bytes1(uint8(nodes[at]) ^ (delta == 0 ? 1 : delta));
        try this.run(v, nodes) returns (bool same) {
            assertTrue(same, string.concat(v.trie, " / ", v.kind, ": another answer"));
        } catch {}
    }

    function _sequences() internal view returns (MptSequence[] memory) {
        return abi.decode(vm.parseJsonTypeArray(vm.readFile(VECTORS), ".sequences", SEQUENCE_TYPE), (MptSequence[]));
    }

    /// @dev _runSequence as an external call, for try/catch.
    function runSequence(MptSequence memory q, bytes memory nodes, uint256 n)
        external
        view
        returns (MptAnswer[] memory)
    {
        return _runSequence(q, nodes, n);
    }

    /// @dev The sequence's node list without node `k`: the operations before the one the checker stops at give
    ///      ethereumjs's answers, and that one reverts NotCommitted.
    function _assertStopsWithout(MptSequence memory q, uint256 k) internal view {
        Rlp.Item[] memory items = _nodeItems(q.nodes);
        bytes[] memory rest = new bytes[](items.length - 1);
        for (uint256 j = 0; j < rest.length; j++) {
            rest[j] = Rlp.raw(items[j < k ? j : j + 1]);
        }
        bytes memory nodes = Rlp.encodeList(rest);
        uint256 stop = q.stopsAt[k];
        string memory what = string.concat(q.trie, " / ", q.kind, ", node ", vm.toString(k), " removed");
        assertTrue(_same(q, _runSequence(q, nodes, stop)), string.concat(what, ": another answer before the stop"));
        if (stop == q.ops.length) return;
        try this.runSequence(q, nodes, stop + 1) {
            assertTrue(false, string.concat(what, ": operation ", vm.toString(stop), " did not revert"));
        } catch (bytes memory err) {
            assertEq(bytes4(err), NotCommitted.selector, what);
        }
    }

    /// @dev _assertStopsWithout on every node of every sequence whose stop `which` selects; how many there were.
    function _stopsWithoutEach(function(uint256, uint256) internal pure returns (bool) which)
        internal
        view
        returns (uint256 cases)
    {
        MptSequence[] memory qs = _sequences();
        for (uint256 i = 0; i < qs.length; i++) {
            for (uint256 k = 0; k < qs[i].stopsAt.length; k++) {
                if (!which(qs[i].stopsAt[k], qs[i].ops.length)) continue;
                _assertStopsWithout(qs[i], k);
                cases++;
            }
        }
    }

    function _atALaterOperation(uint256 stop, uint256 n) internal pure returns (bool) {
        return stop > 0 && stop < n;
    }

    function _atTheFirst(uint256 stop, uint256) internal pure returns (bool) {
        return stop == 0;
    }

    function _atNone(uint256 stop, uint256 n) internal pure returns (bool) {
        return stop == n;
    }

    function test_EverySequenceGivesEthereumjsAnswersOnOneNodeSet() public view {
        MptSequence[] memory qs = _sequences();
        assertGt(qs.length, 150);
        for (uint256 i = 0; i < qs.length; i++) {
            MptAnswer[] memory answers = mpt.sequence(_proof(qs[i].nodes), qs[i].root, qs[i].hashed, qs[i].ops);
            assertTrue(_same(qs[i], answers), string.concat(qs[i].trie, " / ", qs[i].kind));
        }
    }

    /// @dev A node a read or write after the first needs, and none before it: the earlier operations give their
    ///      answers, that one reverts NotCommitted (where the checker stops).
    function test_ANodeOnlyALaterOperationNeedsRevertsNotCommittedAtThatOperation() public view {
        assertGt(_stopsWithoutEach(_atALaterOperation), 200);
    }

    function test_ANodeTheFirstOperationNeedsRevertsItNotCommitted() public view {
        assertGt(_stopsWithoutEach(_atTheFirst), 400);
    }

    /// @dev A node under 32 bytes, inlined in its parent, that createMerkleProof lists too.
    function test_ANodeNoOperationNeedsChangesNoAnswer() public view {
        assertGt(_stopsWithoutEach(_atNone), 40);
    }

    /// @dev A write to the empty trie of a short key and value: its root node, [hp(0x01), 0x05], is under 32 bytes.
    function test_ARootUnder32BytesAWriteLeavesIsFoundByItsHash() public view {
        MptOperation[] memory ops = new MptOperation[](2);
        ops[0] = MptOperation(hex"01", "put", bytes32(0), hex"05");
        ops[1] = MptOperation(hex"01", "get", bytes32(0), "");
        MptAnswer[] memory answers = mpt.sequence(_proof(hex"c0"), Mpt.EMPTY_TRIE_ROOT, false, ops);
        assertEq(answers[0].post, keccak256(hex"c4822001" hex"05"));
        assertTrue(answers[1].found);
        assertEq(answers[1].value, hex"05");
    }

    /// @dev Any byte of a sequence's node list changed: a revert, or every one of ethereumjs's answers.
    function testFuzz_AChangedSequenceNodeListByteGivesTheAnswersOrReverts(uint256 which, uint256 at, uint8 delta)
        public
        view
    {
        MptSequence memory q = abi.decode(
            vm.parseJsonType(
                vm.readFile(VECTORS),
                string.concat(".sequences[", vm.toString(which % sequenceCount), "]"),
                SEQUENCE_TYPE
            ),
            (MptSequence)
        );
        bytes memory nodes = bytes.concat(q.nodes);
        at %= nodes.length;
        nodes[at] = bytes1(uint8(nodes[at]) ^ (delta == 0 ? 1 : delta));
        try this.runSequence(q, nodes, q.ops.length) returns (MptAnswer[] memory answers) {
            assertTrue(_same(q, answers), string.concat(q.trie, " / ", q.kind, ": another answer"));
        } catch {}
    }

    function test_AWitnessWithoutNodesReadsOnlyTheEmptyTrie() public {
        (bool found,) = mpt.get(_proof(hex"c0"), Mpt.EMPTY_TRIE_ROOT, hex"01", false);
        assertFalse(found);
        vm.expectRevert(
            abi.encodeWithSelector(NotCommitted.selector, "trie: the proof lacks a trie node the walk needs")
        );
        mpt.get(_proof(hex"c0"), keccak256(hex"c4822001" hex"05"), hex"01", false);
    }

    function test_ANodeListThatIsNotAListOfStringsReverts() public {
        vm.expectRevert(abi.encodeWithSelector(BadItem.selector, "RLP: a list where a string is expected"));
        mpt.get(_proof(hex"c1c0"), bytes32(uint256(1)), hex"01", false);
        vm.expectRevert(abi.encodeWithSelector(BadItem.selector, "RLP: a string where a list is expected"));
        mpt.get(_proof(hex"80"), bytes32(uint256(1)), hex"01", false);
    }

    /// @dev A committed leaf [hp(0x01), 0x05] read with its value as 0x05 and as the non-canonical 0x8105.
    function test_ACommittedNodeInANonCanonicalFormReverts() public {
        bytes memory canonical = hex"c4822001" hex"05";
        (bool found, bytes memory value) = mpt.get(_proof(_list(canonical)), keccak256(canonical), hex"01", false);
        assertTrue(found);
        assertEq(value, hex"05");
        bytes memory loose = hex"c5822001" hex"8105";
        bytes memory proof = _proof(_list(loose));
        vm.expectRevert(abi.encodeWithSelector(BadItem.selector, "RLP: a single byte under 0x80 not encoded as itself"));
        mpt.get(proof, keccak256(loose), hex"01", false);
    }

    function test_RlpDecodesCanonicalForms() public view {
        assertEq(rlp.toBytes(hex"00"), hex"00");
        assertEq(rlp.toBytes(hex"80"), hex"");
        assertEq(rlp.toBytes(hex"8180"), hex"80");
        bytes memory long = new bytes(56);
        assertEq(rlp.toBytes(bytes.concat(hex"b838", long)), long);
        assertEq(rlp.strings(hex"c88363617483646f67"), 2);
        assertEq(rlp.strings(hex"c7c0c1c0c3c0c1c0"), 0);
        assertEq(rlp.strings(bytes.concat(hex"f83a", hex"b838", long)), 1);
        assertEq(rlp.toUint(hex"820400"), 1024);
        assertEq(rlp.toUint(hex"80"), 0);
    }

    function test_RlpRejectsASingleByteUnder0x80InTheShortForm() public {
        _expectBadRlp(hex"8100", "RLP: a single byte under 0x80 not encoded as itself");
        _expectBadRlp(hex"817f", "RLP: a single byte under 0x80 not encoded as itself");
    }

    function test_RlpRejectsTheLongFormForUnder56Bytes() public {
        _expectBadRlp(bytes.concat(hex"b837", new bytes(55)), "RLP: the long form for under 56 bytes");
        _expectBadRlp(hex"f80180", "RLP: the long form for under 56 bytes");
    }

    function test_RlpRejectsALengthWithALeadingZeroByte() public {
        _expectBadRlp(bytes.concat(hex"b90038", new bytes(56)), "RLP: a length with a leading zero byte");
        _expectBadRlp(bytes.concat(hex"f90038", new bytes(56)), "RLP: a length with a leading zero byte");
    }

    function test_RlpRejectsAnItemRunningPastItsParent() public {
        _expectBadRlp(hex"8201", "RLP: an item runs past its parent");
        _expectBadRlp(hex"c4820102", "RLP: an item runs past its parent");
        _expectBadRlp(hex"c3830102", "RLP: an item runs past its parent"); // the string past its list
        _expectBadRlp(hex"b9", "RLP: an item runs past its parent");
        _expectBadRlp(hex"", "RLP: an item runs past its parent");
    }

    function test_RlpRejectsBytesAfterTheItem() public {
        _expectBadRlp(hex"0102", "RLP: bytes after the item");
    }

    function test_RlpRejectsANonMinimalInteger() public {
        vm.expectRevert(abi.encodeWithSelector(BadItem.selector, "RLP: an integer with a leading zero byte"));
        rlp.toUint(hex"820001");
        vm.expectRevert(abi.encodeWithSelector(BadItem.selector, "RLP: an integer with a leading zero byte"));
        rlp.toUint(hex"00");
    }

    function test_RlpEncodesAsTheSpec() public view {
        assertEq(rlp.encodeBytes(hex""), hex"80");
        assertEq(rlp.encodeBytes(hex"00"), hex"00");
        assertEq(rlp.encodeBytes(hex"7f"), hex"7f");
        assertEq(rlp.encodeBytes(hex"80"), hex"8180");
        bytes memory long = new bytes(56);
        assertEq(rlp.encodeBytes(long), bytes.concat(hex"b838", long));
        assertEq(rlp.encodeBytes(new bytes(256)), bytes.concat(hex"b90100", new bytes(256)));
        assertEq(rlp.encodeUint(0), hex"80");
        assertEq(rlp.encodeUint(0x7f), hex"7f");
        assertEq(rlp.encodeUint(1024), hex"820400");
        assertEq(rlp.encodeUint(type(uint256).max), bytes.concat(hex"a0", bytes32(type(uint256).max)));
        bytes[] memory items = new bytes[](2);
        items[0] = hex"83636174";
        items[1] = hex"83646f67";
        assertEq(rlp.encodeList(items), hex"c88363617483646f67");
        assertEq(rlp.encodeList(new bytes[](0)), hex"c0");
    }

    function test_SlotZeroIsAbsent() public view {
        assertEq(mpt.encodeSlot(0), hex"");
        assertEq(mpt.decodeSlot(hex""), 0);
        assertEq(mpt.encodeSlot(0x80), hex"8180");
    }

    function testFuzz_SlotDecodesToWhatWasEncoded(uint256 v) public view {
        assertEq(mpt.decodeSlot(mpt.encodeSlot(v)), v);
    }

    function testFuzz_AccountDecodesToWhatWasEncoded(Mpt.Account memory a) public view {
        Mpt.Account memory b = mpt.decodeAccount(mpt.encodeAccount(a));
        assertEq(abi.encode(a), abi.encode(b));
    }

    function _expectBadRlp(bytes memory b, string memory message) internal {
        vm.expectRevert(abi.encodeWithSelector(BadItem.selector, message));
        rlp.strings(b);
    }

    /// @dev The node list of the one node `node`.
    function _list(bytes memory node) internal view returns (bytes memory) {
        bytes[] memory one = new bytes[](1);
        one[0] = rlp.encodeBytes(node);
        return rlp.encodeList(one);
    }

    function _startsWith(string memory s, string memory prefix) internal pure returns (bool) {
        bytes memory a = bytes(s);
        bytes memory p = bytes(prefix);
        if (a.length < p.length) return false;
        for (uint256 i = 0; i < p.length; i++) {
            if (a[i] != p[i]) return false;
        }
        return true;
    }
}

/// The gas of a typical account read and write: address A of a trie as deep as mainnet's on A's path (full
/// branches at depths 0 … 5, a branch of two at depth 6, then A's leaf; test/vectors/mpt.json's "gas"); and of
/// a CALL's two reads and two writes on such a trie.
/// Each test's gas (`forge snapshot`) is the harness call's and a small decoding of the vector; the call's
/// own gas is logged.
contract MptGasTest is MptVectors {
    address internal constant READ = address(0x6a5);
    address internal constant WRITE = address(0x6a6);
    address internal constant TRANSFER = address(0x6a7);

    /// @dev The vectors go to two accounts' code, so that a test reads them without the JSON file's memory.
    function setUp() public {
        mpt = new MptHarness();
        MptVector[] memory gas =
            abi.decode(vm.parseJsonTypeArray(vm.readFile(VECTORS), ".gas", VECTOR_TYPE), (MptVector[]));
        vm.etch(READ, abi.encode(gas[0]));
        vm.etch(WRITE, abi.encode(gas[1]));
        vm.etch(TRANSFER, vm.parseJsonType(vm.readFile(VECTORS), ".transfer", SEQUENCE_TYPE));
    }

    function test_GasOfAnAccountRead() public {
        MptVector memory v = abi.decode(READ.code, (MptVector));
        bytes memory proof = _proof(v.nodes);
        uint256 before = gasleft();
        (bool found, Mpt.Account memory a) = mpt.readAccount(proof, v.root, address(bytes20(v.key)));
        emit log_named_uint("account read (depth 7), gas", before - gasleft());
        assertTrue(found);
        assertEq(mpt.encodeAccount(a), v.value);
    }

    function test_GasOfAnAccountWrite() public {
        MptVector memory v = abi.decode(WRITE.code, (MptVector));
        bytes memory proof = _proof(v.nodes);
        Mpt.Account memory a = mpt.decodeAccount(v.value);
        uint256 before = gasleft();
        bytes32 post = mpt.writeAccount(proof, v.root, address(bytes20(v.key)), a);
        emit log_named_uint("account write (depth 7), gas", before - gasleft());
        assertEq(post, v.post);
    }

    /// @dev A CALL's two accounts read, then written in turn (test/vectors/mpt.json's "transfer": two addresses of
    ///      depth 7 whose paths part at the root), on one node set.
    function test_GasOfAValueTransferBetweenTwoAccounts() public {
        MptSequence memory q = abi.decode(TRANSFER.code, (MptSequence));
        bytes memory proof = _proof(q.nodes);
        (address from, address to) = (address(bytes20(q.ops[0].key)), address(bytes20(q.ops[1].key)));
        Mpt.Account memory fromAfter = mpt.decodeAccount(q.ops[2].value);
        Mpt.Account memory toAfter = mpt.decodeAccount(q.ops[3].value);
        uint256 before = gasleft();
        (Mpt.Account memory a, Mpt.Account memory b, bytes32 post) =
            mpt.transfer(proof, q.root, from, to, fromAfter, toAfter);
        emit log_named_uint("two account reads and two writes (depth 7), gas", before - gasleft());
        assertEq(mpt.encodeAccount(a), q.ops[0].value);
        assertEq(mpt.encodeAccount(b), q.ops[1].value);
        assertEq(post, q.ops[3].post);
    }
}
