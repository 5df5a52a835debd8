// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title MIPSSyscalls
/// @notice The syscall table of the VM (Linux o32 numbers, 4000 + n). Mirrors
///         packages/mips-proof/src/vm/syscalls.ts; the no-op set is a bitmap over n (a TS test
///         checks it against the TS table).
library MIPSSyscalls {
    uint32 internal constant SYS_READ = 4003;
    uint32 internal constant SYS_WRITE = 4004;
    uint32 internal constant SYS_BRK = 4045;
    uint32 internal constant SYS_FCNTL = 4055;
    uint32 internal constant SYS_MMAP = 4090;
    uint32 internal constant SYS_CLONE = 4120;
    uint32 internal constant SYS_EXIT_GROUP = 4246;

    uint32 internal constant FD_STDIN = 0;
    uint32 internal constant FD_STDOUT = 1;
    uint32 internal constant FD_STDERR = 2;
    uint32 internal constant FD_HINT_READ = 3;
    uint32 internal constant FD_HINT_WRITE = 4;
    uint32 internal constant FD_PREIMAGE_READ = 5;
    uint32 internal constant FD_PREIMAGE_WRITE = 6;

    uint32 internal constant EBADF = 0x9;
    uint32 internal constant EINVAL = 0x16;
    uint32 internal constant PROGRAM_BREAK = 0x40000000;

    /// @dev Bit n set: syscall 4000 + n answers v0 = 0, v1 = 0 (n < 256, then n - 256 in the second word).
    uint256 internal constant NOOP_LOW = 0x150004684410f000000440000100024000000080000000040800001100062;
    uint256 internal constant NOOP_HIGH = 0x400088000000000002000401400000040108000480;

    /// @notice Whether the VM answers `num` with v0 = 0, v1 = 0 and nothing else.
    function isNoop(uint32 num) internal pure returns (bool) {
        if (num < 4000 || num >= 4512) return false;
        uint256 n = num - 4000;
        return n < 256 ? (NOOP_LOW >> n) & 1 == 1 : (NOOP_HIGH >> (n - 256)) & 1 == 1;
    }

    /// @notice Whether the VM implements `num` with its own semantics.
    function isImplemented(uint32 num) internal pure returns (bool) {
        return num == SYS_READ || num == SYS_WRITE || num == SYS_BRK || num == SYS_FCNTL || num == SYS_MMAP
            || num == SYS_CLONE || num == SYS_EXIT_GROUP;
    }

    /// @notice fcntl: F_GETFD (1) and F_GETFL (3) on the VM's seven file descriptors.
    function fcntl(uint32 fd, uint32 cmd) internal pure returns (uint32 v0, uint32 v1) {
        if (cmd == 1) {
            if (fd <= FD_PREIMAGE_WRITE) return (0, 0);
            return (0xffffffff, EBADF);
        }
        if (cmd == 3) {
            if (fd == FD_STDIN || fd == FD_PREIMAGE_READ || fd == FD_HINT_READ) return (0, 0);
            if (fd == FD_STDOUT || fd == FD_STDERR || fd == FD_PREIMAGE_WRITE || fd == FD_HINT_WRITE) return (1, 0);
            return (0xffffffff, EBADF);
        }
        return (0xffffffff, EINVAL);
    }
}
