/**
 * The memory opcodes' items (MLOAD, MSTORE, MSTORE8, MSIZE, MCOPY, and the copies into memory:
 * CALLDATACOPY, CODECOPY, EXTCODECOPY, RETURNDATACOPY): the memory chunks they touch and the source
 * a copy reads, a copy's part COPY_CHUNK bytes a step (SPEC.md §6); the checker's side is
 * src/check/opcode/memory.ts.
 */
import { CodeTree } from '../../commit/code-tree.ts'
import { copyPart } from '../witness-parts.ts'
import { externalAccount } from './environment.ts'
import { NOTHING, type OpcodeWitness } from './witness-step.ts'

/** CALLDATACOPY, CODECOPY, RETURNDATACOPY: this step's part of the source, then of the memory. */
const copy: OpcodeWitness = ({ src: { frame: f, opcode: op }, a, done, memory, source, codeSource }) => {
  const { from, n } = copyPart(a(2), done, false)
  if (op === 0x39) codeSource(f.code, a(1) + from, n)
  else source(op === 0x37 ? f.calldata : f.returnData, a(1) + from, n)
  memory([a(0) + from, n])
}

export const MEMORY_WITNESSES: Record<number, OpcodeWitness> = {
  81: ({ a, memory }) => memory([a(0), 32n]), // 0x51 MLOAD
  82: ({ a, memory }) => memory([a(0), 32n]), // 0x52 MSTORE
  83: ({ a, memory }) => memory([a(0), 1n]), // 0x53 MSTORE8
  89: NOTHING, // 0x59 MSIZE: read from the frame
  // 0x5e MCOPY
  94: ({ a, done, memory }) => {
    // The source range, then the destination range, each against the memory root.
    const { from, n } = copyPart(a(2), done, a(0) > a(1))
    memory([a(1) + from, n])
    memory([a(0) + from, n])
  },
  55: copy, // 0x37 CALLDATACOPY
  57: copy, // 0x39 CODECOPY
  62: copy, // 0x3e RETURNDATACOPY
  // 0x3c EXTCODECOPY: what EXTCODESIZE proves, then this step's part of the code and of the memory
  60: async (w) => {
    const code = await externalAccount(w)
    const { a, done, memory, codeSource } = w
    const { from, n } = copyPart(a(3), done, false)
    if (code !== undefined) codeSource(new CodeTree(code), a(2) + from, n)
    memory([a(1) + from, n])
  },
}
