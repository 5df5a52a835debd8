// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

import {IStepVerifier} from "../dispute/IStepVerifier.sol";
import {IPreimageOracle} from "./IPreimageOracle.sol";
import {MIPSInstructions as I} from "./lib/MIPSInstructions.sol";
import {MIPSMemory} from "./lib/MIPSMemory.sol";
import {MIPSState} from "./lib/MIPSState.sol";
import {MIPSSyscalls as Sys} from "./lib/MIPSSyscalls.sol";
import {PreimageKeyLib} from "./lib/PreimageKeyLib.sol";

/// @title MIPS
/// @notice Executes one instruction of Cannon's single-threaded 32-bit MIPS VM from a packed state and
///         memory proofs in calldata, and returns the status-tagged hash of the post-state. Mirrors
///         packages/mips-proof/src/vm/vm.ts step for step. A malformed witness reverts; a step Cannon's
///         own contract would revert on (invalid instruction, branch in a delay slot, division by zero,
///         unsupported syscall) is a fault: the VM exits with code 0xff.
contract MIPS is IStepVerifier {
    uint32 private constant NO_STORE = type(uint32).max;

    /// @notice Where preimage reads are served from.
    IPreimageOracle public immutable ORACLE;

    /// @param oracle The preimage oracle.
    constructor(IPreimageOracle oracle) {
        ORACLE = oracle;
    }

    /// @inheritdoc IStepVerifier
    function step(bytes calldata stateData, bytes calldata proof, bytes32 localContext)
        external
        returns (bytes32 postState)
    {
        MIPSState.State memory s = MIPSState.decode(stateData);
        if (s.exited) return MIPSState.hash(s);
        unchecked {
            s.step += 1;
        }
        if (!_execute(s, proof, localContext)) {
            s.exited = true;
            s.exitCode = MIPSState.FAULT_EXIT_CODE;
        }
        return MIPSState.hash(s);
    }

    /// @dev The fields of the instruction being executed (kept in memory to spare the stack).
    struct Insn {
        uint32 insn;
        uint32 opcode;
        uint32 rtReg;
        uint32 rdReg;
        uint32 rs;
        uint32 rt;
    }

    /// @dev Returns false for a fault; nothing but the step counter has changed by then.
    function _execute(MIPSState.State memory s, bytes calldata proof, bytes32 localContext)
        private
        view
        returns (bool)
    {
        unchecked {
            if (s.pc & 3 != 0) return false;
            Insn memory d;
            d.insn = MIPSMemory.readMem(s.memRoot, proof, 0, s.pc);
            d.opcode = d.insn >> 26;
            if (d.opcode == 2 || d.opcode == 3) {
                uint32 target = (s.nextPC & 0xf0000000) | ((d.insn & 0x03ffffff) << 2);
                return _jump(s, d.opcode == 3 ? 31 : 0, target);
            }
            _operands(s, d);
            if ((d.opcode >= 4 && d.opcode < 8) || d.opcode == 1) return _branch(s, d);
            return _compute(s, proof, localContext, d);
        }
    }

    /// @dev rs, rt and the destination register, by instruction format (as Cannon decodes them).
    function _operands(MIPSState.State memory s, Insn memory d) private pure {
        uint32 opcode = d.opcode;
        d.rtReg = (d.insn >> 16) & 0x1f;
        d.rs = s.registers[(d.insn >> 21) & 0x1f];
        d.rdReg = d.rtReg;
        if (opcode == 0 || opcode == 0x1c) {
            d.rt = s.registers[d.rtReg];
            d.rdReg = (d.insn >> 11) & 0x1f;
        } else if (opcode < 0x20) {
            d.rt = (opcode == 0x0c || opcode == 0x0d || opcode == 0x0e)
                ? d.insn & 0xffff
                : I.signExtend(d.insn & 0xffff, 16);
        } else if (opcode >= 0x28 || opcode == 0x22 || opcode == 0x26) {
            d.rt = s.registers[d.rtReg];
        }
    }

    function _branch(MIPSState.State memory s, Insn memory d) private pure returns (bool) {
        unchecked {
            if (s.nextPC != s.pc + 4) return false; // branch in delay slot
            bool taken = I.branchTaken(d.opcode, d.insn, d.rs, s.registers[d.rtReg]);
            uint32 prevPC = s.pc;
            s.pc = s.nextPC;
            s.nextPC = taken ? prevPC + 4 + (I.signExtend(d.insn & 0xffff, 16) << 2) : s.nextPC + 4;
            return true;
        }
    }

    function _compute(MIPSState.State memory s, bytes calldata proof, bytes32 localContext, Insn memory d)
        private
        view
        returns (bool)
    {
        unchecked {
            uint32 storeAddr = NO_STORE;
            uint32 mem;
            if (d.opcode >= 0x20) {
                d.rs += I.signExtend(d.insn & 0xffff, 16);
                uint32 addr = d.rs & 0xfffffffc;
                mem = MIPSMemory.readMem(s.memRoot, proof, 1, addr);
                if (d.opcode >= 0x28 && d.opcode != 0x30) {
                    storeAddr = addr;
                    d.rdReg = 0;
                }
            }
            (uint32 val, bool ok) = I.execute(d.insn, d.rs, d.rt, mem);
            if (!ok) return false;
            uint32 funct = d.insn & 0x3f;
            if (d.opcode == 0 && funct >= 8 && funct < 0x1c) {
                if (funct == 8 || funct == 9) return _jump(s, funct == 8 ? 0 : d.rdReg, d.rs);
                if (funct == 0x0a || funct == 0x0b) {
                    return _writeRd(s, d.rdReg, d.rs, funct == 0x0a ? d.rt == 0 : d.rt != 0);
                }
                if (funct == 0x0c) return _syscall(s, proof, localContext);
                if (funct >= 0x10) return _hiLo(s, funct, d.rs, d.rt, d.rdReg);
            }
            if (d.opcode == 0x38 && d.rtReg != 0) s.registers[d.rtReg] = 1; // sc always succeeds
            if (storeAddr != NO_STORE) s.memRoot = MIPSMemory.writeMem(proof, 1, storeAddr, val);
            return _writeRd(s, d.rdReg, val, true);
        }
    }

    function _jump(MIPSState.State memory s, uint32 linkReg, uint32 dest) private pure returns (bool) {
        unchecked {
            if (s.nextPC != s.pc + 4) return false; // jump in delay slot
            uint32 prevPC = s.pc;
            s.pc = s.nextPC;
            s.nextPC = dest;
            if (linkReg != 0) s.registers[linkReg] = prevPC + 8;
            return true;
        }
    }

    function _writeRd(MIPSState.State memory s, uint32 rdReg, uint32 value, bool condition)
        private
        pure
        returns (bool)
    {
        unchecked {
            if (rdReg != 0 && condition) s.registers[rdReg] = value;
            s.pc = s.nextPC;
            s.nextPC = s.nextPC + 4;
            return true;
        }
    }

    function _hiLo(MIPSState.State memory s, uint32 funct, uint32 rs, uint32 rt, uint32 rdReg)
        private
        pure
        returns (bool)
    {
        uint32 val;
        if (funct == 0x10) {
            val = s.hi;
        } else if (funct == 0x11) {
            s.hi = rs;
        } else if (funct == 0x12) {
            val = s.lo;
        } else if (funct == 0x13) {
            s.lo = rs;
        } else {
            (uint32 hi, uint32 lo, bool ok) = I.hiLoArithmetic(funct, rs, rt);
            if (!ok) return false; // division by zero
            s.hi = hi;
            s.lo = lo;
        }
        return _writeRd(s, rdReg, val, true);
    }

    function _syscall(MIPSState.State memory s, bytes calldata proof, bytes32 localContext)
        private
        view
        returns (bool)
    {
        unchecked {
            uint32[32] memory regs = s.registers;
            uint32 num = regs[2];
            (uint32 a0, uint32 a1, uint32 a2) = (regs[4], regs[5], regs[6]);
            if (!Sys.isImplemented(num) && !Sys.isNoop(num)) return false;
            uint32 v0;
            uint32 v1;
            if (num == Sys.SYS_MMAP) {
                uint32 size = a1;
                if (size & 4095 != 0) size += 4096 - (size & 4095);
                if (a0 == 0) {
                    v0 = s.heap;
                    s.heap += size;
                } else {
                    v0 = a0;
                }
            } else if (num == Sys.SYS_BRK) {
                v0 = Sys.PROGRAM_BREAK;
            } else if (num == Sys.SYS_CLONE) {
                v0 = 1;
            } else if (num == Sys.SYS_EXIT_GROUP) {
                s.exited = true;
                s.exitCode = uint8(a0);
                return true;
            } else if (num == Sys.SYS_READ) {
                (v0, v1) = _read(s, proof, localContext, a0, a1, a2);
            } else if (num == Sys.SYS_WRITE) {
                (v0, v1) = _write(s, proof, a0, a1, a2);
            } else if (num == Sys.SYS_FCNTL) {
                (v0, v1) = Sys.fcntl(a0, a1);
            }
            regs[2] = v0;
            regs[7] = v1;
            s.pc = s.nextPC;
            s.nextPC = s.nextPC + 4;
            return true;
        }
    }

    function _read(
        MIPSState.State memory s,
        bytes calldata proof,
        bytes32 localContext,
        uint32 fd,
        uint32 addr,
        uint32 count
    ) private view returns (uint32, uint32) {
        unchecked {
            if (fd == Sys.FD_STDIN) return (0, 0);
            if (fd == Sys.FD_HINT_READ) return (count, 0);
            if (fd != Sys.FD_PREIMAGE_READ) return (0xffffffff, Sys.EBADF);
            uint32 mem = MIPSMemory.readMem(s.memRoot, proof, 1, addr & 0xfffffffc);
            (bytes32 dat, uint256 datLen) =
                ORACLE.readPreimage(_oracleKey(s.preimageKey, localContext), s.preimageOffset);
            uint32 n = uint32(datLen);
            if (n > 4 - (addr & 3)) n = 4 - (addr & 3);
            if (n > count) n = count;
            s.memRoot = MIPSMemory.writeMem(proof, 1, addr & 0xfffffffc, _insertBytes(mem, dat, addr & 3, n));
            s.preimageOffset += n;
            return (n, 0);
        }
    }

    /// @dev A local key (type 1) is read under its localized form; other keys as they are.
    function _oracleKey(bytes32 key, bytes32 localContext) private view returns (bytes32) {
        return uint8(key[0]) == 1 ? PreimageKeyLib.localize(key, localContext, msg.sender) : key;
    }

    /// @dev `mem` with the first `n` bytes of `dat` written from byte `align` on (big-endian).
    function _insertBytes(uint32 mem, bytes32 dat, uint32 align, uint32 n) private pure returns (uint32) {
        unchecked {
            for (uint32 i = 0; i < n; i++) {
                uint32 shift = 24 - (align + i) * 8;
                mem = (mem & ~(uint32(0xff) << shift)) | (uint32(uint8(dat[i])) << shift);
            }
            return mem;
        }
    }

    function _write(MIPSState.State memory s, bytes calldata proof, uint32 fd, uint32 addr, uint32 count)
        private
        pure
        returns (uint32, uint32)
    {
        unchecked {
            if (fd == Sys.FD_STDOUT || fd == Sys.FD_STDERR || fd == Sys.FD_HINT_WRITE) return (count, 0);
            if (fd != Sys.FD_PREIMAGE_WRITE) return (0xffffffff, Sys.EBADF);
            uint32 aligned = addr & 0xfffffffc;
            uint32 mem = MIPSMemory.readMem(s.memRoot, proof, 1, aligned);
            uint32 align = addr & 3;
            uint32 n = count < 4 - align ? count : 4 - align;
            uint256 bytesIn = (uint256(mem) >> ((4 - align - n) * 8)) & ((uint256(1) << (n * 8)) - 1);
            s.preimageKey = bytes32((uint256(s.preimageKey) << (n * 8)) | bytesIn);
            s.preimageOffset = 0;
            return (n, 0);
        }
    }
}
