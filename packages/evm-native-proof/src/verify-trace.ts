import type { BlockTrace } from '@stepproof/block-traces'
import { checkStep, NotChecked } from './check/index.ts'
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
  /** Steps the checker does not re-execute yet, by reason. */
  notChecked: Record<string, number>
  failures: CheckFailure[]
  /** The step, kind, opcode and witness size (SPEC.md §5 serialization, {@link witnessBytes}) of every checked step. */
  sizes: { step: number; kind: string; opcode?: number; bytes: number }[]
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

const failureAt = (w: StepWitness, reason: string): CheckFailure => ({
  step: w.step,
  kind: w.kind,
  ...(w.opcode === undefined ? {} : { opcode: w.opcode }),
  reason,
})

/** Cuts a witness for every step (`which` narrows it) and re-executes each with the reference checker. */
export async function checkBlock(trace: BlockTrace, which: (step: number) => boolean = () => true): Promise<BlockCheck> {
  const started = performance.now()
  const t = await traceBlock(trace, { witness: which })
  const out: BlockCheck = {
    steps: t.steps.length,
    witnessed: t.witnesses.length,
    checked: 0,
    notChecked: {},
    failures: [],
    sizes: [],
    seconds: 0,
  }
  for (const w of t.witnesses) {
    try {
      const post = await checkStep(w)
      if (hex(post) === hex(w.post)) {
        out.checked++
        out.sizes.push({ step: w.step, kind: w.kind, ...(w.opcode === undefined ? {} : { opcode: w.opcode }), bytes: witnessBytes(w) })
      } else out.failures.push(failureAt(w, 'the checker computed another post-commitment'))
    } catch (e) {
      if (e instanceof NotChecked) out.notChecked[e.message] = (out.notChecked[e.message] ?? 0) + 1
      else out.failures.push(failureAt(w, (e as Error).message))
    }
  }
  out.seconds = (performance.now() - started) / 1000
  return out
}
