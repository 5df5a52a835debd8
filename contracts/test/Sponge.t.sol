// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Test, console} from "forge-std/Test.sol";
import {BadItem} from "../src/evm/EvmErrors.sol";
import {Sponge} from "../src/evm/lib/Sponge.sol";

/// @dev The sponge behind an external call, for vm.expectRevert.
contract SpongeHarness {
    function absorb(bytes memory state, bytes memory blocks) external pure returns (bytes memory) {
        return Sponge.absorb(state, blocks);
    }
}

/// @dev A vector of test/vectors/sponge.json; fields in alphabetical order, as vm.parseJson decodes objects.
struct SpongeVector {
    bytes blocks;
    bytes from;
    bytes32 hash;
    string name;
    bytes state;
}

/// Sponge.sol against the EVM's own KECCAK256 (absorbing whole blocks, then squeezing the rest, gives keccak256 of
/// the whole at every split) and against the checker's src/check/sponge.ts (test/vectors/sponge.json, from
/// `pnpm gen:sponge-vectors` in packages/evm-native-proof): the same 200-byte state, so the same commitment a
/// frame holds between steps.
contract SpongeTest is Test {
    SpongeHarness internal harness;

    function setUp() public {
        harness = new SpongeHarness();
    }

    /// @dev `length` pseudo-random bytes: keccak256(seed, 0) ‖ keccak256(seed, 1) ‖ …
    function _bytes(bytes32 seed, uint256 length) internal pure returns (bytes memory b) {
        b = new bytes(length);
        for (uint256 at = 0; at < length; at += 32) {
            bytes32 word = keccak256(abi.encode(seed, at));
            assembly ("memory-safe") {
                mstore(add(add(b, 32), at), word)
            }
        }
    }

    function _slice(bytes memory b, uint256 from, uint256 to) internal pure returns (bytes memory s) {
        s = new bytes(to - from);
        assembly ("memory-safe") {
            mcopy(add(s, 32), add(add(b, 32), from), sub(to, from))
        }
    }

    /// @dev squeeze(absorb(empty, data[0:k]), data[k:]).
    function _hashSplit(bytes memory data, uint256 k) internal pure returns (bytes32) {
        bytes memory state = Sponge.absorb(new bytes(Sponge.STATE_BYTES), _slice(data, 0, k));
        return Sponge.squeeze(state, _slice(data, k, data.length));
    }

    function test_SqueezingFromTheEmptyStateIsKeccak256() public pure {
        uint256[10] memory lengths = [uint256(0), 1, 135, 136, 137, 271, 272, 1000, Sponge.CHUNK, Sponge.CHUNK + 5];
        for (uint256 i = 0; i < lengths.length; i++) {
            bytes memory data = _bytes(bytes32(i), lengths[i]);
            assertEq(Sponge.squeeze(new bytes(Sponge.STATE_BYTES), data), keccak256(data), vm.toString(lengths[i]));
        }
    }

    function test_AbsorbingWholeBlocksThenSqueezingTheRestIsKeccak256() public pure {
        uint256[8] memory lengths = [uint256(136), 137, 271, 272, 1000, 1088, Sponge.CHUNK, Sponge.CHUNK + 5];
        for (uint256 i = 0; i < lengths.length; i++) {
            bytes memory data = _bytes(bytes32(i), lengths[i]);
            uint256 blocks = lengths[i] / Sponge.RATE;
            uint256[3] memory splits = [uint256(1), (blocks + 1) / 2, blocks];
            for (uint256 j = 0; j < splits.length; j++) {
                assertEq(_hashSplit(data, splits[j] * Sponge.RATE), keccak256(data), vm.toString(lengths[i]));
            }
        }
    }

    function testFuzz_AbsorbingWholeBlocksThenSqueezingTheRestIsKeccak256(bytes32 seed, uint256 length, uint256 split)
        public
        pure
    {
        length = _bound(length, 0, 4096);
        split = _bound(split, 0, length / Sponge.RATE) * Sponge.RATE;
        bytes memory data = _bytes(seed, length);
        assertEq(_hashSplit(data, split), keccak256(data));
    }

    function test_StateIsTheCheckersOnEveryVector() public view {
        SpongeVector[] memory vs = abi.decode(
            vm.parseJsonTypeArray(
                vm.readFile("test/vectors/sponge.json"),
                ".vectors",
                "SpongeVector(bytes blocks,bytes from,bytes32 hash,string name,bytes state)"
            ),
            (SpongeVector[])
        );
        assertEq(vs.length, 4);
        for (uint256 i = 0; i < vs.length; i++) {
            bytes memory state = Sponge.absorb(vs[i].from, vs[i].blocks);
            assertEq(state, vs[i].state, vs[i].name);
            assertEq(keccak256(state), vs[i].hash, vs[i].name);
        }
    }

    function test_AbsorbingLeavesTheGivenStateAsItWas() public pure {
        bytes memory state = _bytes("a state", Sponge.STATE_BYTES);
        bytes memory before = bytes.concat(state);
        bytes memory next = Sponge.absorb(state, _bytes("blocks", 2 * Sponge.RATE));
        assertEq(state, before);
        assertNotEq(keccak256(next), keccak256(state));
    }

    function test_APartBlockReverts() public {
        vm.expectRevert(abi.encodeWithSelector(BadItem.selector, "sponge: blocks are absorbed whole, 136 bytes each"));
        harness.absorb(new bytes(Sponge.STATE_BYTES), new bytes(Sponge.RATE + 1));
    }

    function test_AStateOfAnotherLengthReverts() public {
        vm.expectRevert(abi.encodeWithSelector(BadItem.selector, "sponge: a state is 200 bytes"));
        harness.absorb(new bytes(Sponge.STATE_BYTES - 1), new bytes(Sponge.RATE));
    }

    /// @dev One step's chunk, 240 blocks, for `forge snapshot`; it also logs the gas of a block (its xor into the
    ///      state and one Keccak-f).
    function test_GasOfAbsorbingAStepsChunk() public view {
        bytes memory empty = new bytes(Sponge.STATE_BYTES);
        bytes memory chunk = new bytes(Sponge.CHUNK);
        uint256 gas = gasleft();
        Sponge.absorb(empty, "");
        uint256 none = gas - gasleft();
        gas = gasleft();
        bytes memory state = Sponge.absorb(empty, chunk);
        uint256 all = gas - gasleft();
        console.log("absorbing a chunk of 240 blocks:", all, "gas; a block:", (all - none) / 240);
        assertEq(Sponge.squeeze(state, ""), keccak256(chunk));
    }
}
