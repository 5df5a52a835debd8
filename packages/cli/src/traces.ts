import { rmSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import {
  cachedCorpus,
  corpusDir,
  corpusFiles,
  formatWideSample,
  generateCorpus,
  InputError,
  importBlockchainTests,
  isCachedCorpus,
  listCorpus,
  parseCorpusName,
  REPO_ROOT,
  type SkippedTest,
  sampleWideBlocks,
  WIDE_SAMPLE_FILE,
  WIDE_SAMPLE_SIZE,
  wideLocation,
  writeTraces,
} from '@stepproof/block-traces'
import type { Command } from 'commander'
import { parseCount, printJson, userCwd } from './output.ts'
import { startProgress, withImportProgress } from './progress.ts'

/** Skipped tests counted by reason, the commonest first. */
function byReason(skipped: SkippedTest[]): [string, number][] {
  const counts = new Map<string, number>()
  for (const s of skipped) counts.set(s.reason, (counts.get(s.reason) ?? 0) + 1)
  return [...counts.entries()].sort((a, b) => b[1] - a[1])
}

/** Registers `stepproof traces list|import|generate|sample`. */
export function registerTraces(program: Command): void {
  const traces = program.command('traces').description('block traces: the corpora, the scenario generator and the BlockchainTests importer')

  traces
    .command('list')
    .description('list the traces of a corpus (wide and wide-sample are imported into the cache first where needed)')
    .option('--corpus <name>', 'standard, scaling, fixtures, wide or wide-sample', 'standard')
    .option('--json', 'print a JSON array')
    .action(async (opts: { corpus: string; json?: boolean }) => {
      const name = parseCorpusName(opts.corpus)
      const entries = await withImportProgress(name, (o) => listCorpus(name, o))
      if (opts.json) return printJson(entries)
      if (entries.length === 0) {
        console.log(`corpus ${name} is empty${isCachedCorpus(name) ? '' : ` (${corpusFiles(name).length} files)`}`)
        return
      }
      for (const e of entries) console.log(`${e.id}\t${e.fork}\t${e.txs} txs\tgas ${BigInt(e.gasUsed)}\t${e.path}`)
    })

  traces
    .command('import [path]')
    .description('convert BlockchainTests JSON (a file or a folder, .json or .json.gz) into block traces, or import a cached corpus')
    .option('--out <dir>', 'folder to write the traces to (with a path)')
    .option('--corpus <name>', 'instead of a path: import wide or wide-sample into the cache (.cache/corpus/wide)')
    .option('--json', 'print the result as JSON')
    .action(async (path: string | undefined, opts: { out?: string; corpus?: string; json?: boolean }) => {
      if (opts.corpus !== undefined) {
        if (path !== undefined || opts.out !== undefined) throw new InputError('traces import takes either a path and --out, or --corpus')
        return importCachedCorpus(opts.corpus, opts.json === true)
      }
      if (path === undefined) throw new InputError('traces import needs a file or folder of BlockchainTests (with --out), or --corpus wide')
      if (opts.out === undefined) throw new InputError("required option '--out <dir>' not specified")
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
      if (name !== 'standard' && name !== 'scaling') {
        throw new InputError(`the ${name} corpus is imported, not generated: use \`stepproof traces import\``)
      }
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

  traces
    .command('sample')
    .description('choose the stratified sample of the wide corpus (the wide-sample corpus) and write it')
    .option('--size <n>', 'blocks in the sample', String(WIDE_SAMPLE_SIZE))
    .option('--out <file>', 'file to write (default: the committed packages/block-traces/corpus/wide-sample.txt)')
    .option('--json', 'print a summary as JSON')
    .action(async (opts: { size: string; out?: string; json?: boolean }) => {
      const size = parseCount(opts.size, '--size')
      const { entries } = await withImportProgress('wide', (o) => cachedCorpus('wide', o))
      const sample = sampleWideBlocks(entries, size)
      const out = opts.out === undefined ? WIDE_SAMPLE_FILE : resolve(userCwd(), opts.out)
      writeFileSync(out, formatWideSample(sample, size))
      const forks: Record<string, number> = {}
      for (const c of sample) forks[c.fork] = (forks[c.fork] ?? 0) + 1
      const summary = { blocks: sample.length, of: entries.length, forks, path: out }
      if (opts.json) return printJson(summary)
      console.log(`sampled ${sample.length} of ${entries.length} blocks into ${out}: ${JSON.stringify(forks)}`)
    })
}

async function importCachedCorpus(corpus: string, json: boolean): Promise<void> {
  const name = parseCorpusName(corpus)
  if (!isCachedCorpus(name))
    throw new InputError(`the ${name} corpus is committed, not cached: traces import --corpus takes wide or wide-sample`)
  const started = performance.now()
  const { result, fresh } = await withImportProgress(name, async (progress) => ({
    result: await cachedCorpus(name, progress),
    fresh: progress.importedNow,
  }))
  const cache = wideLocation().cache
  const seconds = (performance.now() - started) / 1000
  const report = {
    imported: result.entries.length,
    skipped: result.skipped,
    traces: result.entries.map((e) => resolve(REPO_ROOT, e.path)),
    cache,
    fixturesImportedNow: fresh,
    seconds,
  }
  if (json) return printJson(report)
  console.log(`${report.imported} traces of corpus ${name} in ${cache} (${fresh} fixture files imported now, ${seconds.toFixed(1)} s)`)
  console.log(`skipped ${result.skipped.length} tests${result.skipped.length === 0 ? '' : ':'}`)
  for (const [reason, n] of byReason(result.skipped)) console.log(`  ${n}\t${reason.replace(/\s*\n\s*/g, ' ').slice(0, 200)}`)
}
