/**
 * The generator's errors. A divergence is the tracer finding that its own steps reach another state
 * than ethereumjs did at once (a root, the gas used, a warm set, a bloom): a bug of the tracer (or of
 * ethereumjs), never of the input. It names where, so that a user can report it and a developer
 * can find it: "the tracer disagrees with ethereumjs at tx 3, step 120: …".
 */
import { StepproofError } from '@stepproof/block-traces'

export interface Divergence {
  traceId: string
  /** The transaction being traced (the number of transactions once they are all done). */
  txIndex: number
  /** The step about to be pushed when the divergence was found. */
  step: number
  /** What disagrees: "the set-up steps reach another state root". */
  what: string
  expected?: unknown
  actual?: unknown
}

const shown = (v: unknown) => (v instanceof Uint8Array ? `0x${Buffer.from(v).toString('hex')}` : String(v))

export class DivergenceError extends StepproofError {
  override readonly name: string = 'DivergenceError'
  readonly divergence: Divergence

  constructor(d: Divergence) {
    const values =
      d.expected === undefined && d.actual === undefined ? '' : ` (ethereumjs ${shown(d.expected)}, the tracer ${shown(d.actual)})`
    super(`${d.traceId}: the tracer disagrees with ethereumjs at tx ${d.txIndex}, step ${d.step}: ${d.what}${values}`)
    this.divergence = d
  }
}
