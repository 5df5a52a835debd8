// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Test, Vm} from "forge-std/Test.sol";
import {BytesOracle} from "../src/evm/BytesOracle.sol";
import {CodeOracle} from "../src/evm/CodeOracle.sol";
import {BadItem} from "../src/evm/EvmErrors.sol";

/// @dev A code of test/vectors/codes.json; fields in alphabetical order, as vm.parseJson decodes objects.
struct CodeVector {
    bytes code;
    address delegate;
    bytes32 hash;
    string name;
    bytes32 root;
    uint256 size;
}

/// @dev A byte string of test/vectors/codes.json.
struct BytesVector {
    bytes data;
    bytes32 hash;
    string name;
    bytes32 root;
    uint256 size;
}

string constant VECTORS = "test/vectors/codes.json";
string constant CODE_TYPE =
    "CodeVector(bytes code,address delegate,bytes32 hash,string name,bytes32 root,uint256 size)";
bytes32 constant EMPTY_HASH = keccak256("");
string constant BYTES_TYPE = "BytesVector(bytes data,bytes32 hash,string name,bytes32 root,uint256 size)";

/// @dev The vectors of test/vectors/codes.json.
abstract contract CodeVectors is Test {
    function _codes() internal view returns (CodeVector[] memory) {
        return abi.decode(vm.parseJsonTypeArray(vm.readFile(VECTORS), ".codes", CODE_TYPE), (CodeVector[]));
    }

    function _bytes() internal view returns (BytesVector[] memory) {
        return abi.decode(vm.parseJsonTypeArray(vm.readFile(VECTORS), ".bytes", BYTES_TYPE), (BytesVector[]));
    }

    /// @dev The code vector named `name`.
    function _code(string memory name) internal view returns (CodeVector memory) {
        CodeVector[] memory codes = _codes();
        for (uint256 i = 0; i < codes.length; i++) {
            if (keccak256(bytes(codes[i].name)) == keccak256(bytes(name))) return codes[i];
        }
        revert(string.concat("no code vector named ", name));
    }

    /// @dev The byte string vector named `name`.
    function _byteString(string memory name) internal view returns (BytesVector memory) {
        BytesVector[] memory all = _bytes();
        for (uint256 i = 0; i < all.length; i++) {
            if (keccak256(bytes(all[i].name)) == keccak256(bytes(name))) return all[i];
        }
        revert(string.concat("no byte string vector named ", name));
    }
}

/// CodeOracle.sol and BytesOracle.sol give the checker's answers (test/vectors/codes.json, from
/// `pnpm gen:code-vectors`: src/check/trees.ts's codeRoot and bytesRoot, src/check/index.ts's delegate rule)
/// on every code of the corpora's pre-states and on edge cases of the jump analysis and the trees' shapes.
contract CodeOracleTest is CodeVectors {
    CodeOracle internal oracle;
    BytesOracle internal bytesOracle;

    function setUp() public {
        oracle = new CodeOracle();
        bytesOracle = new BytesOracle();
    }

    function test_EveryCodeGetsTheCheckersRootSizeAndDelegate() public {
        CodeVector[] memory codes = _codes();
        for (uint256 i = 0; i < codes.length; i++) {
            CodeVector memory v = codes[i];
            assertEq(oracle.post(v.code), v.hash, v.name);
            (bool known, bytes32 root, uint256 size, address delegate) = oracle.code(v.hash);
            assertTrue(known, v.name);
            assertEq(root, v.root, v.name);
            assertEq(size, v.size, v.name);
            assertEq(delegate, v.delegate, v.name);
        }
    }

    function test_AnUnpostedCodeIsUnknown() public view {
        (bool known, bytes32 root, uint256 size, address delegate) = oracle.code(keccak256(hex"5b"));
        assertFalse(known);
        assertEq(root, 0);
        assertEq(size, 0);
        assertEq(delegate, address(0));
    }

    function test_TheEmptyCodeIsKnownWithoutAPost() public view {
        CodeVector memory empty = _code("empty");
        (bool known, bytes32 root, uint256 size, address delegate) = oracle.code(EMPTY_HASH);
        assertTrue(known);
        assertEq(root, empty.root);
        assertEq(size, 0);
        assertEq(delegate, address(0));
    }

    function test_PostingTheEmptyCodeEmitsNothing() public {
        vm.recordLogs();
        assertEq(oracle.post(""), EMPTY_HASH);
        assertEq(vm.getRecordedLogs().length, 0);
    }

    function test_ANewCodeEmitsCodePosted() public {
        CodeVector memory v = _code("an EIP-7702 delegation designator");
        vm.expectEmit(address(oracle));
        emit CodeOracle.CodePosted(v.hash, v.root, v.size, v.delegate);
        oracle.post(v.code);
    }

    function test_RepostingACodeChangesNothingAndEmitsNothing() public {
        CodeVector memory v = _code("33 bytes");
        oracle.post(v.code);
        vm.recordLogs();
        assertEq(oracle.post(v.code), v.hash);
        assertEq(vm.getRecordedLogs().length, 0);
        (bool known, bytes32 root, uint256 size,) = oracle.code(v.hash);
        assertTrue(known);
        assertEq(root, v.root);
        assertEq(size, v.size);
    }

    function test_ACodeLongerThanACodeTreeReverts() public {
        vm.expectRevert(abi.encodeWithSelector(BadItem.selector, "code: longer than the 2^16 chunks of a code tree"));
        oracle.post(new bytes((32 << 16) + 1));
    }

    /// @dev 2 MiB of STOPs: every leaf is H(32 zero bytes ‖ a zero mask), so each level is one node paired with itself.
    function test_ACodeFillingTheCodeTreeIsPosted() public {
        bytes memory code = new bytes(32 << 16);
        oracle.post(code);
        bytes32 node = keccak256(new bytes(36));
        for (uint256 h = 0; h < 16; h++) {
            node = keccak256(abi.encode(node, node));
        }
        (bool known, bytes32 root, uint256 size,) = oracle.code(keccak256(code));
        assertTrue(known);
        assertEq(root, node);
        assertEq(size, 32 << 16);
    }

    function test_EveryByteStringGetsTheCheckersRootAndSize() public {
        BytesVector[] memory all = _bytes();
        for (uint256 i = 0; i < all.length; i++) {
            BytesVector memory v = all[i];
            assertEq(bytesOracle.post(v.data), v.hash, v.name);
            (bool known, bytes32 root, uint256 size) = bytesOracle.bytesOf(v.hash);
            assertTrue(known, v.name);
            assertEq(root, v.root, v.name);
            assertEq(size, v.size, v.name);
        }
    }

    function test_AnUnpostedByteStringIsUnknown() public view {
        (bool known, bytes32 root, uint256 size) = bytesOracle.bytesOf(EMPTY_HASH);
        assertFalse(known);
        assertEq(root, 0);
        assertEq(size, 0);
    }

    function test_ANewByteStringEmitsBytesPosted() public {
        BytesVector memory v = _byteString("33 bytes");
        vm.expectEmit(address(bytesOracle));
        emit BytesOracle.BytesPosted(v.hash, v.root, v.size);
        bytesOracle.post(v.data);
    }

    function test_RepostingAByteStringChangesNothingAndEmitsNothing() public {
        BytesVector memory v = _byteString("64 bytes");
        bytesOracle.post(v.data);
        vm.recordLogs();
        assertEq(bytesOracle.post(v.data), v.hash);
        assertEq(vm.getRecordedLogs().length, 0);
        (bool known, bytes32 root, uint256 size) = bytesOracle.bytesOf(v.hash);
        assertTrue(known);
        assertEq(root, v.root);
        assertEq(size, v.size);
    }

    function testFuzz_CodeRootIsTheLeafByLeafRoot(bytes memory code) public {
        oracle.post(code);
        (, bytes32 root, uint256 size,) = oracle.code(keccak256(code));
        assertEq(root, SlowTrees.codeRoot(code));
        assertEq(size, code.length);
    }

    /// @dev Codes of up to 2,000 bytes, a quarter JUMPDESTs and a quarter PUSHes (uniform bytes have few of either).
    function testFuzz_CodeRootOfPushesAndJumpdestsIsTheLeafByLeafRoot(uint256 seed, uint16 length) public {
        bytes memory code = new bytes(length % 2001);
        for (uint256 i = 0; i < code.length; i++) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            uint256 kind = r & 3;
            code[i] = bytes1(uint8(kind == 0 ? 0x5b : kind == 1 ? 0x60 + ((r >> 8) & 31) : r >> 16));
        }
        oracle.post(code);
        (, bytes32 root,,) = oracle.code(keccak256(code));
        assertEq(root, SlowTrees.codeRoot(code));
    }

    function testFuzz_BytesRootIsTheLeafByLeafRoot(bytes memory data) public {
        bytesOracle.post(data);
        (, bytes32 root, uint256 size) = bytesOracle.bytesOf(keccak256(data));
        assertEq(root, SlowTrees.bytesRoot(data, 24));
        assertEq(size, data.length);
    }
}

/// The gas of posting the largest code (24,576 bytes: the corpus codes end to end, and the two extremes of the
/// scan, a JUMPDEST in every byte and a PUSH in every other) and the largest initcode-sized byte string (49,152 bytes). Each test's gas (`forge snapshot`)
/// is the post's and a decoding of its vector; the post's own gas is logged.
contract CodeOracleGasTest is CodeVectors {
    address internal constant CODE = address(0xc0de);
    address internal constant JUMPDESTS = address(0xc0df);
    address internal constant PUSHES = address(0xc0e0);
    address internal constant BYTES = address(0xb17e);
    CodeOracle internal oracle;
    BytesOracle internal bytesOracle;

    /// @dev The vectors go to accounts' code, so that a test reads them without the JSON file's memory.
    function setUp() public {
        oracle = new CodeOracle();
        bytesOracle = new BytesOracle();
        vm.etch(CODE, abi.encode(_code("24576 bytes: the corpus codes end to end")));
        vm.etch(JUMPDESTS, abi.encode(_code("24576 JUMPDESTs")));
        vm.etch(PUSHES, abi.encode(_code("24576 PUSH1 bytes: a PUSH every other byte")));
        vm.etch(BYTES, abi.encode(_byteString("49152 bytes")));
    }

    function test_GasOfPostingA24KiBCode() public {
        _postCode(CODE, "post of a 24,576-byte code, gas");
    }

    function test_GasOfPostingA24KiBCodeOfJumpdests() public {
        _postCode(JUMPDESTS, "post of 24,576 JUMPDESTs, gas");
    }

    function test_GasOfPostingA24KiBCodeOfPushes() public {
        _postCode(PUSHES, "post of 24,576 PUSH1 bytes, gas");
    }

    function test_GasOfPostingA48KiBByteString() public {
        BytesVector memory v = abi.decode(BYTES.code, (BytesVector));
        assertEq(v.size, 49_152);
        uint256 before = gasleft();
        bytesOracle.post(v.data);
        emit log_named_uint("post of 49,152 bytes, gas", before - gasleft());
        (, bytes32 root,) = bytesOracle.bytesOf(v.hash);
        assertEq(root, v.root);
    }

    function _postCode(address at, string memory what) private {
        CodeVector memory v = abi.decode(at.code, (CodeVector));
        assertEq(v.size, 24_576);
        uint256 before = gasleft();
        oracle.post(v.code);
        emit log_named_uint(what, before - gasleft());
        (, bytes32 root,,) = oracle.code(v.hash);
        assertEq(root, v.root);
    }
}

/// @dev SPEC.md §1's trees the obvious way, leaf by leaf and level by level: a second check of ChunkTrees.
library SlowTrees {
    /// @dev Byte j of the code is a jump destination: a JUMPDEST reached by stepping over every PUSH's immediate.
    function jumpdests(bytes memory code) internal pure returns (bool[] memory dest) {
        dest = new bool[](code.length);
        for (uint256 pc = 0; pc < code.length; pc++) {
            uint8 op = uint8(code[pc]);
            if (op == 0x5b) dest[pc] = true;
            if (op >= 0x60 && op <= 0x7f) pc += op - 0x5f;
        }
    }

    function codeRoot(bytes memory code) internal pure returns (bytes32) {
        bool[] memory dest = jumpdests(code);
        bytes32[] memory leaves = new bytes32[]((code.length + 31) / 32);
        for (uint256 i = 0; i < leaves.length; i++) {
            bytes memory leaf = new bytes(36);
            for (uint256 j = 0; j < 32 && 32 * i + j < code.length; j++) {
                leaf[j] = code[32 * i + j];
                if (dest[32 * i + j]) leaf[32 + j / 8] |= bytes1(uint8(0x80 >> (j % 8)));
            }
            leaves[i] = keccak256(leaf);
        }
        return root(leaves, 16);
    }

    function bytesRoot(bytes memory data, uint256 depth) internal pure returns (bytes32) {
        bytes32[] memory leaves = new bytes32[]((data.length + 31) / 32);
        for (uint256 i = 0; i < data.length; i++) {
            leaves[i / 32] |= bytes32(data[i]) >> (8 * (i % 32));
        }
        return root(leaves, depth);
    }

    /// @dev The root of a depth-`depth` tree over `leaves`, the missing ones zero.
    function root(bytes32[] memory leaves, uint256 depth) internal pure returns (bytes32) {
        bytes32[] memory level = leaves;
        bytes32 zero = 0;
        for (uint256 h = 0; h < depth; h++) {
            bytes32[] memory up = new bytes32[]((level.length + 1) / 2);
            for (uint256 i = 0; i < up.length; i++) {
                bytes32 right = 2 * i + 1 < level.length ? level[2 * i + 1] : zero;
                up[i] = keccak256(abi.encodePacked(level[2 * i], right));
            }
            level = up;
            zero = keccak256(abi.encodePacked(zero, zero));
        }
        return level.length == 0 ? zero : level[0];
    }
}
