import { FORKS } from '@stepproof/block-traces'
import { WITNESS_BOUND } from '@stepproof/evm-native-proof'
import type { BlockResult, BlockStatus, LargestWitness, StepFailure } from './check-block.ts'

/** How the blocks of one fork or test folder fared. */
export interface BlockCounts {
  blocks: number
  traced: number
  checked: number
  failed: number
  untraced: number
  referenceFailures: number
}

/** A block that was not traced, and why. */
export interface NotTraced {
  id: string
  reason: string
}

/** What `stepproof check --json` prints. */
export interface CheckSummary {
  blocks: number
  traced: number
  checked: number
  steps: number
  stepsChecked: number
  failures: StepFailure[]
  untraced: NotTraced[]
  referenceFailures: NotTraced[]
  byFork: Record<string, BlockCounts>
  byFolder: Record<string, BlockCounts>
  /** Checked steps by fork, then by step kind, opcode steps by opcode (`opcode 0x55`). */
  coverage: Record<string, Record<string, number>>
  /** The largest witness of any checked step, and where. */
  largestWitness?: LargestWitness
  /** Checked steps whose witness is over SPEC.md §6's bound, by kind or opcode (`opcode 0x5e`). */
  oversized: { bound: number; steps: number; blocks: number; byKind: Record<string, number> }
}

const COUNTED: Record<BlockStatus, keyof BlockCounts> = {
  checked: 'checked',
  failed: 'failed',
  untraced: 'untraced',
  'reference-failure': 'referenceFailures',
}

function counts(results: readonly BlockResult[], key: (r: BlockResult) => string, order: (a: string, b: string) => number) {
  const out = new Map<string, BlockCounts>()
  for (const r of results) {
    const c = out.get(key(r)) ?? { blocks: 0, traced: 0, checked: 0, failed: 0, untraced: 0, referenceFailures: 0 }
    c.blocks++
    if (r.status === 'checked' || r.status === 'failed') c.traced++
    c[COUNTED[r.status]]++
    out.set(key(r), c)
  }
  return Object.fromEntries([...out.entries()].sort(([a], [b]) => order(a, b)))
}

const forkOrder = (a: string, b: string) => {
  const rank = (f: string) => (FORKS as readonly string[]).indexOf(f) >>> 0
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0)
}
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/** Adds up per-block results, in the order given. */
export function summarise(results: readonly BlockResult[]): CheckSummary {
  const notTraced = (status: BlockStatus) =>
    results.filter((r) => r.status === status).map((r) => ({ id: r.id, reason: r.reason ?? '(no reason given)' }))
  return {
    blocks: results.length,
    traced: results.filter((r) => r.status === 'checked' || r.status === 'failed').length,
    checked: results.filter((r) => r.status === 'checked').length,
    steps: results.reduce((n, r) => n + r.steps, 0),
    stepsChecked: results.reduce((n, r) => n + r.stepsChecked, 0),
    failures: results.flatMap((r) => r.failures),
    untraced: notTraced('untraced'),
    referenceFailures: notTraced('reference-failure'),
    byFork: counts(results, (r) => r.fork, forkOrder),
    byFolder: counts(results, (r) => r.folder, byName),
    ...coverageOf(results),
  }
}

function coverageOf(results: readonly BlockResult[]): Pick<CheckSummary, 'coverage' | 'largestWitness' | 'oversized'> {
  const coverage: Record<string, Record<string, number>> = {}
  let largestWitness: LargestWitness | undefined
  const oversized: CheckSummary['oversized'] = { bound: WITNESS_BOUND, steps: 0, blocks: 0, byKind: {} }
  for (const r of results) {
    if (r.oversized !== undefined) oversized.blocks++
    for (const [key, n] of Object.entries(r.oversized ?? {})) {
      oversized.steps += n
      oversized.byKind[key] = (oversized.byKind[key] ?? 0) + n
    }
    const fork = coverage[r.fork] ?? {}
    coverage[r.fork] = fork
    for (const [key, n] of Object.entries(r.coverage ?? {})) fork[key] = (fork[key] ?? 0) + n
    if (r.largestWitness !== undefined && (largestWitness === undefined || r.largestWitness.bytes > largestWitness.bytes))
      largestWitness = r.largestWitness
  }
  const sorted = Object.fromEntries(
    Object.entries(coverage)
      .sort(([a], [b]) => forkOrder(a, b))
      .map(([fork, keys]) => [fork, Object.fromEntries(Object.entries(keys).sort(([a], [b]) => byName(a, b)))]),
  )
  oversized.byKind = Object.fromEntries(Object.entries(oversized.byKind).sort(([, a], [, b]) => b - a))
  return { coverage: sorted, ...(largestWitness === undefined ? {} : { largestWitness }), oversized }
}

/** Whether a run found nothing wrong: every block traced and every step re-derived. */
export function allChecked(s: CheckSummary): boolean {
  return s.checked === s.blocks
}

const REASON_WIDTH = 160
export const clip = (text: string) => (text.length > REASON_WIDTH ? `${text.slice(0, REASON_WIDTH - 1)}…` : text)

/**
 * Entries grouped by reason, the commonest first, with the first entry of each as the example.
 * Hashes and roots (long hex) are left out of the grouping, so "stateRoot expected 0x…, got 0x…" is one reason.
 */
export function byReason<T extends { reason: string }>(entries: readonly T[]): { reason: string; count: number; example: T }[] {
  const groups = new Map<string, { reason: string; count: number; example: T }>()
  for (const e of entries) {
    const reason = e.reason.replace(/0x[0-9a-fA-F]{16,}/g, '0x…')
    const g = groups.get(reason)
    if (g === undefined) groups.set(reason, { reason, count: 1, example: e })
    else g.count++
  }
  return [...groups.values()].sort((a, b) => b.count - a.count)
}

function table(title: string, rows: Record<string, BlockCounts>): string[] {
  const names = Object.keys(rows)
  const width = Math.max(title.length, ...names.map((n) => n.length))
  const columns = ['blocks', 'traced', 'checked', 'failed', 'untraced', 'referenceFailures'] as const
  const head = [title.padEnd(width), ...columns.map((c) => (c === 'referenceFailures' ? 'ref-failed' : c).padStart(10))].join(' ')
  return [head, ...names.map((n) => [n.padEnd(width), ...columns.map((c) => String(rows[n]?.[c]).padStart(10))].join(' '))]
}

/** The human summary: totals, counts by fork and by folder, then what went wrong grouped by reason. */
export function formatSummary(s: CheckSummary): string[] {
  const lines = [
    `${s.checked} of ${s.blocks} blocks checked (${s.stepsChecked} of ${s.steps} steps re-derived); ` +
      `${s.traced - s.checked} failed, ${s.untraced.length} untraced, ${s.referenceFailures.length} reference failures`,
    ...Object.entries(s.coverage).map(([fork, keys]) => {
      const opcodes = Object.keys(keys).filter((k) => k.startsWith('opcode '))
      return `${fork}: ${opcodes.length} distinct opcodes and ${Object.keys(keys).length - opcodes.length} other step kinds checked`
    }),
    ...(s.largestWitness === undefined
      ? []
      : [
          `largest witness: ${s.largestWitness.bytes} bytes, step ${s.largestWitness.step} (${s.largestWitness.kind}${s.largestWitness.opcode === undefined ? '' : ` ${s.largestWitness.opcode}`}) of ${s.largestWitness.id}`,
        ]),
    `witnesses over ${s.oversized.bound / 1024} KiB: ${s.oversized.steps} steps in ${s.oversized.blocks} blocks` +
      (s.oversized.steps === 0
        ? ''
        : ` (${Object.entries(s.oversized.byKind)
            .map(([k, n]) => `${k} ${n}`)
            .join(', ')})`),
    '',
    ...table('fork', s.byFork),
    '',
    ...table('folder', s.byFolder),
  ]
  const section = (title: string, groups: { reason: string; count: number; example: { id: string; step?: number } }[]) => {
    if (groups.length === 0) return
    lines.push('', title)
    for (const g of groups) {
      const step = g.example.step === undefined ? '' : ` step ${g.example.step}`
      lines.push(`  ${String(g.count).padStart(5)}  ${clip(g.reason)}`, `         e.g. ${g.example.id}${step}`)
    }
  }
  section('failures by reason (steps):', byReason(s.failures))
  section('untraced by reason (blocks):', byReason(s.untraced))
  section('reference failures by reason (blocks):', byReason(s.referenceFailures))
  return lines
}
