/**
 * A block's native proof, queryable step by step (what a bisection game asks of a party): one run
 * of the block keeps every step's commitment and a checkpoint before each transaction, so that
 * `commitmentAt(k)` is a lookup and `proveStep(k)` re-runs only the transaction holding step k from
 * its checkpoint; the block's tail (withdrawals, system calls, block end) has a checkpoint after the
 * last transaction, and block-start needs only the pre-state. The block never runs whole again.
 */
import type { BlockTrace } from '@stepproof/block-traces'
import type { StepKind } from './trace/kinds.ts'
import { checkpointBytes, type NativeTrace, traceBlock } from './trace/tracer.ts'
import type { StepWitness } from './trace/witness.ts'

const equal = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b))

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

  /**
   * Step k's witness (SPEC.md §5): block-start from the pre-state, any other step from the checkpoint
   * before it — its transaction's, or for the block's tail the one after the last transaction — so
   * that only that part of the block runs again.
   */
  async proveStep(k: number): Promise<StepWitness> {
    if (!Number.isInteger(k) || k < 0 || k >= this.steps) throw new RangeError(`no step ${k}: the block has ${this.steps}`)
    const checkpoint = this.run.checkpoints.findLast((c) => c.step <= k)
    // A block whose proof ends in INVALID keeps no checkpoints (ethereumjs's run of it was refused or
    // cut short): its steps are proven by running it again up to k, a prefix of the block.
    const t =
      this.run.rejected !== undefined
        ? await traceBlock(this.trace, { witness: (s) => s === k })
        : checkpoint === undefined
          ? await traceBlock(this.trace, { witness: (s) => s === k, blockStartOnly: true })
          : await traceBlock(this.trace, { witness: (s) => s === k, resume: { checkpoint, loaded: this.run.loaded } })
    const w = t.witnesses[0]
    if (w === undefined || w.step !== k) throw new Error(`${this.trace.id}: step ${k} was not reached`)
    // The run that resumed must meet the first run's commitments.
    if (!equal(w.pre, this.commitmentAt(k)) || !equal(w.post, this.commitmentAt(k + 1)))
      throw new Error(`${this.trace.id}: step ${k} proven from its checkpoint does not give the block's commitments`)
    return w
  }

  /** The number of checkpoints: one before each transaction, one before the block's tail. */
  get checkpoints(): number {
    return this.run.checkpoints.length
  }
}
