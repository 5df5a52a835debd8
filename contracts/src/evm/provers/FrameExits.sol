// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {FrameExit} from "../FrameExit.sol";
import {EvmLayout} from "../lib/EvmLayout.sol";
import {WitnessReader} from "../lib/WitnessReader.sol";
import {EvmProver} from "./EvmProver.sol";

/// @title FrameExits
/// @notice The `frame-exit` steps of halted frames (src/check/frame-exit.ts's twin in ../FrameExit.sol).
contract FrameExits is EvmProver {
    function _run(bytes memory s, EvmLayout.Frame memory f, WitnessReader.Reader memory r) internal pure override {
        FrameExit.run(s, f, r);
    }
}
