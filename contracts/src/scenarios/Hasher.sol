// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title Hasher
/// @notice Memory- and keccak-heavy loops: grows memory, hashes it round after round, copies with MCOPY.
contract Hasher {
    bytes32 public last;

    event Digest(bytes32 digest, uint256 rounds, uint256 words);

    /// @notice Fills `words` words of memory and hashes the buffer `rounds` times, chaining digests.
    function churn(uint256 words, uint256 rounds) external returns (bytes32 digest) {
        bytes memory buf = new bytes(words * 32);
        for (uint256 i = 0; i < words; ++i) {
            assembly {
                mstore(add(add(buf, 32), mul(i, 32)), xor(i, 0x5eed))
            }
        }
        for (uint256 r = 0; r < rounds; ++r) {
            digest = keccak256(abi.encodePacked(buf, digest));
            assembly {
                mstore(add(buf, 32), digest)
            }
        }
        last = digest;
        emit Digest(digest, rounds, words);
    }

    /// @notice Copies overlapping memory regions with MCOPY (EIP-5656) and hashes the result.
    function mcopy(uint256 words, uint256 shift) external returns (bytes32 digest) {
        assembly {
            let base := mload(0x40)
            for { let i := 0 } lt(i, words) { i := add(i, 1) } { mstore(add(base, mul(i, 32)), not(i)) }
            mcopy(add(base, shift), base, mul(words, 32))
            digest := keccak256(base, add(mul(words, 32), shift))
        }
        last = digest;
    }
}
