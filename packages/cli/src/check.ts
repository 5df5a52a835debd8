import { fileURLToPath } from 'node:url'
import { CheckFailedError } from '@stepproof/block-traces'
import type { Command } from 'commander'
import { type BlockRunOptions, blockRunInput, runBlocks, withBlockRunOptions } from './block-input.ts'
import { type BlockResult, notTraced } from './check-block.ts'
import { allChecked, formatSummary, summarise } from './check-summary.ts'
import { printJson } from './output.ts'

const WORKER = fileURLToPath(new URL('./check-worker.ts', import.meta.url))

/** Registers `stepproof check`. */
export function registerCheck(program: Command): void {
  const cmd = program
    .command('check <input>')
    .description(
      'trace every block of a trace file, folder, corpus or sample file (.txt, as `traces sample --out` writes it) with the native tracer and re-derive every step with the reference checker, in worker processes',
    )
  withBlockRunOptions(cmd, 'check', 'time limit per block; a block past it is untraced with reason "timeout"').action(
    async (ref: string, opts: BlockRunOptions) => {
      const { input, file, jobs, timeoutS } = await blockRunInput(ref, opts, 'check')
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
    },
  )
}
