import { createHash } from 'node:crypto'
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { basename, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  CACHED_CORPORA,
  CheckFailedError,
  CORPORA,
  cachedCorpus,
  cacheRoot,
  corpusFiles,
  fixtureOf,
  InputError,
  isCachedCorpus,
  REPO_ROOT,
  readBlockTrace,
  resolveTrace,
  testFolderOf,
} from '@stepproof/block-traces'
import type { Command } from 'commander'
import { type BlockResult, type CheckItem, notTraced } from './check-block.ts'
import { allChecked, formatSummary, summarise } from './check-summary.ts'
import { parseCount, printJson, userCwd } from './output.ts'
import { startProgress, withImportProgress } from './progress.ts'
import { runPool } from './worker-pool.ts'

const WORKER = fileURLToPath(new URL('./check-worker.ts', import.meta.url))

/**
 * The folder a block is counted under: for an execution-spec-tests fixture the source folder
 * (`cancun__eip1153_tstore`), otherwise the part of the id before its first `::` or `/` (the
 * fixture file, or the corpus of a generated block).
 */
export function folderOf(id: string): string {
  return testFolderOf(fixtureOf(id)) ?? (id.split(/::|\//)[0] as string)
}

function traceFilesIn(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => (e.isDirectory() ? traceFilesIn(join(dir, e.name)) : e.name.endsWith('.json') ? [join(dir, e.name)] : []))
}

function itemsOfFiles(paths: string[]): CheckItem[] {
  return paths.map((path) => {
    const trace = readBlockTrace(path)
    return { id: trace.id, path, fork: trace.fork, folder: folderOf(trace.id) }
  })
}

/** The blocks an input names, and the blocks of a cached corpus the importer skipped (results already). */
interface CheckInput {
  /** What the input resolved to: a path, a corpus or a trace id (it keys the default results file). */
  key: string
  items: CheckItem[]
  notImported: BlockResult[]
}

async function resolveInput(ref: string, take: (id: string) => boolean, limit: number): Promise<CheckInput> {
  const pick = (items: CheckItem[]) => [...new Map(items.filter((i) => take(i.id)).map((i) => [i.id, i])).values()].slice(0, limit)
  const path = resolve(userCwd(), ref)
  if (existsSync(path))
    return { key: path, items: pick(itemsOfFiles(statSync(path).isDirectory() ? traceFilesIn(path) : [path])), notImported: [] }
  const corpus = [...CORPORA, ...CACHED_CORPORA].find((c) => c === ref)
  if (corpus !== undefined && !isCachedCorpus(corpus))
    return { key: corpus, items: pick(itemsOfFiles(corpusFiles(corpus))), notImported: [] }
  if (corpus !== undefined && isCachedCorpus(corpus)) {
    const { entries, skipped } = await withImportProgress(corpus, (progress) => cachedCorpus(corpus, { ...progress, take, limit }))
    const items = entries.map((e) => ({ id: e.id, path: resolve(REPO_ROOT, e.path), fork: e.fork, folder: folderOf(e.id) }))
    const notImported = skipped.map((s) =>
      notTraced({ id: s.test, path: '', fork: 'unknown', folder: folderOf(s.test) }, 'untraced', `not imported: ${s.reason}`),
    )
    return { key: corpus, items: pick(items), notImported }
  }
  const { trace, path: tracePath } = await resolveTrace(ref, userCwd())
  return { key: trace.id, items: [{ id: trace.id, path: tracePath, fork: trace.fork, folder: folderOf(trace.id) }], notImported: [] }
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`

/** The default results file of a run: under the cache, keyed by the input, --filter and --limit. */
function defaultResultsFile(key: string, filter: string | undefined, limit: number | undefined): string {
  const hash = createHash('sha256').update(JSON.stringify({ key, filter, limit })).digest('hex').slice(0, 12)
  const slug = basename(key)
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .slice(0, 60)
  return join(cacheRoot(), 'check', `${slug}-${hash}.jsonl`)
}

/** The results a file already holds, by id; a line cut short by a crash is ignored. */
function readResults(file: string): Map<string, BlockResult> {
  const out = new Map<string, BlockResult>()
  if (!existsSync(file)) return out
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    try {
      const r = JSON.parse(line) as BlockResult
      if (typeof r.id === 'string' && typeof r.status === 'string') out.set(r.id, r)
    } catch {
      // A partial last line: its block is checked again.
    }
  }
  return out
}

/** Starts the results file over with `kept` (atomically), so appended lines never follow a partial one. */
function startResults(file: string, kept: BlockResult[]): void {
  mkdirSync(dirname(file), { recursive: true })
  const tmp = `${file}.partial`
  writeFileSync(tmp, kept.map((r) => `${JSON.stringify(r)}\n`).join(''))
  renameSync(tmp, file)
}

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
      'trace every block of a trace file, folder or corpus with the native tracer and re-derive every step with the reference checker, in worker processes',
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
      const input = await resolveInput(ref, (id) => filter === undefined || id.includes(filter), limit ?? Number.POSITIVE_INFINITY)
      const file = opts.results === undefined ? defaultResultsFile(input.key, filter, limit) : resolve(userCwd(), opts.results)

      const done = new Map<string, BlockResult>()
      const wanted = new Set([...input.items, ...input.notImported].map((i) => i.id))
      if (opts.resume) for (const [id, r] of readResults(file)) if (wanted.has(id)) done.set(id, r)
      for (const r of input.notImported) done.set(r.id, r)
      startResults(file, [...done.values()])
      const todo = input.items.filter((i) => !done.has(i.id))
      const total = done.size + todo.length
      const workers = Math.min(jobs, todo.length)
      process.stderr.write(
        `stepproof check: ${plural(total, 'block')}, ${todo.length} to check with ${plural(workers, 'worker')}; results in ${file}\n`,
      )

      let bad = [...done.values()].filter((r) => r.status !== 'checked').length
      const progress = startProgress('check', total, { start: done.size, logEverySeconds: 10 })
      await runPool<CheckItem, BlockResult>({ module: WORKER, jobs, timeoutMs: timeoutS * 1000 }, todo, (item, outcome) => {
        const result = outcome.ok ? outcome.value : notTraced(item, 'untraced', outcome.reason, outcome.reason === 'timeout' ? timeoutS : 0)
        appendFileSync(file, `${JSON.stringify(result)}\n`)
        done.set(item.id, result)
        if (result.status !== 'checked') bad++
        progress.tick(`${bad} not checked · ${item.id.replace(/^.*blockchain_tests__/, '')}`)
      }).finally(() => progress.done())

      const summary = summarise([...input.notImported, ...input.items].flatMap((i) => done.get(i.id) ?? []))
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
