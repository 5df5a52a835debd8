/**
 * Arithmetic and bitwise opcodes (ADD … SIGNEXTEND, AND … CLZ): words in, a word out, nothing else
 * read. The generator's twin is src/trace/opcode/arithmetic.ts.
 */
import { type OpcodeRule, SIGN, signed, U256, unsigned } from './step.ts'

export const ARITHMETIC: Record<number, OpcodeRule> = {
  1: (c) => {
    c.out = [unsigned(c.a(0) + c.a(1))]
  },
  2: (c) => {
    c.out = [unsigned(c.a(0) * c.a(1))]
  },
  3: (c) => {
    c.out = [unsigned(c.a(0) - c.a(1))]
  },
  4: (c) => {
    c.out = [c.a(1) === 0n ? 0n : c.a(0) / c.a(1)]
  },
  5: (c) => {
    c.out = [c.a(1) === 0n ? 0n : unsigned(signed(c.a(0)) / signed(c.a(1)))]
  },
  6: (c) => {
    c.out = [c.a(1) === 0n ? 0n : c.a(0) % c.a(1)]
  },
  7: (c) => {
    c.out = [c.a(1) === 0n ? 0n : unsigned(signed(c.a(0)) % signed(c.a(1)))]
  },
  8: (c) => {
    c.out = [c.a(2) === 0n ? 0n : (c.a(0) + c.a(1)) % c.a(2)]
  },
  9: (c) => {
    c.out = [c.a(2) === 0n ? 0n : (c.a(0) * c.a(1)) % c.a(2)]
  },
  // EXP: 50 gas a byte of the exponent (EIP-160), on top of the table's 10.
  10: (c) => {
    const e = c.a(1)
    c.use(50n * BigInt(e === 0n ? 0 : Math.ceil(e.toString(16).length / 2)))
    let result = 1n
    let base = c.a(0)
    for (let x = e; x > 0n; x >>= 1n) {
      if (x & 1n) result = (result * base) & U256
      base = (base * base) & U256
    }
    c.out = [result]
  },
  11: (c) => {
    const [b, x] = [c.a(0), c.a(1)]
    if (b >= 31n) c.out = [x]
    else {
      const bit = 8n * b + 7n
      const mask = (1n << bit) - 1n
      c.out = [x & (1n << bit) ? x | (U256 ^ mask) : x & mask]
    }
  },
  22: (c) => {
    c.out = [c.a(0) & c.a(1)]
  },
  23: (c) => {
    c.out = [c.a(0) | c.a(1)]
  },
  24: (c) => {
    c.out = [c.a(0) ^ c.a(1)]
  },
  25: (c) => {
    c.out = [U256 ^ c.a(0)]
  },
  26: (c) => {
    c.out = [c.a(0) >= 32n ? 0n : (c.a(1) >> (8n * (31n - c.a(0)))) & 0xffn]
  },
  27: (c) => {
    c.out = [c.a(0) >= 256n ? 0n : (c.a(1) << c.a(0)) & U256]
  },
  28: (c) => {
    c.out = [c.a(0) >= 256n ? 0n : c.a(1) >> c.a(0)]
  },
  29: (c) => {
    c.out = [c.a(0) >= 256n ? (c.a(1) & SIGN ? U256 : 0n) : unsigned(signed(c.a(1)) >> c.a(0))]
  },
  // CLZ (EIP-7939, Osaka on): the leading zero bits.
  30: (c) => {
    c.out = [c.a(0) === 0n ? 256n : BigInt(256 - c.a(0).toString(2).length)]
  },
}
