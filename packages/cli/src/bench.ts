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
    .option('--corpus <names>', 'comma-separated corpora', 'standard,scaling,fixtures')
    .option('--out <dir>', 'report folder', 'reports')
    .option('--no-mips', 'leave out the MIPS runs (the slow part: minutes for the default corpora)')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { corpus: string; out: string; mips: boolean; json?: boolean }) => {
      const corpora = opts.corpus.split(',').map((c) => parseCorpusName(c.trim()))
      let progress: ReturnType<typeof startProgress> | undefined
      const report = await runComparison(corpora, {
        mips: opts.mips,
        onStart: (total) => {
          progress = startProgress('bench', total)
        },
        onBlock: (row, i, total) => {
          progress?.tick(row.id)
          if (i === total - 1) progress?.done()
        },
        onMipsSteps: (id, steps) => progress?.note(`${id}: ${(steps / 1e6).toFixed(0)}M MIPS steps`),
      })
      const out = opts.out === 'reports' ? resolve(REPO_ROOT, 'reports') : resolve(userCwd(), opts.out)
      const files = writeReport(report, out)
      if (opts.json) printJson(report)
      else {
        const engines = opts.mips ? 'ethereumjs, the native tracer and the MIPS guest' : 'ethereumjs and the native tracer'
        console.log(`${report.blocks.length} blocks executed on ${engines}; report written to ${files.join(', ')}`)
        for (const a of report.approaches) console.log(`${a.name}: ${a.status}`)
      }
      const bad = report.blocks.filter(
        (b) =>
          !b.referenceMatch ||
          b.mips?.match === false ||
          b.mips?.nativeSameOutput === false ||
          b.mips?.nativeRequests === 'different' ||
          b.native?.match === false,
      )
      if (bad.length > 0)
        throw new CheckFailedError(
          `${bad.length} blocks did not match their expected roots (on ethereumjs, natively traced or in MIPS): ${bad.map((b) => b.id).join(', ')}`,
        )
    })
}
