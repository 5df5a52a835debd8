/**
 * The reference checker (SPEC.md §5): given a step's pre-commitment, its stateData and its witness,
 * re-derives the post-commitment or rejects the witness. It shares no code with the generator
 * (src/trace, src/commit) beyond keccak256; libraries do RLP and the Merkle–Patricia trie.
 */

import { checkBlockFinalize, checkSystemCall, checkWithdrawal } from './block-end.ts'
import { checkBlockHashes } from './block-hashes.ts'
import { checkBlockStart } from './block-start.ts'
import { WitnessError } from './errors.ts'
import { checkFrameExit } from './frame-exit.ts'
import { equal, FRAME_BYTES, keccak, type MachineState, readFrame, readState, writeState } from './layout.ts'
import type { BytesOracle } from './list-ends.ts'
import type { CodeOracle } from './opcode/step.ts'
import { checkOpcode } from './opcode.ts'
import { PHASE, PHASE_NAMES } from './phases.ts'
import { checkPrecompile } from './precompile.ts'
import { checkReceiptsTrie } from './receipts-trie.ts'
import { bytesRoot, codeRoot } from './trees.ts'
import { checkTxCleanup, checkTxReceipt, checkTxRefund } from './tx-end.ts'
import { checkTxAccessList, checkTxAuthorization, checkTxEnter, checkTxPayload, checkTxStart } from './tx-start.ts'
import { ItemReader } from './witness-reader.ts'

export { WitnessError } from './errors.ts'

/** What the checker is given for one step. */
export interface CheckInput {
  pre: Uint8Array
  stateData: Uint8Array
  proof: readonly Uint8Array[]
  /** Code posted to the CodeOracle before the step (SPEC.md §0): the checker computes each root itself. */
  codes?: readonly Uint8Array[]
  /** Byte strings posted to the BytesOracle before the step (SPEC.md §5: long trie leaves): the checker computes each tree itself. */
  bytes?: readonly Uint8Array[]
}

/** The precompile addresses of a fork by SPEC.md's id: 0x01–0x09, 0x0a from Cancun, 0x0b–0x11 from Prague, 0x100 from Osaka. */
function isPrecompile(address: Uint8Array, forkId: number): boolean {
  let v = 0
  for (let i = 0; i < 18; i++) if (address[i] !== 0) return false
  v = ((address[18] as number) << 8) | (address[19] as number)
  const last = forkId === 0 ? 0x09 : forkId === 1 ? 0x0a : 0x11
  return (v >= 1 && v <= last) || (forkId >= 3 && v === 0x100)
}

/** A CodeOracle holding the given codes, keyed by their hash. */
export function codeOracle(codes: readonly Uint8Array[]): CodeOracle {
  const known = new Map<string, { root: Uint8Array; size: number; delegate?: Uint8Array }>()
  for (const c of codes) {
    // An EIP-7702 delegation designator: 0xef0100 ‖ address.
    const delegate = c.length === 23 && c[0] === 0xef && c[1] === 0x01 && c[2] === 0x00 ? c.slice(3) : undefined
    known.set(Buffer.from(keccak(c)).toString('hex'), {
      root: codeRoot(c),
      size: c.length,
      ...(delegate === undefined ? {} : { delegate }),
    })
  }
  return (hash) => known.get(Buffer.from(hash).toString('hex'))
}

/** A BytesOracle holding the given byte strings, keyed by their hash: each one's `T_24` root and size. */
export function bytesOracle(posted: readonly Uint8Array[]): BytesOracle {
  const known = new Map(posted.map((b) => [Buffer.from(keccak(b)).toString('hex'), { root: bytesRoot(b), size: b.length }]))
  return (hash) => known.get(Buffer.from(hash).toString('hex'))
}

/** Re-executes one step; returns the post-commitment. Throws WitnessError. */
export async function checkStep(input: CheckInput): Promise<Uint8Array> {
  return keccak(await checkStepState(input))
}

/** Re-executes one step; returns the post-state's stateData. */
export async function checkStepState(input: CheckInput): Promise<Uint8Array> {
  if (!equal(keccak(input.stateData), input.pre)) throw new WitnessError('stateData does not hash to the pre-commitment')
  const s = readState(input.stateData)
  const r = new ItemReader(input.proof)
  const step = STEPS[s.phase]
  if (step === undefined) throw new WitnessError(`phase ${s.phase} (${PHASE_NAMES[s.phase] ?? 'unknown'}) has no step`)
  return writeState(await step(s, r, codeOracle(input.codes ?? []), bytesOracle(input.bytes ?? [])))
}

type StepChecker = (s: MachineState, r: ItemReader, code: CodeOracle, bytes: BytesOracle) => Promise<MachineState>

/** The step each phase takes (SPEC.md §4); DONE and INVALID take none. */
const STEPS: Partial<Record<number, StepChecker>> = {
  [PHASE.BLOCK_START]: (s, r) => checkBlockStart(s, r),
  [PHASE.BLOCK_HASHES]: (s, r, _, bytes) => checkBlockHashes(s, r, bytes),
  [PHASE.TX_START]: checkTxStart,
  [PHASE.TX_PAYLOAD]: checkTxPayload,
  [PHASE.TX_AUTHORIZATION]: checkTxAuthorization,
  [PHASE.TX_ACCESS_LIST]: (s, r) => checkTxAccessList(s, r),
  [PHASE.TX_ENTER]: checkTxEnter,
  [PHASE.EXECUTION]: checkExecution,
  [PHASE.TX_REFUND]: (s, r) => checkTxRefund(s, r),
  [PHASE.TX_CLEANUP]: (s, r) => checkTxCleanup(s, r),
  [PHASE.TX_RECEIPT]: (s, r, _, bytes) => checkTxReceipt(s, r, bytes),
  [PHASE.RECEIPTS_TRIE]: (s, r) => checkReceiptsTrie(s, r),
  [PHASE.WITHDRAWAL]: (s, r) => checkWithdrawal(s, r),
  [PHASE.SYSTEM_CALL]: checkSystemCall,
  [PHASE.BLOCK_FINALIZE]: (s, r) => checkBlockFinalize(s, r),
}

/** A step of the executing frame, by its state: a frame exit once it has halted, a precompile's run, or an opcode. */
async function checkExecution(s: MachineState, r: ItemReader, code: CodeOracle): Promise<MachineState> {
  const frameBytes = r.next('frame', FRAME_BYTES)
  if (!equal(keccak(frameBytes), s.frameHash)) throw new WitnessError('the frame does not hash to the state’s frame')
  const f = readFrame(frameBytes)
  if (f.status !== 0) return checkFrameExit(s, f, r)
  if (isPrecompile(f.codeAddress, s.forkId)) return checkPrecompile(s, f, r)
  return checkOpcode(s, f, r, code)
}
