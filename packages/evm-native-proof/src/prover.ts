/**
 * A block's native proof, queryable step by step (what a bisection game asks of a party): one run
 * of the block keeps every step's commitment and a checkpoint before each transaction, so that
 * `commitmentAt(k)` is a lookup and `proveStep(k)` re-runs only the transaction holding step k from
 * its checkpoint. Steps outside transactions (block start, withdrawals, the system calls, the
 * block's end) are proven by a run of the block.
 */
import type { BlockTrace } from '@stepproof/block-traces'
import type { StepKind } from './trace/kinds.ts'
import { checkpointBytes, type NativeTrace, traceBlock } from './trace/tracer.ts'
import type { StepWitness } from './trace/witness.ts'

export class NativeProver {
  private constructor(
    readonly trace: BlockTrace,
    private readonly run: NativeTrace,
  ) {}

  /** Traces the block once, keeping the commitments and the transactions' checkpoints. */
  static async build(trace: BlockTrace): Promise<NativeProver> {
    return new NativeProver(trace, await traceBlock(trace))
  }

  /** The number of steps of the block. */
  get steps(): number {
    return this.run.steps.length
  }

  /** The kind of step k. */
  kindOf(k: number): StepKind {
    const step = this.run.steps[k]
    if (step === undefined) throw new RangeError(`no step ${k}: the block has ${this.steps}`)
    return step.kind
  }

  /** The commitment after `k` steps: k = 0 is the block's initial state, k = steps its final one. */
  commitmentAt(k: number): Uint8Array {
    if (!Number.isInteger(k) || k < 0 || k > this.steps) throw new RangeError(`no commitment after ${k} steps: the block has ${this.steps}`)
    return k === 0 ? this.run.initial : (this.run.steps[k - 1]?.post as Uint8Array)
  }

  /** The bytes the checkpoints take (SPEC.md commitments are not counted; the world state stays in the node store). */
  get checkpointBytes(): number {
    return checkpointBytes(this.run.checkpoints)
  }

  /** Step k's witness (SPEC.md §5), cut from its transaction's checkpoint when it has one. */
  async proveStep(k: number): Promise<StepWitness> {
    if (!Number.isInteger(k) || k < 0 || k >= this.steps) throw new RangeError(`no step ${k}: the block has ${this.steps}`)
    const checkpoint = this.run.checkpoints.findLast((c) => c.step <= k)
    const next = this.run.checkpoints.find((c) => c.step > k)
    // Inside a transaction when a checkpoint precedes k and the step is its transaction's (the next
    // checkpoint starts the next transaction; after the last one, its steps end with its receipt).
    const inside = checkpoint !== undefined && (next !== undefined || this.lastTransactionEnd() >= k)
    const t = inside
      ? await traceBlock(this.trace, { witness: (s) => s === k, resume: { checkpoint, loaded: this.run.loaded } })
      : await traceBlock(this.trace, { witness: (s) => s === k })
    const w = t.witnesses[0]
    if (w === undefined || w.step !== k) throw new Error(`${this.trace.id}: step ${k} was not reached`)
    return w
  }

  /** The index of the last transaction's tx-receipt step (-1 with no transactions). */
  private lastTransactionEnd(): number {
    return this.run.steps.findLastIndex((s) => s.kind === 'tx-receipt')
  }
}
