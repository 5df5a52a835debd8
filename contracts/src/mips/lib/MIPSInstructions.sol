// SPDX-License-Identifier: MIT
pragma solidity ^0.8.30;

/// @title MIPSInstructions
/// @notice MIPS32 instruction semantics as Cannon's single-threaded MIPS.sol defines them.
///         Mirrors packages/mips-proof/src/vm/instructions.ts: `ok == false` is the TS VmFault.
library MIPSInstructions {
    /// @notice Sign-extends the low `bits` bits of `value`.
    function signExtend(uint32 value, uint32 bits) internal pure returns (uint32) {
        unchecked {
            uint32 shift = 32 - bits;
            return uint32(uint256(int256(int32(value << shift)) >> shift));
        }
    }

    /// @notice The SPECIAL funct an immediate ALU opcode behaves as, or 0xff.
    function immediateFunct(uint32 opcode) internal pure returns (uint32) {
        if (opcode == 0x08) return 0x20; // addi
        if (opcode == 0x09) return 0x21; // addiu
        if (opcode == 0x0a) return 0x2a; // slti
        if (opcode == 0x0b) return 0x2b; // sltiu
        if (opcode == 0x0c) return 0x24; // andi
        if (opcode == 0x0d) return 0x25; // ori
        if (opcode == 0x0e) return 0x26; // xori
        return 0xff;
    }

    /// @notice SPECIAL functs computed apart (control flow, HI/LO, syscall, sync): the ALU passes rs through.
    function isPassThrough(uint32 funct) internal pure returns (bool) {
        return funct == 0x08 || funct == 0x09 || funct == 0x0a || funct == 0x0b || funct == 0x0c || funct == 0x0f
            || (funct >= 0x10 && funct <= 0x13) || (funct >= 0x18 && funct <= 0x1b);
    }

    function _alu(uint32 funct, uint32 rs, uint32 rt, uint32 insn) private pure returns (uint32, bool) {
        unchecked {
            uint32 sa = (insn >> 6) & 0x1f;
            if (funct == 0x00) return (rt << sa, true); // sll
            if (funct == 0x02) return (rt >> sa, true); // srl
            if (funct == 0x03) return (uint32(int32(rt) >> sa), true); // sra
            if (funct == 0x04) return (rt << (rs & 0x1f), true); // sllv
            if (funct == 0x06) return (rt >> (rs & 0x1f), true); // srlv
            if (funct == 0x07) return (uint32(int32(rt) >> (rs & 0x1f)), true); // srav
            if (funct == 0x20 || funct == 0x21) return (rs + rt, true); // add, addu (no overflow trap)
            if (funct == 0x22 || funct == 0x23) return (rs - rt, true); // sub, subu
            if (funct == 0x24) return (rs & rt, true); // and
            if (funct == 0x25) return (rs | rt, true); // or
            if (funct == 0x26) return (rs ^ rt, true); // xor
            if (funct == 0x27) return (~(rs | rt), true); // nor
            if (funct == 0x2a) return (int32(rs) < int32(rt) ? 1 : 0, true); // slt
            if (funct == 0x2b) return (rs < rt ? 1 : 0, true); // sltu
            return (0, false);
        }
    }

    function _memoryOp(uint32 opcode, uint32 a, uint32 rt, uint32 mem) private pure returns (uint32, bool) {
        unchecked {
            uint32 b = 24 - ((a & 3) << 3);
            uint32 h = 16 - ((a & 2) << 3);
            uint32 s = (a & 3) << 3;
            if (opcode == 0x20) return (signExtend((mem >> b) & 0xff, 8), true); // lb
            if (opcode == 0x21) return (signExtend((mem >> h) & 0xffff, 16), true); // lh
            if (opcode == 0x22) {
                uint32 mask = uint32(0xffffffff) << s; // lwl
                return ((rt & ~mask) | (mem << s), true);
            }
            if (opcode == 0x23 || opcode == 0x30) return (mem, true); // lw, ll
            if (opcode == 0x24) return ((mem >> b) & 0xff, true); // lbu
            if (opcode == 0x25) return ((mem >> h) & 0xffff, true); // lhu
            if (opcode == 0x26) {
                uint32 mask = uint32(0xffffffff) >> b; // lwr
                return ((rt & ~mask) | (mem >> b), true);
            }
            if (opcode == 0x28) return ((mem & ~(uint32(0xff) << b)) | ((rt & 0xff) << b), true); // sb
            if (opcode == 0x29) return ((mem & ~(uint32(0xffff) << h)) | ((rt & 0xffff) << h), true); // sh
            if (opcode == 0x2a) {
                uint32 mask = uint32(0xffffffff) >> s; // swl
                return ((mem & ~mask) | (rt >> s), true);
            }
            if (opcode == 0x2b || opcode == 0x38) return (rt, true); // sw, sc
            if (opcode == 0x2e) {
                uint32 mask = uint32(0xffffffff) << b; // swr
                return ((mem & ~mask) | (rt << b), true);
            }
            return (0, false);
        }
    }

    /// @notice The value an instruction computes (for loads and stores rs is the effective address).
    function execute(uint32 insn, uint32 rs, uint32 rt, uint32 mem) internal pure returns (uint32, bool) {
        unchecked {
            uint32 opcode = insn >> 26;
            if (opcode == 0 || (opcode >= 8 && opcode < 0x0f)) {
                uint32 funct = opcode == 0 ? insn & 0x3f : immediateFunct(opcode);
                if (opcode == 0 && isPassThrough(funct)) return (rs, true);
                return _alu(funct, rs, rt, insn);
            }
            if (opcode == 0x1c) {
                uint32 funct = insn & 0x3f;
                if (funct == 0x02) return (uint32(int32(rs) * int32(rt)), true); // mul
                if (funct == 0x20 || funct == 0x21) {
                    // clz / clo
                    uint32 x = funct == 0x21 ? ~rs : rs;
                    uint32 n = 0;
                    while (n < 32 && (x & 0x80000000) == 0) {
                        x <<= 1;
                        n++;
                    }
                    return (n, true);
                }
                return (0, false);
            }
            if (opcode == 0x0f) return (rt << 16, true); // lui
            return _memoryOp(opcode, rs, rt, mem);
        }
    }

    /// @notice mult/multu/div/divu: the new HI and LO; `ok` is false for division by zero.
    function hiLoArithmetic(uint32 funct, uint32 rs, uint32 rt) internal pure returns (uint32 hi, uint32 lo, bool ok) {
        unchecked {
            if (funct == 0x18) {
                uint64 acc = uint64(int64(int32(rs)) * int64(int32(rt)));
                return (uint32(acc >> 32), uint32(acc), true);
            }
            if (funct == 0x19) {
                uint64 acc = uint64(rs) * uint64(rt);
                return (uint32(acc >> 32), uint32(acc), true);
            }
            if (rt == 0) return (0, 0, false);
            if (funct == 0x1a) {
                if (rs == 0x80000000 && rt == 0xffffffff) return (0, 0x80000000, true); // INT_MIN / -1 wraps
                return (uint32(int32(rs) % int32(rt)), uint32(int32(rs) / int32(rt)), true);
            }
            return (rs % rt, rs / rt, true);
        }
    }

    /// @notice Whether a branch (opcodes 1 and 4–7) is taken.
    function branchTaken(uint32 opcode, uint32 insn, uint32 rs, uint32 rt) internal pure returns (bool) {
        if (opcode == 4) return rs == rt; // beq
        if (opcode == 5) return rs != rt; // bne
        if (opcode == 6) return int32(rs) <= 0; // blez
        if (opcode == 7) return int32(rs) > 0; // bgtz
        uint32 rtv = (insn >> 16) & 0x1f;
        if (rtv == 0) return int32(rs) < 0; // bltz
        if (rtv == 1) return int32(rs) >= 0; // bgez
        return false;
    }
}
