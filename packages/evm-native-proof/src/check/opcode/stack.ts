/**
 * Stack opcodes: POP, PUSH0–PUSH32 (the pushed bytes from the code chunk at pc, and the next chunk
 * when they cross into it), DUP1–DUP16, SWAP1–SWAP16. The generator's twin is src/trace/opcode/stack.ts.
 */
import { num } from '../layout.ts'
import { codeLeaf, type OpcodeRule, type Step } from './step.ts'

/** PUSHn: n bytes after pc, those past the code zero. */
function push(c: Step, n: number): void {
  const { f } = c
  const data = new Uint8Array(n)
  const chunk = c.chunk as Uint8Array
  const first = f.pc + 1
  for (let i = 0; i < n && (first + i) >> 5 === f.pc >> 5; i++) data[i] = chunk[(first + i) & 31] as number
  const nextChunk = (f.pc >> 5) + 1
  if ((first + n - 1) >> 5 === nextChunk && nextChunk * 32 < f.codeSize) {
    const next = codeLeaf(c.r, f.codeRoot, nextChunk)
    for (let i = 0; i < n; i++) if ((first + i) >> 5 === nextChunk) data[i] = next[(first + i) & 31] as number
  }
  for (let i = 0; i < n; i++) if (first + i >= f.codeSize) data[i] = 0
  c.out = [num(data)]
  c.pc = f.pc + 1 + n
}

export const STACK: Record<number, OpcodeRule> = {
  80: () => {},
  95: (c) => {
    c.out = [0n]
  },
  ...Object.fromEntries(Array.from({ length: 32 }, (_, i) => [0x60 + i, (c: Step) => push(c, i + 1)])),
  // DUPn reads n items and pushes them back with the n-th on top.
  ...Object.fromEntries(
    Array.from({ length: 16 }, (_, i) => [
      0x80 + i,
      (c: Step) => {
        c.out = [...c.args.slice().reverse(), c.a(c.args.length - 1)]
      },
    ]),
  ),
  // SWAPn reads n + 1 items and swaps the first and the last.
  ...Object.fromEntries(
    Array.from({ length: 16 }, (_, i) => [
      0x90 + i,
      (c: Step) => {
        const swapped = c.args.slice()
        swapped[0] = c.a(c.args.length - 1)
        swapped[c.args.length - 1] = c.a(0)
        c.out = swapped.reverse()
      },
    ]),
  ),
}
