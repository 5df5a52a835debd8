import { availableParallelism } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CheckFailedError, cacheRoot, FORKS, type Fork, InputError } from '@stepproof/block-traces'
import { nativeGuest } from '@stepproof/mips-proof'
import type { Command } from 'commander'
import { type BlockItem, defaultResultsFile, runBlocks } from './block-input.ts'
import { byReason, clip } from './check-summary.ts'
import { type FuzzResult, type FuzzTask, fuzzFailed } from './fuzz-block.ts'
import { parseCount, printJson, userCwd } from './output.ts'

const WORKER = fileURLToPath(new URL('./fuzz-worker.ts', import.meta.url))

/** What `stepproof fuzz --json` prints. */
export interface FuzzSummary {
  seed: string
  blocks: number
  /** Transactions in the blocks, and those the block builder refused (left out). */
  transactions: number
  dropped: number
  /** Steps the checker re-derived, of all the native proof's steps. */
  steps: number
  stepsChecked: number
  geth: { matched: number; mismatched: number }
  native: { checked: number; failed: number; untraced: number }
  byFork: Record<string, { blocks: number; transactions: number; disagreements: number }>
  /** Each block on which go-ethereum or the native proof disagreed with ethereumjs, its trace kept. */
  disagreements: { id: string; engine: 'geth' | 'evm-native'; reason: string; trace?: string }[]
}

export function summariseFuzz(seed: string, results: readonly FuzzResult[]): FuzzSummary {
  const s: FuzzSummary = {
    seed,
    blocks: results.length,
    transactions: 0,
    dropped: 0,
    steps: 0,
    stepsChecked: 0,
    geth: { matched: 0, mismatched: 0 },
    native: { checked: 0, failed: 0, untraced: 0 },
    byFork: {},
    disagreements: [],
  }
  for (const r of results) {
    s.transactions += r.included
    s.dropped += r.dropped
    s.steps += r.native.steps
    s.stepsChecked += r.native.stepsChecked
    if (r.geth.match) s.geth.matched++
    else s.geth.mismatched++
    const n = r.native.status
    if (n === 'checked') s.native.checked++
    else if (n === 'failed') s.native.failed++
    else s.native.untraced++
    const fork = s.byFork[r.fork] ?? { blocks: 0, transactions: 0, disagreements: 0 }
    fork.blocks++
    fork.transactions += r.included
    s.byFork[r.fork] = fork
    const trace = r.trace === undefined ? {} : { trace: r.trace }
    if (!r.geth.match) s.disagreements.push({ id: r.id, engine: 'geth', reason: r.geth.reason ?? '(no reason)', ...trace })
    if (n !== 'checked') {
      const first = r.native.failures[0]
      const reason =
        r.native.reason ??
        (first === undefined
          ? '(no reason)'
          : `${first.kind ?? 'step'}${first.opcode === undefined ? '' : ` ${first.opcode}`}: ${first.reason}`)
      s.disagreements.push({ id: r.id, engine: 'evm-native', reason, ...trace })
    }
    if (!r.geth.match || n !== 'checked') fork.disagreements++
  }
  return s
}

function formatFuzz(s: FuzzSummary): string[] {
  const lines = [
    `seed ${s.seed}: ${s.blocks} blocks, ${s.transactions} transactions (${s.dropped} refused by the builder), ` +
      `${s.stepsChecked} of ${s.steps} native steps re-derived; go-ethereum agrees on ${s.geth.matched}, ` +
      `the native proof checks ${s.native.checked} (${s.native.failed} failed, ${s.native.untraced} untraced)`,
    '',
    ...Object.entries(s.byFork).map(
      ([f, c]) =>
        `${f.padEnd(10)} ${String(c.blocks).padStart(6)} blocks ${String(c.transactions).padStart(8)} txs ${String(c.disagreements).padStart(5)} disagreeing`,
    ),
  ]
  if (s.disagreements.length > 0) {
    lines.push('', 'disagreements by reason:')
    for (const g of byReason(s.disagreements.map((d) => ({ ...d, reason: `${d.engine}: ${d.reason}` }))))
      lines.push(`  ${String(g.count).padStart(5)}  ${clip(g.reason)}`, `         e.g. ${g.example.trace ?? g.example.id}`)
  }
  return lines
}

interface FuzzOptions {
  seed: string
  blocks: string
  txs: string
  fork: string
  jobs: string
  out?: string
  results?: string
  resume?: boolean
  json?: boolean
}

/** Registers `stepproof fuzz`. */
export function registerFuzz(program: Command): void {
  program
    .command('fuzz')
    .description(
      'differential fuzzing: random blocks (random code weighted toward the EVM edges, transactions of every envelope) sealed by ethereumjs, re-executed by go-ethereum (the guest, natively) and by the native proof (every step re-derived); disagreeing blocks are kept as traces',
    )
    .option('--seed <s>', 'the seed: block i of a run is seed/i', 'stepproof')
    .option('--blocks <n>', 'random blocks', '40')
    .option('--txs <n>', 'transactions a block', '12')
    .option('--fork <name>', `a fork, or "all" to rotate ${FORKS.join(', ')}`, 'all')
    .option('--jobs <n>', 'worker processes', String(availableParallelism()))
    .option('--out <dir>', 'where the traces of disagreeing blocks go (default: .cache/fuzz/<seed>)')
    .option('--results <file>', 'per-block results, one JSON line each (default: .cache/fuzz/<seed>-<hash>.jsonl)')
    .option('--resume', 'keep the results already in the results file and run only the blocks not in it')
    .option('--json', 'print the summary as JSON')
    .action(async (opts: FuzzOptions) => {
      const blocks = parseCount(opts.blocks, '--blocks')
      const txs = parseCount(opts.txs, '--txs')
      const jobs = parseCount(opts.jobs, '--jobs')
      if (jobs < 1 || txs < 1 || txs > 200) throw new InputError('--jobs must be at least 1 and --txs between 1 and 200')
      const forks: Fork[] = opts.fork === 'all' ? [...FORKS] : [FORKS.find((f) => f === opts.fork) as Fork]
      if (forks[0] === undefined) throw new InputError(`unknown fork "${opts.fork}"; available: ${FORKS.join(', ')}, all`)
      const out =
        opts.out === undefined ? join(cacheRoot(), 'fuzz', opts.seed.replace(/[^A-Za-z0-9._-]+/g, '_')) : resolve(userCwd(), opts.out)
      const items: BlockItem[] = Array.from({ length: blocks }, (_, i) => ({
        id: `fuzz/${opts.seed}/${i}`,
        path: '',
        fork: forks[i % forks.length] as Fork,
        folder: 'fuzz',
      }))
      const key = `fuzz-${opts.seed}`
      const file =
        opts.results === undefined
          ? defaultResultsFile('fuzz', key, undefined, blocks, `${opts.fork}/${txs}`)
          : resolve(userCwd(), opts.results)
      const gethBinary = nativeGuest()
      const results = await runBlocks<FuzzResult>({
        command: 'fuzz',
        verb: 'run',
        input: { key, items, notImported: [] },
        file,
        resume: opts.resume === true,
        jobs,
        timeoutS: 600,
        worker: WORKER,
        task: (item): FuzzTask => ({ item, seed: `${opts.seed}/${item.id.split('/').pop()}`, txs, out, gethBinary }),
        failed: (item, reason, seconds) => fuzzFailed(item, reason, seconds),
        valid: (r) => typeof r.geth === 'object' && typeof r.native === 'object',
        bad: (r) => !r.geth.match || r.native.status !== 'checked',
      })
      const summary = summariseFuzz(opts.seed, results)
      if (opts.json) printJson(summary)
      else for (const line of [...formatFuzz(summary), '', `results: ${file}`]) console.log(line)
      if (summary.disagreements.length > 0)
        throw new CheckFailedError(`${summary.disagreements.length} disagreements on ${summary.blocks} random blocks; traces in ${out}`)
    })
}
