/**
 * Comparison opcodes (LT, GT, SLT, SGT, EQ, ISZERO): words in, 1 or 0 out, nothing else read. The
 * generator's twin is src/trace/opcode/comparison.ts.
 */
import { type OpcodeRule, signed } from './step.ts'

const bit = (b: boolean) => (b ? 1n : 0n)

export const COMPARISON: Record<number, OpcodeRule> = {
  16: (c) => {
    c.out = [bit(c.a(0) < c.a(1))]
  },
  17: (c) => {
    c.out = [bit(c.a(0) > c.a(1))]
  },
  18: (c) => {
    c.out = [bit(signed(c.a(0)) < signed(c.a(1)))]
  },
  19: (c) => {
    c.out = [bit(signed(c.a(0)) > signed(c.a(1)))]
  },
  20: (c) => {
    c.out = [bit(c.a(0) === c.a(1))]
  },
  21: (c) => {
    c.out = [bit(c.a(0) === 0n)]
  },
}
