// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Test} from "forge-std/Test.sol";
import {Token} from "../src/scenarios/Token.sol";
import {Pair} from "../src/scenarios/Pair.sol";
import {Factory, Child} from "../src/scenarios/Factory.sol";
import {Store} from "../src/scenarios/Store.sol";
import {Nest} from "../src/scenarios/Nest.sol";
import {Ephemeral, Doomed} from "../src/scenarios/Ephemeral.sol";
import {Probe} from "../src/scenarios/Probe.sol";

/// The scenario contracts behave as the block generator assumes.
contract ScenariosTest is Test {
    address internal alice = address(0xA11CE);
    address internal bob = address(0xB0B);

    function test_TokenTransferMovesBalance() public {
        Token t = new Token("A", "A", alice, 1000);
        vm.prank(alice);
        t.transfer(bob, 300);
        assertEq(t.balanceOf(alice), 700);
        assertEq(t.balanceOf(bob), 300);
    }

    function test_TokenTransferBeyondBalanceReverts() public {
        Token t = new Token("A", "A", alice, 10);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(Token.InsufficientBalance.selector, alice, 10, 11));
        t.transfer(bob, 11);
    }

    function test_PairSwapFollowsConstantProductWithFee() public {
        Token a = new Token("A", "A", alice, 1e24);
        Token b = new Token("B", "B", alice, 1e24);
        Pair p = new Pair(a, b);
        vm.startPrank(alice);
        a.approve(address(p), type(uint256).max);
        b.approve(address(p), type(uint256).max);
        p.addLiquidity(1e21, 2e21);
        uint256 out = p.swap(1e18, true, 0, bob);
        vm.stopPrank();
        uint256 expected = (uint256(1e18) * 997 * 2e21) / (uint256(1e21) * 1000 + uint256(1e18) * 997);
        assertEq(out, expected);
        assertEq(b.balanceOf(bob), out);
        assertEq(uint256(p.reserve0()), uint256(1e21 + 1e18));
    }

    function test_FactoryCreate2LandsAtThePredictedAddress() public {
        Factory f = new Factory();
        bytes32 salt = bytes32(uint256(7));
        address child = f.create2(42, salt);
        bytes32 initHash = keccak256(abi.encodePacked(type(Child).creationCode, abi.encode(uint256(42))));
        assertEq(child, vm.computeCreate2Address(salt, initHash, address(f)));
        assertEq(Child(child).seed(), 42);
    }

    function test_StoreClearZeroesSlots() public {
        Store s = new Store();
        s.fill(0, 4, 1);
        assertTrue(s.slots(3) != 0);
        s.clear(0, 4);
        assertEq(s.slots(3), 0);
    }

    function test_NestRevertUndoesOnlyTheInnerFrames() public {
        Nest n = new Nest();
        uint256 reached = n.dive(4, 2);
        assertEq(reached, 3);
        assertEq(n.marks(4), 5);
        assertEq(n.marks(3), 4);
        assertEq(n.marks(2), 0);
    }

    function test_NestStaticcallCannotWrite() public {
        Nest n = new Nest();
        (, bool writeFailed) = n.peek(address(n));
        assertTrue(writeFailed);
    }

    function test_SelfdestructInCreatingTxDeletesTheContract() public {
        Ephemeral e = new Ephemeral();
        e.plant{value: 1 ether}();
        address survivor = address(e.survivor());
        e.destroyOld(payable(bob));
        assertEq(bob.balance, 1 ether);
        assertGt(survivor.code.length, 0);
    }

    function test_ProbeRecordsPrecompileOutput() public {
        Probe p = new Probe();
        (bool ok, bytes memory out) = p.probe(address(2), "abc");
        assertTrue(ok);
        assertEq(bytes32(out), sha256("abc"));
        assertEq(p.outcome(address(2)), keccak256(abi.encodePacked(true, out)));
    }

    function test_ProbeOkRevertsOnARejectedInput() public {
        Probe p = new Probe();
        // ecrecover answers a malformed signature with success and no output.
        vm.expectRevert(abi.encodeWithSelector(Probe.CallFailed.selector, address(1), true, 0));
        p.probeOk(address(1), new bytes(128));
    }
}
