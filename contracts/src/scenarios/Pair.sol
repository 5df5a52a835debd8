// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {Token} from "./Token.sol";

/// @title Pair
/// @notice A constant-product AMM over two Tokens with a 0.3% fee, enough for a realistic swap.
contract Pair {
    Token public immutable token0;
    Token public immutable token1;
    uint112 public reserve0;
    uint112 public reserve1;

    event Sync(uint112 reserve0, uint112 reserve1);
    event Swap(address indexed sender, uint256 amountIn, uint256 amountOut, bool zeroForOne, address indexed to);

    error InsufficientOutput(uint256 out, uint256 minOut);

    /// @notice Binds the pair to its two tokens.
    constructor(Token token0_, Token token1_) {
        token0 = token0_;
        token1 = token1_;
    }

    /// @notice Takes the tokens already approved by the caller as liquidity.
    function addLiquidity(uint256 amount0, uint256 amount1) external {
        token0.transferFrom(msg.sender, address(this), amount0);
        token1.transferFrom(msg.sender, address(this), amount1);
        _sync();
    }

    /// @notice Swaps `amountIn` of one token for the other, sending the output to `to`.
    function swap(uint256 amountIn, bool zeroForOne, uint256 minOut, address to) external returns (uint256 out) {
        (Token tin, Token tout, uint256 rin, uint256 rout) =
            zeroForOne ? (token0, token1, uint256(reserve0), uint256(reserve1)) : (token1, token0, reserve1, reserve0);
        tin.transferFrom(msg.sender, address(this), amountIn);
        uint256 inWithFee = amountIn * 997;
        out = (inWithFee * rout) / (rin * 1000 + inWithFee);
        if (out < minOut) revert InsufficientOutput(out, minOut);
        tout.transfer(to, out);
        _sync();
        emit Swap(msg.sender, amountIn, out, zeroForOne, to);
    }

    function _sync() private {
        reserve0 = uint112(token0.balanceOf(address(this)));
        reserve1 = uint112(token1.balanceOf(address(this)));
        emit Sync(reserve0, reserve1);
    }
}
