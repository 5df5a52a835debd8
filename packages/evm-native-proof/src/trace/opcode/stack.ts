/**
 * The stack opcodes' items (POP, PUSH0–PUSH32, DUP1–DUP16, SWAP1–SWAP16); the checker's side is
 * src/check/opcode/stack.ts. Only a PUSH whose immediate runs into the next code chunk adds an item.
 */
import { NOTHING, type OpcodeWitness, opcodes } from './witness-step.ts'

/** PUSH1–PUSH32: the next code chunk, when the immediate reaches it and the code has one (past its end the bytes are zero). */
const push: OpcodeWitness = ({ src: { frame: f, opcode: op }, codeItem }) => {
  const next = (f.pc >> 5) + 1
  if ((f.pc + op - 0x5f) >> 5 === next && next * 32 < f.code.code.length) codeItem(f.code, next, next)
}

export const STACK_WITNESSES: Record<number, OpcodeWitness> = {
  80: NOTHING, // 0x50 POP
  95: NOTHING, // 0x5f PUSH0
  // 0x60–0x7f PUSH1–PUSH32
  ...opcodes(0x60, 0x7f, push),
  // 0x80–0x9f DUP1–DUP16, SWAP1–SWAP16: the words they move are the stack item
  ...opcodes(0x80, 0x9f, NOTHING),
}
