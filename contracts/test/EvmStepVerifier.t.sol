// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Test} from "forge-std/Test.sol";
import {CodeOracle} from "../src/evm/CodeOracle.sol";
import {EvmStepVerifier} from "../src/evm/EvmStepVerifier.sol";
import {ICodeOracle} from "../src/evm/ICodeOracle.sol";
import {Opcodes} from "../src/evm/opcode/Opcodes.sol";
import {CallOpcodes} from "../src/evm/provers/CallOpcodes.sol";
import {CreateOpcodes} from "../src/evm/provers/CreateOpcodes.sol";
import {EnvironmentOpcodes} from "../src/evm/provers/EnvironmentOpcodes.sol";
import {FrameExits} from "../src/evm/provers/FrameExits.sol";
import {MachineOpcodes} from "../src/evm/provers/MachineOpcodes.sol";
import {MemoryOpcodes} from "../src/evm/provers/MemoryOpcodes.sol";
import {SelfdestructOpcodes} from "../src/evm/provers/SelfdestructOpcodes.sol";
import {StorageOpcodes} from "../src/evm/provers/StorageOpcodes.sol";
import {TxEnds} from "../src/evm/provers/TxEnds.sol";

/// @dev Exposes the verifier's opcode table to the test.
contract OpcodesHarness {
    function shape(uint8 op, uint8 fork) external pure returns (bool, uint256, uint256) {
        return Opcodes.shape(op, fork);
    }
}

/// EvmStepVerifier replays real opcode steps cut by the tracer (test/vectors/evm-steps.json, from
/// `pnpm gen:evm-vectors`) and must reach the reference checker's post-state on every one; a changed
/// witness byte reverts or gives the honest post, never another.
contract EvmStepVerifierTest is Test {
    /// @dev Fields in alphabetical order, as vm.parseJson decodes objects.
    struct StepVector {
        bytes[] codes;
        string kind;
        string name;
        uint256 opcode;
        bytes32 post;
        bytes proof;
        bytes stateData;
    }

    struct ShapeVector {
        bool defined;
        uint256 fork;
        uint256 gas;
        uint256 opcode;
        uint256 reads;
    }

    CodeOracle internal codes;
    EvmStepVerifier internal verifier;
    OpcodesHarness internal opcodes;

    function setUp() public {
        codes = new CodeOracle();
        ICodeOracle oracle = ICodeOracle(address(codes));
        verifier = new EvmStepVerifier(
            EvmStepVerifier.Parts({
                machine: new MachineOpcodes(oracle),
                environment: new EnvironmentOpcodes(oracle),
                memory_: new MemoryOpcodes(oracle),
                storage_: new StorageOpcodes(oracle),
                calls: new CallOpcodes(oracle),
                creates: new CreateOpcodes(oracle),
                selfdestructs: new SelfdestructOpcodes(oracle),
                exits: new FrameExits(),
                txEnds: new TxEnds()
            })
        );
        opcodes = new OpcodesHarness();
    }

    function _json() internal view returns (string memory) {
        return vm.readFile("test/vectors/evm-steps.json");
    }

    function _steps() internal view returns (StepVector[] memory) {
        bytes memory encoded = vm.parseJsonTypeArray(
            _json(),
            ".steps",
            "StepVector(bytes[] codes,string kind,string name,uint256 opcode,bytes32 post,bytes proof,bytes stateData)"
        );
        return abi.decode(encoded, (StepVector[]));
    }

    function test_StepMatchesTheCheckerOnEveryVector() public {
        StepVector[] memory steps = _steps();
        assertGt(steps.length, 900);
        for (uint256 i = 0; i < steps.length; i++) {
            StepVector memory v = steps[i];
            _post(v);
            try verifier.step(v.stateData, v.proof, bytes32(0)) returns (bytes32 post) {
                assertEq(post, v.post, v.name);
            } catch (bytes memory reason) {
                emit log_named_bytes(v.name, reason);
                fail();
            }
        }
    }

    /// @dev The codes a step reads, posted to the CodeOracle first (as the honest party does).
    function _post(StepVector memory v) internal {
        for (uint256 i = 0; i < v.codes.length; i++) {
            codes.post(v.codes[i]);
        }
    }

    /// @dev A step that reads a code nobody posted reverts naming it: the oracle is the only source of code roots.
    function test_AStepReadingAnUnpostedCodeReverts() public {
        StepVector[] memory steps = _steps();
        uint256 tried;
        for (uint256 i = 0; i < steps.length && tried < 4; i++) {
            if (steps[i].codes.length == 0) continue;
            tried++;
            vm.expectRevert(
                abi.encodeWithSignature(
                    "NotCommitted(string)", "the account's code is not registered with the code oracle"
                )
            );
            verifier.step(steps[i].stateData, steps[i].proof, bytes32(0));
        }
        assertGt(tried, 0, "no vector reads a code");
    }

    function test_OpcodeTableIsTheCheckersOnEveryFork() public view {
        bytes memory encoded = vm.parseJsonTypeArray(
            _json(), ".shapes", "ShapeVector(bool defined,uint256 fork,uint256 gas,uint256 opcode,uint256 reads)"
        );
        ShapeVector[] memory shapes = abi.decode(encoded, (ShapeVector[]));
        assertEq(shapes.length, 1024);
        for (uint256 i = 0; i < shapes.length; i++) {
            ShapeVector memory s = shapes[i];
            (bool defined, uint256 reads, uint256 gas) = opcodes.shape(uint8(s.opcode), uint8(s.fork));
            assertEq(defined, s.defined, "defined");
            assertEq(reads, s.reads, "reads");
            assertEq(gas, s.gas, "gas");
        }
    }

    /// @dev The generator's list of proven opcodes (scripts/vectors.ts `provenOnChain`, which picks the
    ///      vectors) is the contract's: an opcode proven on-chain but missing there would go untested.
    function test_ProvenOpcodesAreTheVectorGeneratorsList() public view {
        uint256[] memory listed = vm.parseJsonUintArray(_json(), ".proven");
        uint256 next;
        for (uint256 op = 0; op < 256; op++) {
            bool inList = next < listed.length && listed[next] == op;
            if (inList) next++;
            assertEq(verifier.proven(uint8(op)), inList, vm.toString(op));
        }
        assertEq(next, listed.length, "the list is sorted and within 0-255");
    }

    /// @dev Every vector's opcode is proven; every proven opcode has a vector on some fork.
    function test_EveryProvenOpcodeHasAVector() public view {
        StepVector[] memory steps = _steps();
        bool[256] memory seen;
        for (uint256 i = 0; i < steps.length; i++) {
            if (keccak256(bytes(steps[i].kind)) != keccak256("opcode")) continue;
            assertTrue(verifier.proven(uint8(steps[i].opcode)), steps[i].name);
            seen[steps[i].opcode] = true;
        }
        for (uint256 op = 0; op < 256; op++) {
            if (verifier.proven(uint8(op))) {
                assertTrue(seen[op], string.concat("no vector of opcode ", vm.toString(op)));
            }
        }
    }

    /// @dev Every 7th vector, 12 bytes of its proof each changed in turn (its items' lengths, the frame,
    ///      the code leaf and its siblings, the stack): the verifier reverts or returns the honest post.
    function test_AChangedWitnessByteNeverGivesAnotherPost() public {
        StepVector[] memory steps = _steps();
        uint256 reverted;
        for (uint256 i = 0; i < steps.length; i += 7) {
            StepVector memory v = steps[i];
            _post(v);
            for (uint256 k = 0; k < 12; k++) {
                uint256 at = uint256(keccak256(abi.encode(i, k))) % v.proof.length;
                bytes memory proof = bytes.concat(v.proof);
                proof[at] = bytes1(uint8(proof[at]) ^ 0x01);
                try verifier.step(v.stateData, proof, bytes32(0)) returns (bytes32 post) {
                    assertEq(post, v.post, v.name);
                } catch {
                    reverted++;
                }
            }
        }
        // Every byte of these witnesses is read and committed to, so nearly every change reverts.
        assertGt(reverted, (steps.length / 7) * 11);
    }

    function test_AnUnprovenStepKindRevertsNamingIt() public {
        StepVector memory v = _steps()[0];
        bytes memory stateData = bytes.concat(v.stateData);
        stateData[1] = bytes1(uint8(8)); // TX_RECEIPT
        vm.expectRevert(abi.encodeWithSignature("NotImplemented(uint8,uint8)", uint8(8), uint8(0)));
        verifier.step(stateData, v.proof, bytes32(0));
    }

    function test_StateDataOfAnotherVersionReverts() public {
        StepVector memory v = _steps()[0];
        bytes memory stateData = bytes.concat(v.stateData);
        stateData[0] = bytes1(uint8(9));
        vm.expectRevert(abi.encodeWithSignature("BadStateData(string)", "stateData is not of version 10"));
        verifier.step(stateData, v.proof, bytes32(0));
    }
}
