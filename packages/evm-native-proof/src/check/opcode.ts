/**
 * The reference checker's EVM: one opcode of an executing frame, re-executed from the witness with
 * its exact stack, memory, gas, storage and sub-state effects (SPEC.md §4 `opcode`, §5 items).
 * Written from the Yellow Paper and the EIPs, not from ethereumjs: it is the oracle the generator and
 * the Solidity verifier are held to. This file decodes the step (the opcode at pc, its stack items,
 * its static gas) and makes the post-state; each opcode's own rule is in its class's file under
 * opcode/, named as the generator's src/trace/opcode/ files.
 */
import { be, equal, type FrameState, keccak, type MachineState, num, writeFrame } from './layout.ts'
import { ARITHMETIC } from './opcode/arithmetic.ts'
import { CALLS } from './opcode/calls.ts'
import { COMPARISON } from './opcode/comparison.ts'
import { CONTROL } from './opcode/control.ts'
import { ENVIRONMENT } from './opcode/environment.ts'
import { KECCAK } from './opcode/keccak.ts'
import { LOGS } from './opcode/logs.ts'
import { MEMORY } from './opcode/memory.ts'
import { SELFDESTRUCT } from './opcode/selfdestruct.ts'
import { STACK } from './opcode/stack.ts'
import { type CodeOracle, codeLeaf, Halt, type OpcodeRule, Step } from './opcode/step.ts'
import { STORAGE } from './opcode/storage.ts'
import { opcodeShape } from './opcodes.ts'
import { type ItemReader, WitnessError } from './witness-reader.ts'

export { COPY_CHUNK, type CodeOracle, collides } from './opcode/step.ts'

/** Each opcode's rule, by opcode, from its class's file. */
const RULES: Record<number, OpcodeRule> = {
  ...ARITHMETIC,
  ...COMPARISON,
  ...KECCAK,
  ...ENVIRONMENT,
  ...STACK,
  ...MEMORY,
  ...STORAGE,
  ...CONTROL,
  ...LOGS,
  ...CALLS,
  ...SELFDESTRUCT,
}

/** The hashing opcodes, KECCAK256 and LOG0–LOG4: over KECCAK_CHUNK bytes, they go on in steps through the frame's sponge. */
const HASHES = new Set([0x20, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4])
/** The opcodes that may take more than one step (SPEC.md §6.1): the copies and the hashes. */
const SPLIT = new Set([0x37, 0x39, 0x3c, 0x3e, 0x5e, ...HASHES])

/** Re-executes the opcode at the frame's pc; returns the state after it. */
export async function checkOpcode(s: MachineState, f: FrameState, r: ItemReader, oracle: CodeOracle): Promise<MachineState> {
  const chunk = f.pc < f.codeSize ? codeLeaf(r, f.codeRoot, f.pc >> 5) : undefined
  const op = chunk === undefined ? 0x00 : (chunk[f.pc & 31] as number)
  const failed = (): MachineState => ({ ...s, frameHash: keccak(writeFrame({ ...f, status: 3, gas: 0n })) })

  /** A copy or hash under way (SPEC.md §6.1): its gas and memory expansion were charged by its first step. */
  const continuing = f.progress > 0
  if (continuing && !SPLIT.has(op))
    throw new WitnessError(`the frame is in the middle of a copy or a hash, but the opcode at pc is 0x${op.toString(16)}`)
  // A sponge is under way exactly when a hash goes on.
  if (f.sponge.some((b) => b !== 0) !== (continuing && HASHES.has(op)))
    throw new WitnessError('the frame’s sponge is not that of a hash under way at pc')

  try {
    const sh = opcodeShape(op, s.forkId)
    if (sh === undefined) throw new Halt() // an undefined opcode (INVALID among them)
    const pushes =
      op >= 0x80 && op <= 0x8f
        ? sh.reads + 1
        : op >= 0x90 && op <= 0x9f
          ? sh.reads
          : PUSHES_ONE.has(op) || (op >= 0x60 && op <= 0x7f)
            ? 1
            : 0
    if (f.stackSize < sh.reads || f.stackSize - sh.reads + pushes > 1024) throw new Halt()
    const stackItem = r.words('stack', sh.reads + 1)
    const args = stackItem.slice(0, sh.reads).map(num)
    const below = stackItem[sh.reads] as Uint8Array
    let h = below
    for (let i = args.length - 1; i >= 0; i--) h = keccak(h, be(args[i] as bigint))
    if (!equal(h, f.stackHash)) throw new WitnessError('the stack items do not hash to the frame’s stack')
    const rule = RULES[op]
    if (rule === undefined) throw new Halt()
    const c = new Step(s, f, r, oracle, op, chunk, args, below, continuing)
    if (!continuing) c.use(BigInt(sh.gas))
    await rule(c)
    r.done()
    return postState(c)
  } catch (e) {
    if (e instanceof Halt) return failed()
    throw e
  }
}

/** The state a step leaves: the child entered, the frame halted, a copy or hash going on, or the frame at its next opcode. */
function postState(c: Step): MachineState {
  const { f, state } = c
  if (c.entered !== undefined) return { ...state, frameStackHash: c.entered.frameStackHash, frameHash: keccak(writeFrame(c.entered.child)) }
  if (c.halt !== undefined) {
    // A halting opcode leaves pc, stack and memory as they were; the frame now holds its output.
    const frame: FrameState = { ...f, status: c.halt.status, gas: c.gas, output: c.halt.output }
    return { ...state, frameHash: keccak(writeFrame(frame)) }
  }
  const { gas, memoryWords, memoryRoot } = c
  if (c.progress !== undefined) {
    // The copy or hash goes on at the same pc with its operands on the stack (SPEC.md §6.1).
    const frame = { ...f, gas, memoryWords, memoryRoot, progress: c.progress, sponge: c.sponge ?? f.sponge }
    return { ...state, frameHash: keccak(writeFrame(frame)) }
  }
  let stackHash = c.below
  let stackSize = f.stackSize - c.args.length
  for (const v of c.out) {
    stackHash = keccak(stackHash, be(v))
    stackSize++
  }
  const frame: FrameState = {
    ...f,
    pc: c.pc,
    gas,
    stackHash,
    stackSize,
    memoryWords,
    memoryRoot,
    progress: 0,
    sponge: new Uint8Array(32),
    ...(c.returnData === undefined ? {} : { returnData: c.returnData }),
  }
  return { ...state, frameHash: keccak(writeFrame(frame)) }
}

/** Opcodes (besides PUSH, DUP and SWAP) that push one word. */
const PUSHES_ONE = new Set([
  0xf0, 0xf5, 0xf1, 0xf2, 0xf4, 0xfa, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
  0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x20, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x38, 0x3a, 0x3b, 0x3d, 0x3f, 0x40,
  0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x51, 0x54, 0x58, 0x59, 0x5a, 0x5c, 0x5f,
])
