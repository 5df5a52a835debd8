/**
 * The arithmetic and bitwise opcodes' items (ADD–SIGNEXTEND, AND–CLZ); the checker's side is
 * src/check/opcode/arithmetic.ts. Their operands are the stack item: they add nothing to the prefix.
 */
import { NOTHING, type OpcodeWitness, opcodes } from './witness-step.ts'

export const ARITHMETIC_WITNESSES: Record<number, OpcodeWitness> = {
  // 0x01–0x0b ADD, MUL, SUB, DIV, SDIV, MOD, SMOD, ADDMOD, MULMOD, EXP, SIGNEXTEND
  ...opcodes(0x01, 0x0b, NOTHING),
  // 0x16–0x1e AND, OR, XOR, NOT, BYTE, SHL, SHR, SAR, CLZ (CLZ only from Osaka: before, it is undefined and never gets here)
  ...opcodes(0x16, 0x1e, NOTHING),
}
