/**
 * MIPS32 instruction semantics, as Cannon's single-threaded MIPS.sol defines them (names follow
 * MIPSInstructions.sol): an ALU table for SPECIAL functs (immediate forms map onto them), a table
 * for loads and stores, and the HI/LO, branch and jump rules. Values are 32-bit; signed ints here.
 */

/** A step Cannon's contract would reject; stepproof turns it into a VM fault state. */
export class VmFault extends Error {
  override readonly name = 'VmFault'
}

/** Sign-extends the low `bits` bits of `value`. */
export function signExtend(value: number, bits: number): number {
  const shift = 32 - bits
  return (value << shift) >> shift
}

type Alu = (rs: number, rt: number, insn: number) => number
const shamt = (insn: number) => (insn >>> 6) & 0x1f

/** SPECIAL functs computed by the ALU; functs 0x08–0x1b are control and HI/LO, handled apart. */
export const ALU: readonly (Alu | undefined)[] = (() => {
  const t: (Alu | undefined)[] = new Array(64)
  t[0x00] = (_rs, rt, insn) => rt << shamt(insn) // sll
  t[0x02] = (_rs, rt, insn) => rt >>> shamt(insn) // srl
  t[0x03] = (_rs, rt, insn) => rt >> shamt(insn) // sra
  t[0x04] = (rs, rt) => rt << (rs & 0x1f) // sllv
  t[0x06] = (rs, rt) => rt >>> (rs & 0x1f) // srlv
  t[0x07] = (rs, rt) => rt >> (rs & 0x1f) // srav (shift amount masked, as the MIPS32 manual)
  // Cannon does not trap on signed overflow: add/addi/sub wrap like their unsigned twins.
  t[0x20] = (rs, rt) => (rs + rt) | 0 // add
  t[0x21] = (rs, rt) => (rs + rt) | 0 // addu
  t[0x22] = (rs, rt) => (rs - rt) | 0 // sub
  t[0x23] = (rs, rt) => (rs - rt) | 0 // subu
  t[0x24] = (rs, rt) => rs & rt // and
  t[0x25] = (rs, rt) => rs | rt // or
  t[0x26] = (rs, rt) => rs ^ rt // xor
  t[0x27] = (rs, rt) => ~(rs | rt) // nor
  t[0x2a] = (rs, rt) => (rs < rt ? 1 : 0) // slt
  t[0x2b] = (rs, rt) => (rs >>> 0 < rt >>> 0 ? 1 : 0) // sltu
  return t
})()

/** Immediate ALU opcodes and the SPECIAL funct each behaves as (indexed by opcode). */
export const IMMEDIATE_FUNCT: readonly number[] = (() => {
  const t = new Array<number>(16).fill(-1)
  t[0x08] = 0x20 // addi
  t[0x09] = 0x21 // addiu
  t[0x0a] = 0x2a // slti
  t[0x0b] = 0x2b // sltiu
  t[0x0c] = 0x24 // andi (zero-extended immediate)
  t[0x0d] = 0x25 // ori (zero-extended)
  t[0x0e] = 0x26 // xori (zero-extended)
  return t
})()

/** SPECIAL functs that compute nothing in the ALU (control flow, HI/LO, syscall, sync), indexed by funct. */
const PASS_THROUGH: readonly boolean[] = (() => {
  const t = new Array<boolean>(64).fill(false)
  for (const f of [0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x18, 0x19, 0x1a, 0x1b]) t[f] = true
  return t
})()

type MemOp = (addr: number, rt: number, mem: number) => number
const byteShift = (addr: number) => 24 - ((addr & 3) << 3)
const halfShift = (addr: number) => 16 - ((addr & 2) << 3)

/** Loads (result goes to rt) and stores (result is the new memory word), by opcode. */
export const MEMORY_OPS: readonly (MemOp | undefined)[] = (() => {
  const t: (MemOp | undefined)[] = new Array(64)
  t[0x20] = (a, _rt, mem) => signExtend((mem >>> byteShift(a)) & 0xff, 8) // lb
  t[0x21] = (a, _rt, mem) => signExtend((mem >>> halfShift(a)) & 0xffff, 16) // lh
  t[0x22] = (a, rt, mem) => {
    // lwl
    const s = (a & 3) << 3
    const mask = s === 0 ? -1 : (0xffffffff << s) | 0
    return (rt & ~mask) | (s === 0 ? mem : mem << s)
  }
  t[0x23] = (_a, _rt, mem) => mem // lw
  t[0x24] = (a, _rt, mem) => (mem >>> byteShift(a)) & 0xff // lbu
  t[0x25] = (a, _rt, mem) => (mem >>> halfShift(a)) & 0xffff // lhu
  t[0x26] = (a, rt, mem) => {
    // lwr
    const s = 24 - ((a & 3) << 3)
    const mask = 0xffffffff >>> s
    return (rt & ~mask) | (mem >>> s)
  }
  t[0x28] = (a, rt, mem) => (mem & ~(0xff << byteShift(a))) | ((rt & 0xff) << byteShift(a)) // sb
  t[0x29] = (a, rt, mem) => (mem & ~(0xffff << halfShift(a))) | ((rt & 0xffff) << halfShift(a)) // sh
  t[0x2a] = (a, rt, mem) => {
    // swl
    const s = (a & 3) << 3
    const mask = 0xffffffff >>> s
    return (mem & ~mask) | (rt >>> s)
  }
  t[0x2b] = (_a, rt) => rt // sw
  t[0x2e] = (a, rt, mem) => {
    // swr
    const s = 24 - ((a & 3) << 3)
    const mask = s === 0 ? -1 : (0xffffffff << s) | 0
    return (mem & ~mask) | (s === 0 ? rt : rt << s)
  }
  t[0x30] = (_a, _rt, mem) => mem // ll (Cannon: a plain load)
  t[0x38] = (_a, rt) => rt // sc (Cannon: a plain store that always succeeds)
  return t
})()

/** Counts leading ones of a 32-bit value. */
function countLeadingOnes(v: number): number {
  return Math.clz32(~v)
}

/**
 * The value an instruction computes, given rs (for loads and stores: the effective address),
 * rt and the memory word at the aligned address. Throws VmFault for an instruction Cannon rejects.
 */
export function execute(insn: number, rs: number, rt: number, mem: number): number {
  const opcode = insn >>> 26
  if (opcode === 0 || (opcode >= 8 && opcode < 0x0f)) {
    const funct = opcode === 0 ? insn & 0x3f : (IMMEDIATE_FUNCT[opcode] as number)
    if (opcode === 0 && PASS_THROUGH[funct]) return rs
    const alu = ALU[funct]
    if (alu === undefined) throw new VmFault(`invalid instruction 0x${(insn >>> 0).toString(16).padStart(8, '0')}`)
    return alu(rs, rt, insn)
  }
  if (opcode === 0x1c) {
    const funct = insn & 0x3f
    if (funct === 0x02) return Math.imul(rs, rt) // mul
    if (funct === 0x20) return Math.clz32(rs) // clz
    if (funct === 0x21) return countLeadingOnes(rs) // clo
  } else if (opcode === 0x0f) {
    return rt << 16 // lui
  } else {
    const op = MEMORY_OPS[opcode]
    if (op !== undefined) return op(rs, rt, mem)
  }
  throw new VmFault(`invalid instruction 0x${(insn >>> 0).toString(16).padStart(8, '0')}`)
}

/** High 32 bits of the unsigned 64-bit product of two 32-bit values. */
function mulHiUnsigned(a: number, b: number): number {
  const a0 = a & 0xffff
  const a1 = a >>> 16
  const b0 = b & 0xffff
  const b1 = b >>> 16
  const lo = a0 * b0
  const mid1 = a1 * b0 + (lo >>> 16)
  const mid2 = a0 * b1 + (mid1 & 0xffff)
  return (a1 * b1 + Math.floor(mid1 / 65536) + Math.floor(mid2 / 65536)) | 0
}

/** mult/multu/div/divu: the new HI and LO. Division by zero is a fault (Cannon reverts). */
export function hiLoArithmetic(funct: number, rs: number, rt: number): [hi: number, lo: number] {
  switch (funct) {
    case 0x18: {
      // mult: signed hi = unsigned hi minus the sign corrections
      let hi = mulHiUnsigned(rs >>> 0, rt >>> 0)
      if (rs < 0) hi = (hi - rt) | 0
      if (rt < 0) hi = (hi - rs) | 0
      return [hi, Math.imul(rs, rt)]
    }
    case 0x19: // multu
      return [mulHiUnsigned(rs >>> 0, rt >>> 0), Math.imul(rs, rt)]
    case 0x1a: // div (INT_MIN / -1 wraps, as Solidity's unchecked division)
      if (rt === 0) throw new VmFault('division by zero')
      return [(rs % rt) | 0, (rs / rt) | 0]
    case 0x1b: // divu
      if (rt === 0) throw new VmFault('division by zero')
      return [((rs >>> 0) % (rt >>> 0)) | 0, Math.floor((rs >>> 0) / (rt >>> 0)) | 0]
    default:
      throw new VmFault(`invalid HI/LO funct 0x${funct.toString(16)}`)
  }
}

/** Whether a branch (opcodes 1 and 4–7) is taken. */
export function branchTaken(opcode: number, insn: number, rs: number, rt: number): boolean {
  switch (opcode) {
    case 4:
      return rs === rt // beq
    case 5:
      return rs !== rt // bne
    case 6:
      return rs <= 0 // blez
    case 7:
      return rs > 0 // bgtz
    default: {
      const rtv = (insn >>> 16) & 0x1f
      if (rtv === 0) return rs < 0 // bltz
      if (rtv === 1) return rs >= 0 // bgez
      return false // other REGIMM forms: not taken, as Cannon
    }
  }
}
