/**
 * The control-flow opcodes' items (STOP, JUMP, JUMPI, PC, GAS, JUMPDEST, RETURN, REVERT); the
 * checker's side is src/check/opcode/control.ts. Only a jump taken adds an item: its destination's
 * code chunk. RETURN and REVERT read their output in the frame exit that follows (SPEC.md §5.2).
 */
import { NOTHING, type OpcodeWitness } from './witness-step.ts'

/** JUMP, and JUMPI when taken: the destination's code chunk, whose jumpdest bit says whether it may be jumped to. */
const jump: OpcodeWitness = ({ src: { frame: f, opcode: op }, a, codeItem }) => {
  if ((op === 0x56 || a(1) !== 0n) && a(0) < BigInt(f.code.code.length)) codeItem(f.code, Number(a(0)) >> 5, Number(a(0)) >> 5)
}

export const CONTROL_WITNESSES: Record<number, OpcodeWitness> = {
  0: NOTHING, // 0x00 STOP
  86: jump, // 0x56 JUMP
  87: jump, // 0x57 JUMPI
  88: NOTHING, // 0x58 PC
  90: NOTHING, // 0x5a GAS
  91: NOTHING, // 0x5b JUMPDEST
  243: NOTHING, // 0xf3 RETURN
  253: NOTHING, // 0xfd REVERT
}
