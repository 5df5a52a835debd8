import { resolve } from 'node:path'
import { type CorpusName, corpusFiles, importBlockchainTests, listCorpus, parseCorpusName, writeTraces } from '@stepproof/block-traces'
import type { Command } from 'commander'
import { printJson, userCwd } from './output.ts'

/** Registers `stepproof traces list|import`. */
export function registerTraces(program: Command): void {
  const traces = program.command('traces').description('block traces: the corpora and the BlockchainTests importer')

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
    .action((path: string, opts: { out: string; json?: boolean }) => {
      const result = importBlockchainTests(resolve(userCwd(), path))
      const paths = writeTraces(result.traces, resolve(userCwd(), opts.out))
      const report = { imported: result.traces.length, skipped: result.skipped, traces: paths }
      if (opts.json) return printJson(report)
      console.log(`imported ${report.imported} traces into ${opts.out}`)
      for (const s of result.skipped) console.log(`skipped ${s.test}: ${s.reason}`)
    })
}
