/**
 * KECCAK256: the hash of a memory range, one that is longer than KECCAK_CHUNK through the frame's
 * sponge over several steps (SPEC.md §6.1). The generator's twin is src/trace/opcode/keccak.ts.
 */
import { num } from '../layout.ts'
import { type OpcodeRule, words } from './step.ts'

export const KECCAK: Record<number, OpcodeRule> = {
  32: (c) => {
    const [offset, len] = [c.a(0), c.a(1)]
    if (!c.continuing) {
      c.use(6n * words(len))
      c.expand(offset, len)
    }
    const digest = c.hashed(len, (from, to) => c.memoryBytes(offset, from, to))
    if (digest !== undefined) c.out = [num(digest)]
  },
}
