import { availableParallelism } from 'node:os'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CheckFailedError, InputError } from '@stepproof/block-traces'
import type { Command } from 'commander'
import { defaultResultsFile, resolveBlocks, runBlocks } from './block-input.ts'
import { type BlockResult, notTraced } from './check-block.ts'
import { allChecked, formatSummary, summarise } from './check-summary.ts'
import { parseCount, printJson, userCwd } from './output.ts'

const WORKER = fileURLToPath(new URL('./check-worker.ts', import.meta.url))

interface CheckOptions {
  jobs: string
  limit?: string
  filter?: string
  timeoutS: string
  results?: string
  resume?: boolean
  json?: boolean
}

/** Registers `stepproof check`. */
export function registerCheck(program: Command): void {
  program
    .command('check <input>')
    .description(
      'trace every block of a trace file, folder, corpus or sample file (.txt, as `traces sample --out` writes it) with the native tracer and re-derive every step with the reference checker, in worker processes',
    )
    .option('--jobs <n>', 'worker processes', String(availableParallelism()))
    .option('--limit <n>', 'only the first N blocks (after --filter)')
    .option('--filter <substring>', 'only the blocks whose id contains this')
    .option('--timeout-s <s>', 'time limit per block; a block past it is untraced with reason "timeout"', '600')
    .option(
      '--results <file>',
      'per-block results, one JSON line each (default: .cache/check/<input>-<hash of input, filter, limit>.jsonl)',
    )
    .option('--resume', 'keep the results already in the results file and check only the blocks not in it')
    .option('--json', 'print the summary as JSON')
    .action(async (ref: string, opts: CheckOptions) => {
      const jobs = parseCount(opts.jobs, '--jobs')
      const timeoutS = parseCount(opts.timeoutS, '--timeout-s')
      const limit = opts.limit === undefined ? undefined : parseCount(opts.limit, '--limit')
      if (jobs < 1 || timeoutS < 1) throw new InputError('--jobs and --timeout-s must be at least 1')
      const filter = opts.filter
      const input = await resolveBlocks(ref, (id) => filter === undefined || id.includes(filter), limit ?? Number.POSITIVE_INFINITY)
      const file = opts.results === undefined ? defaultResultsFile('check', input.key, filter, limit) : resolve(userCwd(), opts.results)
      const results = await runBlocks<BlockResult>({
        command: 'check',
        verb: 'check',
        input,
        file,
        resume: opts.resume === true,
        jobs,
        timeoutS,
        worker: WORKER,
        failed: (item, reason, seconds) => notTraced(item, 'untraced', reason, seconds),
        valid: (r) => typeof r.status === 'string',
        bad: (r) => r.status !== 'checked',
      })
      const summary = summarise(results)
      if (opts.json) printJson(summary)
      else for (const line of [...formatSummary(summary), '', `results: ${file}`]) console.log(line)
      if (!allChecked(summary)) {
        throw new CheckFailedError(
          `${summary.blocks - summary.checked} of ${summary.blocks} blocks not checked (${summary.traced - summary.checked} failed, ` +
            `${summary.untraced.length} untraced, ${summary.referenceFailures.length} reference failures); results in ${file}`,
        )
      }
    })
}
