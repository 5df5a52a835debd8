import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describeMismatches, type Fork, fuzzBlock, serializeBlockTrace } from '@stepproof/block-traces'
import { executeGeth } from '@stepproof/mips-proof'
import { type BlockItem, folderOf } from './block-input.ts'
import { type BlockResult, checkBlockTrace } from './check-block.ts'

/** One random block for a worker of `stepproof fuzz`. */
export interface FuzzTask {
  item: BlockItem
  seed: string
  txs: number
  /** Where the trace of a block with a disagreement is kept. */
  out: string
  gethBinary: string
}

/** One line of the results file of `stepproof fuzz`. */
export interface FuzzResult {
  id: string
  fork: string
  seed: string
  included: number
  dropped: number
  /** go-ethereum's guest (native) against the roots ethereumjs sealed the block with. */
  geth: { match: boolean; reason?: string }
  /** The native proof: traced, and every step re-derived by the checker. */
  native: Pick<BlockResult, 'status' | 'steps' | 'stepsChecked' | 'failures' | 'reason'>
  /** The trace, kept when something disagreed. */
  trace?: string
  seconds: number
}

/** A block with no result (its worker died or it timed out). */
export function fuzzFailed(item: BlockItem, reason: string, seconds: number): FuzzResult {
  return {
    id: item.id,
    fork: item.fork,
    seed: item.id,
    included: 0,
    dropped: 0,
    geth: { match: false, reason },
    native: { status: 'untraced', steps: 0, stepsChecked: 0, failures: [], reason },
    seconds,
  }
}

/**
 * Generates the block of a seed (random code, transactions of every envelope; ethereumjs seals it),
 * runs it on go-ethereum's guest natively and through the native tracer and checker; keeps the
 * trace of any block on which they do not all agree.
 */
export async function fuzzOne(task: FuzzTask): Promise<FuzzResult> {
  const started = performance.now()
  const { trace, included, dropped } = await fuzzBlock(task.seed, task.item.fork as Fork, task.txs)
  const path = join(task.out, `${task.seed.replace(/[^A-Za-z0-9._-]+/g, '_')}.json`)
  let geth: FuzzResult['geth']
  try {
    const g = await executeGeth(trace, task.gethBinary)
    geth = g.match ? { match: true } : { match: false, reason: g.rejected ?? describeMismatches(g.mismatches) }
  } catch (e) {
    geth = { match: false, reason: (e as Error).message }
  }
  const r = await checkBlockTrace({ id: trace.id, fork: trace.fork, folder: folderOf(trace.id) }, trace)
  const native = {
    status: r.status,
    steps: r.steps,
    stepsChecked: r.stepsChecked,
    failures: r.failures,
    ...(r.reason === undefined ? {} : { reason: r.reason }),
  }
  const agreed = geth.match && r.status === 'checked'
  if (!agreed) {
    // A disagreement's trace is kept, to minimise and replay.
    mkdirSync(task.out, { recursive: true })
    writeFileSync(path, serializeBlockTrace(trace))
  }
  return {
    id: task.item.id,
    fork: trace.fork,
    seed: task.seed,
    included,
    dropped,
    geth,
    native,
    ...(agreed ? {} : { trace: path }),
    seconds: (performance.now() - started) / 1000,
  }
}
