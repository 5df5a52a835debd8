// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Test} from "forge-std/Test.sol";
import {MIPS} from "../src/mips/MIPS.sol";
import {PreimageOracle} from "../src/mips/PreimageOracle.sol";
import {MIPSMemory} from "../src/mips/lib/MIPSMemory.sol";

/// MIPS.sol replays witnesses of the TypeScript VM (test/vectors/mips-steps.json, from
/// `pnpm gen:mips-vectors`) and must reach the same post-state hash; broken witnesses revert.
contract MIPSTest is Test {
    /// @dev Fields in alphabetical order, as vm.parseJson decodes objects.
    struct Vector {
        string name;
        bytes32 post;
        bytes preimage;
        bytes32 preimageKey;
        uint256 preimageOffset;
        bytes proof;
        bytes stateData;
    }

    MIPS internal mips;
    PreimageOracle internal oracle;

    function setUp() public {
        oracle = new PreimageOracle();
        mips = new MIPS(oracle);
    }

    /// @dev Parsed per test, in memory: copying 4.6 MB of vectors into storage would cost billions of gas.
    ///      Typed parsing: untyped vm.parseJson would take a 32-byte `preimage` for a bytes32.
    function _vectors() internal view returns (Vector[] memory) {
        bytes memory encoded = vm.parseJsonTypeArray(
            vm.readFile("test/vectors/mips-steps.json"),
            ".vectors",
            "Vector(string name,bytes32 post,bytes preimage,bytes32 preimageKey,uint256 preimageOffset,bytes proof,bytes stateData)"
        );
        return abi.decode(encoded, (Vector[]));
    }

    function _load(Vector memory v) internal {
        if (v.preimage.length == 0) return;
        if (uint8(v.preimageKey[0]) == 1) {
            // Local data (at most 32 bytes), bound to this contract, which calls step.
            uint256 ident = uint256(v.preimageKey) & type(uint248).max;
            bytes32 local =
                oracle.loadLocalData(ident, bytes32(0), bytes32(v.preimage), v.preimage.length, v.preimageOffset);
            assertEq(local, oracle.localKey(ident, bytes32(0)), "local data lands under the key MIPS.sol reads");
            return;
        }
        bytes32 key = oracle.loadKeccak256PreimagePart(v.preimageOffset, v.preimage);
        assertEq(key, v.preimageKey, "the vector's preimage hashes to its key");
    }

    function test_StepMatchesTheTypeScriptVmOnEveryVector() public {
        Vector[] memory vectors = _vectors();
        assertGt(vectors.length, 500);
        for (uint256 i = 0; i < vectors.length; i++) {
            Vector memory v = vectors[i];
            _load(v);
            assertEq(mips.step(v.stateData, v.proof, bytes32(0)), v.post, v.name);
        }
    }

    function test_FlippedBitInTheMemoryRootReverts() public {
        Vector[] memory vectors = _vectors();
        Vector memory v = vectors[0];
        v.stateData[3] ^= 0x01;
        vm.expectRevert();
        mips.step(v.stateData, v.proof, bytes32(0));
    }

    function test_FlippedBitInAnInstructionProofReverts() public {
        Vector[] memory vectors = _vectors();
        Vector memory v = vectors[0];
        v.proof[100] ^= 0x80;
        vm.expectRevert(
            abi.encodeWithSelector(MIPSMemory.InvalidMemoryProof.selector, uint32(bytes4(_slice(v.stateData, 68, 4))))
        );
        mips.step(v.stateData, v.proof, bytes32(0));
    }

    function test_FlippedBitInADataProofReverts() public {
        Vector[] memory vectors = _vectors();
        for (uint256 i = 0; i < vectors.length; i++) {
            Vector memory v = vectors[i];
            // A store: the second proof is used and non-zero.
            if (v.proof.length < 2 * 896 || uint8(v.proof[896 + 40]) == 0 && uint8(v.proof[896 + 41]) == 0) continue;
            v.proof[896 + 40] ^= 0x01;
            _load(v);
            vm.expectRevert();
            mips.step(v.stateData, v.proof, bytes32(0));
            return;
        }
        revert("no vector with a data proof");
    }

    function test_AMissingProofReverts() public {
        Vector[] memory vectors = _vectors();
        Vector memory v = vectors[0];
        vm.expectRevert(abi.encodeWithSelector(MIPSMemory.MissingMemoryProof.selector, 0));
        mips.step(v.stateData, new bytes(100), bytes32(0));
    }

    function test_APreimageReadWithoutTheLoadedPartReverts() public {
        Vector[] memory vectors = _vectors();
        for (uint256 i = 0; i < vectors.length; i++) {
            Vector memory v = vectors[i];
            if (v.preimage.length == 0) continue;
            vm.expectRevert(
                abi.encodeWithSelector(PreimageOracle.PartNotLoaded.selector, v.preimageKey, v.preimageOffset)
            );
            mips.step(v.stateData, v.proof, bytes32(0));
            return;
        }
        revert("no preimage vector");
    }

    function test_LocalDataOfAnotherContextIsNotRead() public {
        Vector[] memory vectors = _vectors();
        for (uint256 i = 0; i < vectors.length; i++) {
            Vector memory v = vectors[i];
            if (v.preimage.length == 0 || uint8(v.preimageKey[0]) != 1) continue;
            uint256 ident = uint256(v.preimageKey) & type(uint248).max;
            oracle.loadLocalData(ident, bytes32(uint256(1)), bytes32(v.preimage), v.preimage.length, v.preimageOffset);
            vm.expectRevert(
                abi.encodeWithSelector(
                    PreimageOracle.PartNotLoaded.selector, oracle.localKey(ident, bytes32(0)), v.preimageOffset
                )
            );
            mips.step(v.stateData, v.proof, bytes32(0));
            return;
        }
        revert("no vector reads local data");
    }

    function test_AWrongPreimageCannotBeLoadedUnderTheKey() public {
        Vector[] memory vectors = _vectors();
        for (uint256 i = 0; i < vectors.length; i++) {
            Vector memory v = vectors[i];
            if (v.preimage.length == 0) continue;
            v.preimage[0] ^= 0x01;
            bytes32 key = oracle.loadKeccak256PreimagePart(v.preimageOffset, v.preimage);
            assertTrue(key != v.preimageKey);
            vm.expectRevert(
                abi.encodeWithSelector(PreimageOracle.PartNotLoaded.selector, v.preimageKey, v.preimageOffset)
            );
            mips.step(v.stateData, v.proof, bytes32(0));
            return;
        }
        revert("no preimage vector");
    }

    function _slice(bytes memory b, uint256 start, uint256 len) internal pure returns (bytes memory out) {
        out = new bytes(len);
        for (uint256 i = 0; i < len; i++) {
            out[i] = b[start + i];
        }
    }
}
