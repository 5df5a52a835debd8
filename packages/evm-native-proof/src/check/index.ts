/**
 * The reference checker (SPEC.md §5): given a step's pre-commitment, its stateData and its witness,
 * re-derives the post-commitment or rejects the witness. It shares no code with the generator
 * (src/trace, src/commit) beyond keccak256; libraries do RLP and the Merkle–Patricia trie.
 */

import { checkBlockFinalize, checkBlockStart, checkSystemCall, checkWithdrawal } from './block.ts'
import { BLOCK_HASHES, checkBlockHashes } from './block-hashes.ts'
import { checkFrameExit } from './frame-exit.ts'
import { equal, keccak, readFrame, readState, writeState } from './layout.ts'
import { type CodeOracle, checkOpcode } from './opcode.ts'
import { checkPrecompile } from './precompile.ts'
import { codeRoot } from './trees.ts'
import { checkTxCleanup, checkTxReceipt, checkTxRefund } from './tx-end.ts'
import { checkTxAccessList, checkTxAuthorization, checkTxEnter, checkTxStart } from './tx-start.ts'
import { ItemReader, WitnessError } from './witness-reader.ts'

export { NotChecked } from './opcode.ts'
export { WitnessError } from './witness-reader.ts'

/** SPEC.md §4's phases, by number: the step kind each starts. */
const PHASES = [
  'block-start',
  'tx-start',
  'tx-authorization',
  'tx-access-list',
  'tx-enter',
  'opcode',
  'tx-refund',
  'tx-cleanup',
  'tx-receipt',
  'withdrawal',
  'system-call',
  'block-finalize',
  'DONE',
  'INVALID',
  'block-hashes',
]

/** What the checker is given for one step. */
export interface CheckInput {
  pre: Uint8Array
  stateData: Uint8Array
  proof: readonly Uint8Array[]
  /** Code posted to the CodeOracle before the step (SPEC.md §0): the checker computes each root itself. */
  codes?: readonly Uint8Array[]
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

/** Re-executes one step; returns the post-commitment. Throws WitnessError or NotChecked. */
export async function checkStep(input: CheckInput): Promise<Uint8Array> {
  return keccak(await checkStepState(input))
}

/** Re-executes one step; returns the post-state's stateData. */
export async function checkStepState(input: CheckInput): Promise<Uint8Array> {
  if (!equal(keccak(input.stateData), input.pre)) throw new WitnessError('stateData does not hash to the pre-commitment')
  const s = readState(input.stateData)
  const r = new ItemReader(input.proof)
  if (s.phase === 0) return writeState(await checkBlockStart(s, r))
  if (s.phase === 1) return writeState(await checkTxStart(s, r, codeOracle(input.codes ?? [])))
  if (s.phase === 2) return writeState(await checkTxAuthorization(s, r, codeOracle(input.codes ?? [])))
  if (s.phase === 3) return writeState(await checkTxAccessList(s, r))
  if (s.phase === 4) return writeState(await checkTxEnter(s, r, codeOracle(input.codes ?? [])))
  if (s.phase === 6) return writeState(await checkTxRefund(s, r))
  if (s.phase === 7) return writeState(await checkTxCleanup(s, r))
  if (s.phase === 8) return writeState(await checkTxReceipt(s, r))
  if (s.phase === 9) return writeState(await checkWithdrawal(s, r))
  if (s.phase === 10) return writeState(await checkSystemCall(s, r, codeOracle(input.codes ?? [])))
  if (s.phase === 11) return writeState(await checkBlockFinalize(s, r))
  if (s.phase === BLOCK_HASHES) return writeState(await checkBlockHashes(s, r))
  if (s.phase !== 5) throw new WitnessError(`phase ${s.phase} (${PHASES[s.phase] ?? 'unknown'}) has no step`)
  const frameBytes = r.next('frame', 384)
  if (!equal(keccak(frameBytes), s.frameHash)) throw new WitnessError('the frame does not hash to the state’s frame')
  const f = readFrame(frameBytes)
  if (f.status !== 0) return writeState(await checkFrameExit(s, f, r))
  if (isPrecompile(f.codeAddress, s.forkId)) return writeState(checkPrecompile(s, f, r))
  return writeState(await checkOpcode(s, f, r, codeOracle(input.codes ?? [])))
}
