import { createHash } from 'node:crypto'
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { basename, dirname, join, resolve } from 'node:path'
import {
  CACHED_CORPORA,
  CORPORA,
  type CorpusEntry,
  cachedCorpus,
  cacheRoot,
  corpusFiles,
  fixtureOf,
  InputError,
  isCachedCorpus,
  REPO_ROOT,
  readBlockTrace,
  resolveTrace,
  type SkippedTest,
  testFolderOf,
} from '@stepproof/block-traces'
import type { Command } from 'commander'
import { parseCount, userCwd } from './output.ts'
import { startProgress, withImportProgress } from './progress.ts'
import { runPool } from './worker-pool.ts'

// The blocks a corpus-wide command (`check`, `verdicts`) runs over, and its results file: what
// an input names, one JSON line per block, resumable.

/** One block for a corpus-wide command: where its trace is, and how summaries group it. */
export interface BlockItem {
  id: string
  path: string
  fork: string
  folder: string
}

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

function itemsOfFiles(paths: string[]): BlockItem[] {
  return paths.map((path) => {
    const trace = readBlockTrace(path)
    return { id: trace.id, path, fork: trace.fork, folder: folderOf(trace.id) }
  })
}

/** A block of a cached corpus that the importer skipped, with its reason. */
export interface NotImported {
  item: BlockItem
  reason: string
}

/** The blocks an input names, and the blocks of a cached corpus the importer skipped. */
export interface BlockInput {
  /** What the input resolved to: a path, a corpus or a trace id (it keys the default results file). */
  key: string
  items: BlockItem[]
  notImported: NotImported[]
}

const cachedItem = (e: CorpusEntry): BlockItem => ({ id: e.id, path: resolve(REPO_ROOT, e.path), fork: e.fork, folder: folderOf(e.id) })
const notImportedOf = (s: SkippedTest): NotImported => ({
  item: { id: s.test, path: '', fork: 'unknown', folder: folderOf(s.test) },
  reason: `not imported: ${s.reason}`,
})

/**
 * The blocks of a trace file, a folder of traces, a corpus, a sample file (`.txt`, as
 * `traces sample --out` writes it: blocks of the wide corpus in its order) or a trace id, those
 * whose id passes `take`, at most `limit`.
 */
export async function resolveBlocks(ref: string, take: (id: string) => boolean, limit: number): Promise<BlockInput> {
  const pick = (items: BlockItem[]) => [...new Map(items.filter((i) => take(i.id)).map((i) => [i.id, i])).values()].slice(0, limit)
  const path = resolve(userCwd(), ref)
  if (existsSync(path) && statSync(path).isFile() && path.endsWith('.txt')) {
    const { entries, skipped } = await withImportProgress('wide', (progress) =>
      cachedCorpus('wide-sample', { ...progress, take, limit, sampleFile: path }),
    )
    return { key: path, items: pick(entries.map(cachedItem)), notImported: skipped.map(notImportedOf) }
  }
  if (existsSync(path))
    return { key: path, items: pick(itemsOfFiles(statSync(path).isDirectory() ? traceFilesIn(path) : [path])), notImported: [] }
  const corpus = [...CORPORA, ...CACHED_CORPORA].find((c) => c === ref)
  if (corpus !== undefined && !isCachedCorpus(corpus))
    return { key: corpus, items: pick(itemsOfFiles(corpusFiles(corpus))), notImported: [] }
  if (corpus !== undefined && isCachedCorpus(corpus)) {
    const { entries, skipped } = await withImportProgress(corpus, (progress) => cachedCorpus(corpus, { ...progress, take, limit }))
    return { key: corpus, items: pick(entries.map(cachedItem)), notImported: skipped.map(notImportedOf) }
  }
  const { trace, path: tracePath } = await resolveTrace(ref, userCwd())
  return { key: trace.id, items: [{ id: trace.id, path: tracePath, fork: trace.fork, folder: folderOf(trace.id) }], notImported: [] }
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`

/** The default results file of a run: under the cache, by command, keyed by the input, --filter and --limit (and `extra`). */
export function defaultResultsFile(
  command: string,
  key: string,
  filter: string | undefined,
  limit: number | undefined,
  extra = '',
): string {
  const hash = createHash('sha256')
    .update(JSON.stringify({ key, filter, limit, ...(extra === '' ? {} : { extra }) }))
    .digest('hex')
    .slice(0, 12)
  const slug = basename(key)
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .slice(0, 60)
  return join(cacheRoot(), command, `${slug}-${hash}.jsonl`)
}

/** The results a file already holds, by id; a line cut short by a crash is ignored. */
function readResults<R extends { id: string }>(file: string, valid: (r: R) => boolean): Map<string, R> {
  const out = new Map<string, R>()
  if (!existsSync(file)) return out
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    try {
      const r = JSON.parse(line) as R
      if (typeof r.id === 'string' && valid(r)) out.set(r.id, r)
    } catch {
      // A partial last line: its block is run again.
    }
  }
  return out
}

/** Starts the results file over with `kept` (atomically), so appended lines never follow a partial one. */
function startResults(file: string, kept: unknown[]): void {
  mkdirSync(dirname(file), { recursive: true })
  const tmp = `${file}.partial`
  writeFileSync(tmp, kept.map((r) => `${JSON.stringify(r)}\n`).join(''))
  renameSync(tmp, file)
}

/** How a corpus-wide command runs its blocks. */
export interface BlockRun<R extends { id: string }> {
  command: string
  /** What is done to a block, for the opening line: "check", "run". */
  verb: string
  input: BlockInput
  file: string
  resume: boolean
  jobs: number
  timeoutS: number
  /** The worker module: one block per message, one result per reply (see worker-pool.ts). */
  worker: string
  /** The block sent to a worker (the item, or the item with the run's options). */
  task?: (item: BlockItem) => unknown
  /** The result of a block that has none: skipped by the importer, timed out, or its worker died. */
  failed: (item: BlockItem, reason: string, seconds: number) => R
  /** Whether a result found in the results file is one of this command's. */
  valid: (r: R) => boolean
  /** Whether a result counts against the run (shown in the progress line). */
  bad: (r: R) => boolean
}

/**
 * Runs every block of the input not already in the results file (with `resume`), in worker
 * processes, appending each result as it arrives; returns the results in the input's order.
 */
export async function runBlocks<R extends { id: string }>(run: BlockRun<R>): Promise<R[]> {
  const { input, file } = run
  const done = new Map<string, R>()
  const wanted = new Set([...input.items, ...input.notImported.map((n) => n.item)].map((i) => i.id))
  if (run.resume) for (const [id, r] of readResults(file, run.valid)) if (wanted.has(id)) done.set(id, r)
  for (const n of input.notImported) done.set(n.item.id, run.failed(n.item, n.reason, 0))
  startResults(file, [...done.values()])
  const todo = input.items.filter((i) => !done.has(i.id))
  const total = done.size + todo.length
  const workers = Math.min(run.jobs, todo.length)
  process.stderr.write(
    `stepproof ${run.command}: ${plural(total, 'block')}, ${todo.length} to ${run.verb} with ${plural(workers, 'worker')}; results in ${file}\n`,
  )
  let bad = [...done.values()].filter(run.bad).length
  const progress = startProgress(run.command, total, { start: done.size, logEverySeconds: 10 })
  const tasks = todo.map((item) => ({ item, task: run.task?.(item) ?? item }))
  await runPool<(typeof tasks)[number], R>(
    { module: run.worker, jobs: run.jobs, timeoutMs: run.timeoutS * 1000, message: (t) => t.task },
    tasks,
    ({ item }, outcome) => {
      const result = outcome.ok ? outcome.value : run.failed(item, outcome.reason, outcome.reason === 'timeout' ? run.timeoutS : 0)
      appendFileSync(file, `${JSON.stringify(result)}\n`)
      done.set(item.id, result)
      if (run.bad(result)) bad++
      progress.tick(`${bad} bad · ${item.id.replace(/^.*blockchain_tests__/, '')}`)
    },
  ).finally(() => progress.done())
  return [...input.notImported.map((n) => n.item), ...input.items].flatMap((i) => done.get(i.id) ?? [])
}

/** The options every corpus-wide command takes, as commander gives them. */
export interface BlockRunOptions {
  jobs: string
  limit?: string
  filter?: string
  timeoutS: string
  results?: string
  resume?: boolean
  json?: boolean
}

/** Adds the options of {@link BlockRunOptions} to a command; `timeout` says what the time limit covers. */
export function withBlockRunOptions(cmd: Command, command: string, timeout: string): Command {
  return cmd
    .option('--jobs <n>', 'worker processes', String(availableParallelism()))
    .option('--limit <n>', 'only the first N blocks (after --filter)')
    .option('--filter <substring>', 'only the blocks whose id contains this')
    .option('--timeout-s <s>', timeout, '600')
    .option(
      '--results <file>',
      `per-block results, one JSON line each (default: .cache/${command}/<input>-<hash of input, filter, limit>.jsonl)`,
    )
    .option('--resume', 'keep the results already in the results file and run only the blocks not in it')
    .option('--json', 'print the summary as JSON')
}

/** The blocks an input names under the options, and the results file (`extra` keys its default apart). */
export async function blockRunInput(
  ref: string,
  opts: BlockRunOptions,
  command: string,
  extra = '',
): Promise<{ input: BlockInput; file: string; jobs: number; timeoutS: number }> {
  const jobs = parseCount(opts.jobs, '--jobs')
  const timeoutS = parseCount(opts.timeoutS, '--timeout-s')
  const limit = opts.limit === undefined ? undefined : parseCount(opts.limit, '--limit')
  if (jobs < 1 || timeoutS < 1) throw new InputError('--jobs and --timeout-s must be at least 1')
  const filter = opts.filter
  const input = await resolveBlocks(ref, (id) => filter === undefined || id.includes(filter), limit ?? Number.POSITIVE_INFINITY)
  const file = opts.results === undefined ? defaultResultsFile(command, input.key, filter, limit, extra) : resolve(userCwd(), opts.results)
  return { input, file, jobs, timeoutS }
}
