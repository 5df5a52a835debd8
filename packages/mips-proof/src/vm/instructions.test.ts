import { describe, expect, it } from 'vitest'
import { branchTaken, execute, hiLoArithmetic, signExtend, VmFault } from './instructions.ts'

// Encoders for the instruction forms under test (fields as in the MIPS32 manual, vol. II).
const r = (funct: number, rs = 0, rt = 0, rd = 0, sa = 0) => ((rs << 21) | (rt << 16) | (rd << 11) | (sa << 6) | funct) >>> 0
const i = (op: number, imm = 0) => ((op << 26) | (imm & 0xffff)) >>> 0
const special2 = (funct: number) => ((0x1c << 26) | funct) >>> 0

describe('instruction semantics (expectations from the MIPS32 manual)', () => {
  it('sign-extends 16-bit immediates', () => {
    expect(signExtend(0x8000, 16)).toBe(-32768)
    expect(signExtend(0x7fff, 16)).toBe(32767)
  })

  it('sra shifts in the sign bit, srl zeros', () => {
    expect(execute(r(0x03, 0, 0, 0, 4), 0, 0x80000000 | 0, 0)).toBe(0xf8000000 | 0)
    expect(execute(r(0x02, 0, 0, 0, 4), 0, 0x80000000 | 0, 0)).toBe(0x08000000)
  })

  it('srav uses only the low five bits of rs', () => {
    expect(execute(r(0x07), 33, -8, 0)).toBe(-4)
  })

  it('sltiu compares against the sign-extended immediate as unsigned', () => {
    expect(execute(i(0x0b, 0xffff), 5, signExtend(0xffff, 16), 0)).toBe(1)
  })

  it('lui puts the immediate in the upper half', () => {
    expect(execute(i(0x0f, 0x1234), 0, 0x1234, 0)).toBe(0x12340000)
  })

  it('lb sign-extends and lbu zero-extends the addressed byte (big-endian)', () => {
    expect(execute(i(0x20), 1, 0, 0x1280ff00)).toBe(-128)
    expect(execute(i(0x24), 1, 0, 0x1280ff00)).toBe(0x80)
  })

  it('lwl and lwr merge the unaligned word into rt', () => {
    // The word at 4..7 is 0x11223344: lwl at 5 takes bytes 5..7 into rt's top, lwr at 4 takes byte 4 into its bottom.
    expect(execute(i(0x22), 5, 0x55555555, 0x11223344) >>> 0).toBe(0x22334455)
    expect(execute(i(0x26), 4, 0x55555555, 0x11223344) >>> 0).toBe(0x55555511)
  })

  it('swl and swr produce the new memory word', () => {
    expect(execute(i(0x2a), 6, 0xaabbccdd | 0, 0x11223344) >>> 0).toBe(0x1122aabb)
    expect(execute(i(0x2e), 5, 0xaabbccdd | 0, 0x11223344) >>> 0).toBe(0xccdd3344)
  })

  it('clz and clo count leading zeros and ones', () => {
    expect(execute(special2(0x20), 0x00010000, 0, 0)).toBe(15)
    expect(execute(special2(0x21), 0xfff00000 | 0, 0, 0)).toBe(12)
    expect(execute(special2(0x20), 0, 0, 0)).toBe(32)
  })

  it('mult gives the signed 64-bit product in HI:LO, multu the unsigned one', () => {
    expect(hiLoArithmetic(0x18, -2, 3)).toEqual([-1, -6])
    expect(hiLoArithmetic(0x19, -2, 3).map((x) => x >>> 0)).toEqual([2, 0xfffffffa])
  })

  it('div truncates toward zero with the remainder taking the dividend sign; INT_MIN / -1 wraps', () => {
    expect(hiLoArithmetic(0x1a, -7, 2)).toEqual([-1, -3])
    expect(hiLoArithmetic(0x1a, -2147483648, -1)).toEqual([0, -2147483648])
  })

  it('division by zero is a fault, not a value', () => {
    expect(() => hiLoArithmetic(0x1b, 1, 0)).toThrow(VmFault)
  })

  it('add does not trap on overflow (Cannon wraps)', () => {
    expect(execute(r(0x20), 0x7fffffff, 1, 0)).toBe(-2147483648)
  })

  it('an instruction outside the set is a fault naming its encoding', () => {
    expect(() => execute(r(0x34), 0, 0, 0)).toThrow('invalid instruction 0x00000034')
  })

  it('decides branches by signed comparisons', () => {
    expect(branchTaken(6, 0, 0, 0)).toBe(true) // blez 0
    expect(branchTaken(7, 0, -1, 0)).toBe(false) // bgtz -1
    expect(branchTaken(1, 1 << 16, 0, 0)).toBe(true) // bgez 0
  })
})
