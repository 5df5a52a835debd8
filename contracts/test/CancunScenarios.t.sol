// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Test} from "forge-std/Test.sol";
import {Transient} from "../src/scenarios/Transient.sol";
import {Hasher} from "../src/scenarios/Hasher.sol";

/// The scenario contracts that need Cancun opcodes (TSTORE/TLOAD, MCOPY).
contract CancunScenariosTest is Test {
    function test_TransientValueIsVisibleToNestedFrames() public {
        Transient t = new Transient();
        t.run(99);
        // 100 would mean the reentrant run(100) got past the transient lock.
        assertEq(t.observed(), 99);
    }

    function test_HasherMcopyShiftsMemory() public {
        Hasher h = new Hasher();
        bytes32 d = h.mcopy(4, 16);
        assertTrue(d != bytes32(0));
        assertEq(h.last(), d);
    }
}
