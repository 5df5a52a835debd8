/**
 * The VM's Linux o32 syscall table (numbers are 4000 + n). The implemented ones follow Cannon's
 * single-threaded MIPS.sol exactly; the "noop" ones are calls the Go runtime makes that Cannon
 * answers with v0 = 0, v1 = 0. Anything else is a VM fault naming the number and the pc.
 */

/** File descriptors of Cannon's preimage-oracle ABI. */
export const FD = {
  stdin: 0,
  stdout: 1,
  stderr: 2,
  hintRead: 3,
  hintWrite: 4,
  preimageRead: 5,
  preimageWrite: 6,
} as const

/** Error numbers the VM returns (MIPS Linux values). */
export const ERRNO = { EBADF: 0x9, EINVAL: 0x16 } as const

/** The fixed program break Cannon reports (brk never moves). */
export const PROGRAM_BREAK = 0x40000000

/** What a syscall does, for the README's table. */
export interface SyscallInfo {
  name: string
  behaviour: string
}

/** Syscalls with their own semantics. */
export const IMPLEMENTED: Readonly<Record<number, SyscallInfo>> = {
  4003: {
    name: 'read',
    behaviour:
      'fd 5: up to 4 − (addr mod 4) bytes of the current preimage (8-byte big-endian length prefix first); fd 3: pretends to read all; fd 0: returns 0 (EOF), as MIPS.sol does (off-chain, `mips run --stdin` serves a file instead; such runs are not provable); other fds: EBADF',
  },
  4004: {
    name: 'write',
    behaviour:
      'fd 1, 2: captured as output; fd 4: hint bytes for the host; fd 6: shifts up to 4 − (addr mod 4) bytes into the preimage key and resets the offset; other fds: EBADF',
  },
  4045: { name: 'brk', behaviour: 'returns 0x40000000 (fixed)' },
  4055: {
    name: 'fcntl',
    behaviour:
      'F_GETFD (1): 0 for fds 0–6, EBADF otherwise; F_GETFL (3): O_RDONLY for fds 0, 3, 5; O_WRONLY for 1, 2, 4, 6; EBADF otherwise; other commands: EINVAL',
  },
  4090: {
    name: 'mmap',
    behaviour: 'addr 0: returns the heap pointer and bumps it by the size rounded up to 4 KiB; otherwise returns addr',
  },
  4120: { name: 'clone', behaviour: 'returns 1 and creates nothing (single-threaded)' },
  4246: { name: 'exit_group', behaviour: 'exits with status a0 & 0xff' },
}

/** Syscalls answered with v0 = 0, v1 = 0 and no other effect, as Cannon does. */
export const NOOP: Readonly<Record<number, string>> = {
  4001: 'exit',
  4005: 'open',
  4006: 'close',
  4020: 'getpid',
  4024: 'getuid',
  4047: 'getgid',
  4054: 'ioctl',
  4091: 'munmap',
  4122: 'uname',
  4125: 'mprotect',
  4140: '_llseek',
  4162: 'sched_yield',
  4166: 'nanosleep',
  4192: 'prctl',
  4193: 'rt_sigreturn',
  4194: 'rt_sigaction',
  4195: 'rt_sigprocmask',
  4200: 'pread64',
  4206: 'sigaltstack',
  4210: 'mmap2',
  4215: 'fstat64',
  4217: 'mincore',
  4218: 'madvise',
  4222: 'gettid',
  4236: 'tkill',
  4238: 'futex',
  4240: 'sched_getaffinity',
  4263: 'clock_gettime',
  4266: 'tgkill',
  4283: 'set_robust_list',
  4288: 'openat',
  4298: 'readlinkat',
  4326: 'epoll_create1',
  4328: 'pipe2',
  4338: 'prlimit64',
  4353: 'getrandom',
  4403: 'clock_gettime64',
  4407: 'clock_nanosleep_time64',
  4422: 'futex_time64',
}
