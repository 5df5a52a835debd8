import { resolve } from 'node:path'
import { runComparison, writeReport } from '@stepproof/bench'
import { CheckFailedError, parseCorpusName, REPO_ROOT } from '@stepproof/block-traces'
import type { Command } from 'commander'
import { printJson, userCwd } from './output.ts'
import { startProgress } from './progress.ts'

/** Registers `stepproof bench`, the main job: the comparison over the built-in corpora. */
export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('run the comparison benchmark and write the report')
    .option('--corpus <names>', 'comma-separated corpora', 'standard,fixtures')
    .option('--out <dir>', 'report folder', 'reports')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { corpus: string; out: string; json?: boolean }) => {
      const corpora = opts.corpus.split(',').map((c) => parseCorpusName(c.trim()))
      let progress: ReturnType<typeof startProgress> | undefined
      const report = await runComparison(corpora, (row, i, total) => {
        progress ??= startProgress('bench', total)
        progress.tick(row.id)
        if (i === total - 1) progress.done()
      })
      const out = opts.out === 'reports' ? resolve(REPO_ROOT, 'reports') : resolve(userCwd(), opts.out)
      const files = writeReport(report, out)
      if (opts.json) printJson(report)
      else {
        console.log(`${report.blocks.length} blocks executed on ethereumjs; report written to ${files.join(', ')}`)
        for (const a of report.approaches) console.log(`${a.name}: ${a.status}`)
      }
      const bad = report.blocks.filter((b) => !b.referenceMatch)
      if (bad.length > 0)
        throw new CheckFailedError(`${bad.length} blocks did not match their expected roots: ${bad.map((b) => b.id).join(', ')}`)
    })
}
