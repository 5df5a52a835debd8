/**
 * KECCAK256's items: the part of the memory this step hashes, after the sponge's state when the hash
 * goes on from an earlier step (SPEC.md §6.1); the checker's side is src/check/opcode/keccak.ts.
 */
import type { OpcodeWitness } from './witness-step.ts'

export const KECCAK_WITNESSES: Record<number, OpcodeWitness> = {
  // 0x20 KECCAK256
  32: ({ a, hashPart, memory }) => {
    const [from, to] = hashPart(a(1))
    memory([a(0) + from, to - from])
  },
}
