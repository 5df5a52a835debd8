import type { BlockTrace, ExecResult } from '@stepproof/block-traces'
import { checkStep } from './check/index.ts'
import { INVALID, readState } from './check/layout.ts'
import { nativeOutcome } from './exec-native.ts'
import { traceBlock } from './trace/tracer.ts'
import type { StepWitness } from './trace/witness.ts'

/** A step whose witness the checker rejected or whose post it computed differently. */
export interface CheckFailure {
  step: number
  kind: string
  opcode?: number
  reason: string
}

/** The outcome of re-executing a block's steps from their witnesses. */
export interface BlockCheck {
  steps: number
  /** Steps whose witness was cut. */
  witnessed: number
  /** Steps the checker re-executed to the generator's post-commitment. */
  checked: number
  failures: CheckFailure[]
  /** The step, kind, opcode and witness size (SPEC.md §5 serialization, {@link witnessBytes}) of every checked step. */
  sizes: { step: number; kind: string; opcode?: number; bytes: number }[]
  /** The run's verdict and roots against the trace's expectation (as `exec --engine evm-native` gives them). */
  outcome: ExecResult
  seconds: number
}

/**
 * SPEC.md §5's serialized size of a witness: stateData, then each item as a 4-byte length and its
 * bytes. Code read through the CodeOracle is not counted: it is posted once per code, not per step.
 */
export function witnessBytes(w: Pick<StepWitness, 'stateData' | 'proof'>): number {
  return w.stateData.length + w.proof.reduce((n, item) => n + 4 + item.length, 0)
}

/**
 * SPEC.md §6's aim for one step's witness: 128 KiB, so that a step fits one L1 transaction. Steps
 * above it are counted by `check` (`oversized`); the sub-steps that keep every step under it are not
 * all in place yet.
 */
export const WITNESS_BOUND = 128 * 1024

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
/** SPEC.md §4's terminal phase of a valid block. */
const DONE = 12

const failureAt = (w: StepWitness, reason: string): CheckFailure => ({
  step: w.step,
  kind: w.kind,
  ...(w.opcode === undefined ? {} : { opcode: w.opcode }),
  reason,
})

/**
 * Cuts a witness for every step (`which` narrows it) and re-executes each with the reference checker
 * as the tracer seals it, keeping none: memory stays that of the trace, not of its witnesses.
 */
export async function checkBlock(trace: BlockTrace, which: (step: number) => boolean = () => true): Promise<BlockCheck> {
  const started = performance.now()
  let last: StepWitness | undefined
  const out: Omit<BlockCheck, 'steps' | 'outcome'> = { witnessed: 0, checked: 0, failures: [], sizes: [], seconds: 0 }
  const check = async (w: StepWitness) => {
    out.witnessed++
    last = w
    try {
      const post = await checkStep(w)
      if (hex(post) === hex(w.post)) {
        out.checked++
        out.sizes.push({ step: w.step, kind: w.kind, ...(w.opcode === undefined ? {} : { opcode: w.opcode }), bytes: witnessBytes(w) })
      } else out.failures.push(failureAt(w, 'the checker computed another post-commitment'))
    } catch (e) {
      out.failures.push(failureAt(w, (e as Error).message))
    }
  }
  const t = await traceBlock(trace, { witness: which, onWitness: check })
  // Witnesses of steps the run never sealed (none in a whole run) are checked after it.
  for (const w of t.witnesses) await check(w)
  // The outcome is the checked commitments' own: the last one ends the block (DONE, or INVALID for a
  // rejected block) with the state root the outcome reports.
  if (last !== undefined && last.step === t.steps.length - 1) {
    const end = readState(last.postStateData)
    const phase = t.rejected === undefined ? DONE : INVALID
    if (end.phase !== phase || (phase === DONE && hex(end.stateRoot) !== hex(t.stateRoot)))
      out.failures.push(failureAt(last, `the last step ends in phase ${end.phase}, not ${phase} with the run's state root`))
  }
  return { ...out, steps: t.steps.length, outcome: nativeOutcome(trace, t, started), seconds: (performance.now() - started) / 1000 }
}
