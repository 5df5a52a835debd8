/**
 * The comparison opcodes' items (LT, GT, SLT, SGT, EQ, ISZERO); the checker's side is
 * src/check/opcode/comparison.ts. Their operands are the stack item: they add nothing to the prefix.
 */
import { NOTHING, type OpcodeWitness, opcodes } from './witness-step.ts'

// 0x10–0x15 LT, GT, SLT, SGT, EQ, ISZERO
export const COMPARISON_WITNESSES: Record<number, OpcodeWitness> = opcodes(0x10, 0x15, NOTHING)
