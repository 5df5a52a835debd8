import { executeReference, readBlockTrace } from '@stepproof/block-traces'
import { checkBlock } from '@stepproof/evm-native-proof'
import type { BlockItem } from './block-input.ts'

/** A step the reference checker did not re-derive, as `stepproof check` reports it. */
export interface StepFailure {
  id: string
  step?: number
  kind?: string
  /** The opcode as 0x-hex, for opcode steps. */
  opcode?: string
  reason: string
}

/**
 * What became of one block: `reference-failure` when ethereumjs itself does not reach the expected
 * roots (the block is then not traced), `untraced` when the native tracer threw (or the block ran
 * out of time), `checked` when every step was re-derived, `failed` otherwise.
 */
export type BlockStatus = 'checked' | 'failed' | 'untraced' | 'reference-failure'

/** One line of the results file. */
export interface BlockResult {
  id: string
  fork: string
  folder: string
  status: BlockStatus
  steps: number
  stepsChecked: number
  failures: StepFailure[]
  /** Why the block was not traced, or how ethereumjs missed its expectation. */
  reason?: string
  seconds: number
}

const oneLine = (message: string) => message.replace(/\s*\n\s*/g, ' ')

/** A block that never reached the checker. */
export function notTraced(item: BlockItem, status: 'untraced' | 'reference-failure', reason: string, seconds = 0): BlockResult {
  const { id, fork, folder } = item
  // The block is named by the row: a reason that starts with its id is grouped by the rest.
  const own = reason.startsWith(`${id}: `) ? reason.slice(id.length + 2) : reason
  return { id, fork, folder, status, steps: 0, stepsChecked: 0, failures: [], reason: oneLine(own), seconds }
}

/**
 * Checks one block: its reference execution on ethereumjs against the expected roots, then a native
 * trace with a witness for every step, each re-executed by the reference checker.
 */
export async function checkTraceBlock(item: BlockItem): Promise<BlockResult> {
  const started = performance.now()
  const seconds = () => (performance.now() - started) / 1000
  let trace: ReturnType<typeof readBlockTrace>
  try {
    trace = readBlockTrace(item.path)
  } catch (e) {
    return notTraced(item, 'untraced', (e as Error).message, seconds())
  }
  try {
    const reference = await executeReference(trace)
    if (!reference.match) {
      const fields = reference.mismatches.map((m) => `${m.field} expected ${m.expected}, got ${m.actual}`)
      return notTraced(item, 'reference-failure', `ethereumjs: ${fields.join('; ')}`, seconds())
    }
  } catch (e) {
    return notTraced(item, 'reference-failure', (e as Error).message, seconds())
  }
  let check: Awaited<ReturnType<typeof checkBlock>>
  try {
    check = await checkBlock(trace)
  } catch (e) {
    return notTraced(item, 'untraced', (e as Error).message, seconds())
  }
  const failures: StepFailure[] = check.failures.map((f) => ({
    id: item.id,
    step: f.step,
    ...('kind' in f && typeof f.kind === 'string' ? { kind: f.kind } : {}),
    ...(f.opcode === undefined ? {} : { opcode: `0x${f.opcode.toString(16).padStart(2, '0')}` }),
    reason: oneLine(f.reason),
  }))
  // Steps neither re-derived nor rejected still keep the block from counting as checked.
  for (const [reason, n] of Object.entries(check.notChecked))
    failures.push({ id: item.id, reason: `not re-executed (${n} steps): ${reason}` })
  if (check.witnessed < check.steps) failures.push({ id: item.id, reason: `${check.steps - check.witnessed} steps without a witness` })
  const { id, fork, folder } = item
  const status = failures.length === 0 && check.checked === check.steps ? 'checked' : 'failed'
  return { id, fork, folder, status, steps: check.steps, stepsChecked: check.checked, failures, seconds: seconds() }
}
