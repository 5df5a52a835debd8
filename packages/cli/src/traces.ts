import { rmSync } from 'node:fs'
import { resolve } from 'node:path'
import {
  type CorpusName,
  corpusDir,
  corpusFiles,
  generateCorpus,
  InputError,
  importBlockchainTests,
  listCorpus,
  parseCorpusName,
  writeTraces,
} from '@stepproof/block-traces'
import type { Command } from 'commander'
import { printJson, userCwd } from './output.ts'
import { startProgress } from './progress.ts'

/** Registers `stepproof traces list|import|generate`. */
export function registerTraces(program: Command): void {
  const traces = program.command('traces').description('block traces: the corpora, the scenario generator and the BlockchainTests importer')

  traces
    .command('list')
    .description('list the traces of a corpus')
    .option('--corpus <name>', 'standard, scaling or fixtures', 'standard')
    .option('--json', 'print a JSON array')
    .action((opts: { corpus: string; json?: boolean }) => {
      const name: CorpusName = parseCorpusName(opts.corpus)
      const entries = listCorpus(name)
      if (opts.json) return printJson(entries)
      if (entries.length === 0) {
        console.log(`corpus ${name} is empty (${corpusFiles(name).length} files)`)
        return
      }
      for (const e of entries) console.log(`${e.id}\t${e.fork}\t${e.txs} txs\tgas ${BigInt(e.gasUsed)}\t${e.path}`)
    })

  traces
    .command('import <path>')
    .description('convert BlockchainTests JSON (a file or a folder) into block traces')
    .requiredOption('--out <dir>', 'folder to write the traces to')
    .option('--json', 'print the result as JSON')
    .action(async (path: string, opts: { out: string; json?: boolean }) => {
      const result = await importBlockchainTests(resolve(userCwd(), path))
      const paths = writeTraces(result.traces, resolve(userCwd(), opts.out))
      const report = { imported: result.traces.length, skipped: result.skipped, traces: paths }
      if (opts.json) return printJson(report)
      console.log(`imported ${report.imported} traces into ${opts.out}`)
      for (const s of result.skipped) console.log(`skipped ${s.test}: ${s.reason}`)
    })

  traces
    .command('generate')
    .description('generate a scenario corpus (deterministic) and write its traces')
    .option('--corpus <name>', 'standard or scaling', 'standard')
    .option('--out <dir>', 'folder to write to (default: the committed corpus folder, replaced)')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { corpus: string; out?: string; json?: boolean }) => {
      const name = parseCorpusName(opts.corpus)
      if (name === 'fixtures') throw new InputError('the fixtures corpus is imported, not generated: use `stepproof traces import`')
      let progress: ReturnType<typeof startProgress> | undefined
      const traces = await generateCorpus(name, (trace, i, total) => {
        progress ??= startProgress(`generate ${name}`, total)
        progress.tick(trace.id)
        if (i === total - 1) progress.done()
      })
      const out = opts.out === undefined ? corpusDir(name) : resolve(userCwd(), opts.out)
      // Replace the committed corpus only once every block has been generated, so a failure leaves it intact.
      if (opts.out === undefined) for (const f of corpusFiles(name)) rmSync(f)
      const paths = writeTraces(traces, out)
      if (opts.json) return printJson({ generated: traces.length, traces: paths })
      console.log(`generated ${traces.length} traces into ${out}`)
    })
}
