import { fileURLToPath } from 'node:url'
import { CheckFailedError, FORKS, InputError } from '@stepproof/block-traces'
import { nativeGuest } from '@stepproof/mips-proof'
import type { Command } from 'commander'
import { type BlockRunOptions, blockRunInput, runBlocks, withBlockRunOptions } from './block-input.ts'
import { byReason, clip } from './check-summary.ts'
import { printJson } from './output.ts'
import { noVerdict, VERDICT_ENGINES, type VerdictEngine, type VerdictResult, type VerdictTask } from './verdicts-block.ts'

const WORKER = fileURLToPath(new URL('./verdicts-worker.ts', import.meta.url))

/** How one engine fared over a run (or over one fork's blocks). */
export interface EngineCounts {
  /** Verdict and roots as expected. */
  matched: number
  /** Another verdict, or other roots. */
  mismatched: number
  /** The engine did not finish. */
  errors: number
}

/** An engine whose verdict on a block is not the expected one. */
export interface Disagreement {
  id: string
  engine: VerdictEngine
  expected: string
  actual: string
  /** The mismatch in one line (grouping key of the human summary). */
  reason: string
}

/** What `stepproof verdicts --json` prints. */
export interface VerdictsSummary {
  blocks: number
  expectedInvalid: number
  engines: VerdictEngine[]
  /** Blocks on which every engine matched the expectation. */
  allMatched: number
  byEngine: Record<string, EngineCounts>
  byFork: Record<string, { blocks: number } & Record<string, EngineCounts | number>>
  disagreements: Disagreement[]
  errors: { id: string; engine: VerdictEngine; reason: string }[]
  /** Blocks no engine ran, with the reason (e.g. skipped by the importer). */
  notRun: { id: string; reason: string }[]
}

const zero = (): EngineCounts => ({ matched: 0, mismatched: 0, errors: 0 })

/** Adds up per-block verdicts. */
export function summariseVerdicts(results: readonly VerdictResult[], engines: VerdictEngine[]): VerdictsSummary {
  const byEngine = Object.fromEntries(engines.map((e) => [e, zero()]))
  const byFork = new Map<string, { blocks: number } & Record<string, EngineCounts | number>>()
  const summary: VerdictsSummary = {
    blocks: results.length,
    expectedInvalid: results.filter((r) => r.expected === 'invalid').length,
    engines,
    allMatched: 0,
    byEngine,
    byFork: {},
    disagreements: [],
    errors: [],
    notRun: [],
  }
  for (const r of results) {
    const fork = byFork.get(r.fork) ?? { blocks: 0, ...Object.fromEntries(engines.map((e) => [e, zero()])) }
    fork.blocks++
    byFork.set(r.fork, fork)
    if (r.engines.length === 0) {
      summary.notRun.push({ id: r.id, reason: r.reason ?? '(no reason given)' })
      continue
    }
    if (r.engines.every((e) => e.match)) summary.allMatched++
    for (const v of r.engines) {
      const counts = [byEngine[v.engine], fork[v.engine]] as EngineCounts[]
      const field: keyof EngineCounts = v.error !== undefined ? 'errors' : v.match ? 'matched' : 'mismatched'
      for (const c of counts) c[field]++
      if (v.error !== undefined) summary.errors.push({ id: r.id, engine: v.engine, reason: v.error })
      else if (!v.match) {
        const expected = r.expected === 'invalid' ? `invalid (${r.exception})` : 'valid'
        const actual = v.verdict === 'invalid' ? `invalid (${v.rejected})` : 'valid'
        const fields = (v.mismatches ?? []).map((m) => m.field).join(', ')
        const reason = `${v.engine}: expected ${expected}, got ${actual}${fields === '' || fields === 'validity' ? '' : ` (${fields} differ)`}`
        summary.disagreements.push({ id: r.id, engine: v.engine, expected, actual, reason })
      }
    }
  }
  const rank = (f: string) => (FORKS as readonly string[]).indexOf(f) >>> 0
  summary.byFork = Object.fromEntries([...byFork.entries()].sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : 1)))
  return summary
}

/** The human summary: totals, matches by fork and engine, then the disagreements grouped by reason. */
export function formatVerdicts(s: VerdictsSummary): string[] {
  const lines = [
    `${s.allMatched} of ${s.blocks} blocks (${s.expectedInvalid} expected invalid) got the expected verdict from every engine ` +
      `(${s.engines.join(', ')}); ${s.disagreements.length} disagreements, ${s.errors.length} engine errors, ${s.notRun.length} not run`,
    '',
  ]
  const head = ['fork'.padEnd(10), 'blocks'.padStart(7), ...s.engines.map((e) => `${e} ok/bad/err`.padStart(22))]
  lines.push(head.join(' '))
  for (const [fork, row] of Object.entries(s.byFork)) {
    const cells = s.engines.map((e) => {
      const c = row[e] as EngineCounts
      return `${c.matched}/${c.mismatched}/${c.errors}`.padStart(22)
    })
    lines.push([fork.padEnd(10), String(row.blocks).padStart(7), ...cells].join(' '))
  }
  const section = (title: string, entries: { id: string; reason: string }[]) => {
    if (entries.length === 0) return
    lines.push('', title)
    for (const g of byReason(entries)) lines.push(`  ${String(g.count).padStart(5)}  ${clip(g.reason)}`, `         e.g. ${g.example.id}`)
  }
  section('disagreements by reason:', s.disagreements)
  section(
    'engine errors by reason:',
    s.errors.map((e) => ({ id: e.id, reason: `${e.engine}: ${e.reason}` })),
  )
  section('not run, by reason:', s.notRun)
  return lines
}

interface VerdictsOptions extends BlockRunOptions {
  engines: string
}

function parseEngines(list: string): VerdictEngine[] {
  const engines = list.split(',').map((e) => e.trim())
  for (const e of engines)
    if (!(VERDICT_ENGINES as readonly string[]).includes(e))
      throw new InputError(`unknown engine "${e}" in --engines; available: ${VERDICT_ENGINES.join(', ')}`)
  return [...new Set(engines)] as VerdictEngine[]
}

/** Registers `stepproof verdicts`. */
export function registerVerdicts(program: Command): void {
  const cmd = program
    .command('verdicts <input>')
    .description(
      "each block of a trace file, folder, corpus or sample file on several clients (by default ethereumjs and go-ethereum's guest built natively), each verdict and its roots compared with the block's expectation, in worker processes",
    )
    .option('--engines <list>', `comma-separated, of: ${VERDICT_ENGINES.join(', ')}`, 'ethereumjs,geth')
  withBlockRunOptions(cmd, 'verdicts', 'time limit per block (all its engines)').action(async (ref: string, opts: VerdictsOptions) => {
    const engines = parseEngines(opts.engines)
    const { input, file, jobs, timeoutS } = await blockRunInput(ref, opts, 'verdicts', engines.join(','))
    // Built once here, not by every worker.
    const gethBinary = engines.includes('geth') ? nativeGuest() : undefined
    const results = await runBlocks<VerdictResult>({
      command: 'verdicts',
      verb: 'run',
      input,
      file,
      resume: opts.resume === true,
      jobs,
      timeoutS,
      worker: WORKER,
      task: (item): VerdictTask => ({ item, engines, ...(gethBinary === undefined ? {} : { gethBinary }) }),
      failed: (item, reason, seconds) => noVerdict(item, reason, seconds),
      valid: (r) => Array.isArray(r.engines) && engines.every((e) => r.engines.length === 0 || r.engines.some((v) => v.engine === e)),
      bad: (r) => r.engines.length === 0 || r.engines.some((v) => !v.match),
    })
    const summary = summariseVerdicts(results, engines)
    if (opts.json) printJson(summary)
    else for (const line of [...formatVerdicts(summary), '', `results: ${file}`]) console.log(line)
    if (summary.allMatched < summary.blocks) {
      throw new CheckFailedError(
        `${summary.blocks - summary.allMatched} of ${summary.blocks} blocks without the expected verdict from every engine; results in ${file}`,
      )
    }
  })
}
