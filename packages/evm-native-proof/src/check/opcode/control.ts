/**
 * Control flow and halting: STOP, JUMP and JUMPI (the destination's JUMPDEST bit from the code
 * tree's mask), PC, GAS, JUMPDEST, RETURN and REVERT (their output a view of the memory, SPEC.md
 * §2.3). The generator's twin is src/trace/opcode/control.ts.
 */
import { emptyView, viewOf } from '../trees.ts'
import { codeLeaf, Halt, type OpcodeRule } from './step.ts'

const jump: OpcodeRule = (c) => {
  const dest = c.a(0)
  if (c.op === 0x57 && c.a(1) === 0n) return
  if (dest >= BigInt(c.f.codeSize)) throw new Halt()
  const d = Number(dest)
  const leaf = codeLeaf(c.r, c.f.codeRoot, d >> 5)
  if (((leaf[32 + ((d & 31) >> 3)] as number) & (0x80 >> (d & 7))) === 0) throw new Halt()
  c.pc = d
}

const halt: OpcodeRule = (c) => {
  const [offset, len] = [c.a(0), c.a(1)]
  c.expand(offset, len)
  // The output stays where it is: the frame's memory does not change after its halt.
  c.halt = { status: c.op === 0xf3 ? 1 : 2, output: viewOf(c.f.memoryRoot, offset, len) }
}

export const CONTROL: Record<number, OpcodeRule> = {
  0: (c) => {
    c.halt = { status: 1, output: emptyView() }
  },
  86: jump,
  87: jump,
  88: (c) => {
    c.out = [BigInt(c.f.pc)]
  },
  90: (c) => {
    c.out = [c.gas]
  },
  91: () => {},
  243: halt,
  253: halt,
}
