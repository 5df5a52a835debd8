// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {ICodeOracle} from "./ICodeOracle.sol";
import {ChunkTrees} from "./lib/ChunkTrees.sol";

/// @title CodeOracle
/// @notice SPEC.md §0 point 1: binds a code hash to the code tree `C(code)` and the code's size, so that a step
///         proves only the chunks it reads. Anyone posts a whole code; the contract computes both itself. The
///         checker's twin is `codeOracle` in src/check/index.ts.
contract CodeOracle is ICodeOracle {
    /// @notice The hash of the empty code, which every account without code has.
    bytes32 public constant EMPTY_CODE_HASH = keccak256("");

    /// @dev What a posted code is known as; a non-zero root marks it posted. Sizes fit: a code tree holds 2 MiB.
    struct Code {
        bytes32 root;
        uint32 size;
        address delegate;
    }

    mapping(bytes32 codeHash => Code) private _codes;

    /// @notice A code was posted for the first time.
    event CodePosted(bytes32 indexed codeHash, bytes32 root, uint256 size, address delegate);

    /// @notice Posts `bytecode`: stores keccak256(bytecode) → (C(bytecode), its size, its EIP-7702 delegate);
    ///         a code already known (or the empty code, known without a post) returns at once.
    /// @return codeHash keccak256(bytecode), the key the code is known by.
    function post(bytes calldata bytecode) external returns (bytes32 codeHash) {
        bytes memory c = bytecode;
        codeHash = keccak256(c);
        (bool known,,,) = code(codeHash);
        if (known) return codeHash;
        bytes32 root = ChunkTrees.codeRoot(c);
        address delegate = _delegate(bytecode);
        _codes[codeHash] = Code(root, uint32(c.length), delegate);
        emit CodePosted(codeHash, root, c.length, delegate);
    }

    /// @inheritdoc ICodeOracle
    /// @dev The delegate is zero for a code that is no EIP-7702 delegation designator, and so for a designator of
    ///      the zero address, which no account holds (EIP-7702 clears such a delegation, EIP-3541 refuses new code
    ///      starting 0xef); the empty code is known without a post.
    function code(bytes32 codeHash) public view returns (bool known, bytes32 root, uint256 size, address delegate) {
        if (codeHash == EMPTY_CODE_HASH) return (true, ChunkTrees.EMPTY_CODE_ROOT, 0, address(0));
        Code storage c = _codes[codeHash];
        return (c.root != 0, c.root, c.size, c.delegate);
    }

    /// @inheritdoc ICodeOracle
    function rootOf(bytes calldata bytecode) external pure returns (bytes32) {
        return ChunkTrees.codeRoot(bytecode);
    }

    /// @dev The address of an EIP-7702 delegation designator (exactly 0xef0100 ‖ address), else zero.
    function _delegate(bytes calldata bytecode) private pure returns (address) {
        if (bytecode.length != 23 || bytes3(bytecode[:3]) != 0xef0100) return address(0);
        return address(bytes20(bytecode[3:]));
    }
}
