import { type BlockTrace, describeMismatches, executeReference, readBlockTrace } from '@stepproof/block-traces'
import { checkBlock, WITNESS_BOUND } from '@stepproof/evm-native-proof'
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

/** The largest witness of a block (SPEC.md §5 serialization), and its step. */
export interface LargestWitness {
  id: string
  step: number
  kind: string
  opcode?: string
  bytes: number
}

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
  /** Checked steps by kind, opcode steps by opcode (`opcode 0x55`): the coverage the block gives. */
  coverage?: Record<string, number>
  largestWitness?: LargestWitness
  /** Checked steps whose witness is over SPEC.md §6's bound (128 KiB), by kind or opcode as in `coverage`. */
  oversized?: Record<string, number>
  seconds: number
}

const oneLine = (message: string) => message.replace(/\s*\n\s*/g, ' ')
const hexByte = (b: number) => `0x${b.toString(16).padStart(2, '0')}`

/** A block that never reached the checker. */
export function notTraced(
  item: Omit<BlockItem, 'path'>,
  status: 'untraced' | 'reference-failure',
  reason: string,
  seconds = 0,
): BlockResult {
  const { id, fork, folder } = item
  // The block is named by the row: a reason that starts with its id is grouped by the rest.
  const own = reason.startsWith(`${id}: `) ? reason.slice(id.length + 2) : reason
  return { id, fork, folder, status, steps: 0, stepsChecked: 0, failures: [], reason: oneLine(own), seconds }
}

/** Checks the block of a trace file (see {@link checkBlockTrace}); one that does not read is untraced. */
export async function checkTraceBlock(item: BlockItem): Promise<BlockResult> {
  const started = performance.now()
  let trace: BlockTrace
  try {
    trace = readBlockTrace(item.path)
  } catch (e) {
    return notTraced(item, 'untraced', (e as Error).message, (performance.now() - started) / 1000)
  }
  return checkBlockTrace(item, trace, started)
}

/**
 * Checks one block: its reference execution on ethereumjs against the expected roots, then a native
 * trace with a witness for every step, each re-executed by the reference checker.
 */
export async function checkBlockTrace(item: Omit<BlockItem, 'path'>, trace: BlockTrace, started = performance.now()): Promise<BlockResult> {
  const seconds = () => (performance.now() - started) / 1000
  try {
    const reference = await executeReference(trace)
    if (!reference.match) {
      return notTraced(item, 'reference-failure', `ethereumjs: ${describeMismatches(reference.mismatches)}`, seconds())
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
    ...(f.opcode === undefined ? {} : { opcode: hexByte(f.opcode) }),
    reason: oneLine(f.reason),
  }))
  if (check.witnessed < check.steps) failures.push({ id: item.id, reason: `${check.steps - check.witnessed} steps without a witness` })
  // Every step re-derived is not enough: the proof must also end where the trace expects (valid with
  // its roots, or invalid).
  if (!check.outcome.match)
    failures.push({
      id: item.id,
      reason: `the native proof's outcome: ${describeMismatches(check.outcome.mismatches)}`,
    })
  const { id, fork, folder } = item
  const status = failures.length === 0 && check.checked === check.steps ? 'checked' : 'failed'
  const coverage: Record<string, number> = {}
  const oversized: Record<string, number> = {}
  let largest: (typeof check.sizes)[number] | undefined
  for (const s of check.sizes) {
    const key = s.opcode === undefined ? s.kind : `opcode ${hexByte(s.opcode)}`
    coverage[key] = (coverage[key] ?? 0) + 1
    if (s.bytes > WITNESS_BOUND) oversized[key] = (oversized[key] ?? 0) + 1
    if (largest === undefined || s.bytes > largest.bytes) largest = s
  }
  const largestWitness =
    largest === undefined
      ? undefined
      : {
          id,
          step: largest.step,
          kind: largest.kind,
          ...(largest.opcode === undefined ? {} : { opcode: hexByte(largest.opcode) }),
          bytes: largest.bytes,
        }
  return {
    id,
    fork,
    folder,
    status,
    steps: check.steps,
    stepsChecked: check.checked,
    failures,
    coverage,
    ...(largestWitness === undefined ? {} : { largestWitness }),
    ...(Object.keys(oversized).length === 0 ? {} : { oversized }),
    seconds: seconds(),
  }
}
