import type { Common } from '@ethereumjs/common'
import type { MerkleStateManager } from '@ethereumjs/statemanager'
import { createVM, type RunBlockResult, runBlock } from '@ethereumjs/vm'
import { loadTrace } from './chain.ts'
import { InputError } from './errors.ts'
import { type Hex, quantity, toHex } from './hex.ts'
import type { BlockTrace } from './trace.ts'

/** One field where an execution disagreed with the trace's expectation. */
export interface Mismatch {
  field: 'validity' | 'stateRoot' | 'receiptsRoot' | 'gasUsed' | 'logsBloom' | 'requestsHash'
  expected: string
  actual: string
}

/** The mismatches as one line: "stateRoot expected 0x…, got 0x…; gasUsed expected …". */
export function describeMismatches(mismatches: readonly Mismatch[]): string {
  return mismatches.map((m) => `${m.field} expected ${m.expected}, got ${m.actual}`).join('; ')
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
  /** Whether the engine accepted the block; a rejected block leaves the parent's state (its roots are those of nothing applied). */
  verdict: 'valid' | 'invalid'
  /** Why the engine rejected the block. */
  rejected?: string
  match: boolean
  mismatches: Mismatch[]
  seconds: number
}

/** The fields an engine computes for a block, before comparison; `rejected` when it refused the block. */
export type BlockOutcome = Pick<ExecResult, 'stateRoot' | 'receiptsRoot' | 'gasUsed' | 'logsBloom' | 'requestsHash' | 'rejected'>

/** The outcome of an engine that rejected the block: the parent's state, no receipts, no gas. */
export function rejectedOutcome(trace: BlockTrace, reason: string): BlockOutcome {
  return {
    stateRoot: trace.parent.stateRoot,
    receiptsRoot: EMPTY_TRIE_ROOT,
    gasUsed: '0x0',
    logsBloom: `0x${'00'.repeat(256)}`,
    rejected: reason,
  }
}

const EMPTY_TRIE_ROOT: Hex = '0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421'

/**
 * Compares an engine's outcome with a trace's expectation: the verdict first (a block expected
 * invalid must be rejected, a valid one accepted), then, for an accepted valid block, field by field.
 */
export function compareOutcome(trace: BlockTrace, outcome: BlockOutcome): Mismatch[] {
  const exp = trace.expected
  const rejected = verdictOf(trace, outcome).rejected
  if (exp.invalid !== undefined || rejected !== undefined) {
    if (exp.invalid !== undefined && rejected !== undefined) return []
    return [
      {
        field: 'validity',
        expected: exp.invalid === undefined ? 'valid' : `invalid (${exp.invalid})`,
        actual: rejected === undefined ? 'valid' : `invalid (${rejected})`,
      },
    ]
  }
  return compareRoots(trace, outcome)
}

/**
 * An engine's verdict: rejected when it refused the block, and, for a block expected invalid, also
 * when what it computed is not what the header claims (a client checks the state root, receipts
 * root, gas used, bloom and requests hash against the header: INVALID_REQUESTS and the like).
 */
function verdictOf(trace: BlockTrace, outcome: BlockOutcome): { rejected?: string } {
  if (outcome.rejected !== undefined || trace.expected.invalid === undefined)
    return outcome.rejected === undefined ? {} : { rejected: outcome.rejected }
  const claims = compareRoots(trace, outcome)
  return claims.length === 0 ? {} : { rejected: `the header claims another ${claims.map((m) => m.field).join(', ')}` }
}

/** The roots, gas and bloom an engine computed against the trace's expectation (the header's claims), field by field. */
function compareRoots(trace: BlockTrace, outcome: BlockOutcome): Mismatch[] {
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
    throw new RejectedBlock(trace.id, (e as Error).message)
  }
}

/** ethereumjs refused the block (or one of its transactions): for a block expected invalid, the verdict sought. */
export class RejectedBlock extends InputError {
  constructor(
    id: string,
    readonly reason: string,
  ) {
    super(`${id}: ethereumjs rejected the block (${reason})`)
  }
}

/**
 * Executes a trace's block on @ethereumjs/vm, with the block's header checked against its parent,
 * and compares state root, receipts root, gas used, logs bloom and requests hash with the expectation.
 */
export async function executeReference(trace: BlockTrace): Promise<ExecResult> {
  const started = performance.now()
  let result: RunBlockResult
  try {
    result = (await runOnEthereumjs(trace)).result
  } catch (e) {
    // A rejection is a verdict, to be compared with the expectation; a malformed trace stays an error.
    if (!(e instanceof RejectedBlock)) throw e
    return execResult(trace, 'ethereumjs', rejectedOutcome(trace, e.reason), started)
  }
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
  const { rejected } = verdictOf(trace, outcome)
  return {
    id: trace.id,
    engine,
    ...outcome,
    ...(rejected === undefined ? {} : { rejected }),
    verdict: rejected === undefined ? 'valid' : 'invalid',
    match: mismatches.length === 0,
    mismatches,
    seconds: (performance.now() - started) / 1000,
  }
}
