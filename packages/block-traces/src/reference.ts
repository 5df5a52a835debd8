import type { Common } from '@ethereumjs/common'
import type { MerkleStateManager } from '@ethereumjs/statemanager'
import { createVM, type RunBlockResult, runBlock } from '@ethereumjs/vm'
import { loadTrace } from './chain.ts'
import { InputError } from './errors.ts'
import { type Hex, quantity, toHex } from './hex.ts'
import type { BlockTrace } from './trace.ts'

/** One field where an execution disagreed with the trace's expectation. */
export interface Mismatch {
  field: 'stateRoot' | 'receiptsRoot' | 'gasUsed' | 'logsBloom' | 'requestsHash'
  expected: string
  actual: string
}

/** The outcome of executing a trace on one engine, as `stepproof exec` reports it. */
export interface ExecResult {
  id: string
  engine: string
  stateRoot: Hex
  receiptsRoot: Hex
  gasUsed: Hex
  logsBloom: Hex
  requestsHash?: Hex
  match: boolean
  mismatches: Mismatch[]
  seconds: number
}

/** The fields an engine computes for a block, before comparison. */
export type BlockOutcome = Pick<ExecResult, 'stateRoot' | 'receiptsRoot' | 'gasUsed' | 'logsBloom' | 'requestsHash'>

/** Compares an engine's outcome with a trace's expectation, field by field. */
export function compareOutcome(trace: BlockTrace, outcome: BlockOutcome): Mismatch[] {
  const exp = trace.expected
  const pairs: [Mismatch['field'], string | undefined, string | undefined][] = [
    ['stateRoot', exp.stateRoot, outcome.stateRoot],
    ['receiptsRoot', exp.receiptsRoot, outcome.receiptsRoot],
    ['gasUsed', exp.gasUsed, outcome.gasUsed],
    ['logsBloom', exp.logsBloom, outcome.logsBloom],
    ['requestsHash', exp.requestsHash, outcome.requestsHash],
  ]
  return pairs
    .filter(([, e, a]) => (e ?? '').toLowerCase() !== (a ?? '').toLowerCase())
    .map(([field, e, a]) => ({ field, expected: e ?? '(none)', actual: a ?? '(none)' }))
}

/** Runs a trace's block on ethereumjs (header checked against its parent); returns the result and the post-state. */
export async function runOnEthereumjs(
  trace: BlockTrace,
  common?: Common,
): Promise<{ result: RunBlockResult; stateManager: MerkleStateManager }> {
  const loaded = await loadTrace(trace, trace.id, common)
  const vm = await createVM({ common: loaded.common, blockchain: loaded.blockchain, stateManager: loaded.stateManager })
  try {
    return { result: await runBlock(vm, { block: loaded.block, generate: true }), stateManager: loaded.stateManager }
  } catch (e) {
    throw new InputError(`${trace.id}: ethereumjs rejected the block (${(e as Error).message})`)
  }
}

/**
 * Executes a trace's block on @ethereumjs/vm, with the block's header checked against its parent,
 * and compares state root, receipts root, gas used, logs bloom and requests hash with the expectation.
 */
export async function executeReference(trace: BlockTrace): Promise<ExecResult> {
  const started = performance.now()
  const { result } = await runOnEthereumjs(trace)
  const outcome: BlockOutcome = {
    stateRoot: toHex(result.stateRoot),
    receiptsRoot: toHex(result.receiptsRoot),
    gasUsed: quantity(result.gasUsed),
    logsBloom: toHex(result.logsBloom),
    ...(result.requestsHash === undefined ? {} : { requestsHash: toHex(result.requestsHash) }),
  }
  return execResult(trace, 'ethereumjs', outcome, started)
}

/** An engine's outcome compared with the trace's expectation, timed from `started` (performance.now()). */
export function execResult(trace: BlockTrace, engine: string, outcome: BlockOutcome, started: number): ExecResult {
  const mismatches = compareOutcome(trace, outcome)
  return {
    id: trace.id,
    engine,
    ...outcome,
    match: mismatches.length === 0,
    mismatches,
    seconds: (performance.now() - started) / 1000,
  }
}
