import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { InputError } from './errors.ts'
import type { Fork } from './forks.ts'
import type { SkippedTest } from './importer.ts'
import { type BlockTrace, readBlockTrace } from './trace.ts'
import {
  cachedTracePath,
  fixtureOf,
  importWideFixture,
  loadWideTrace,
  skipReasonOf,
  type WideCacheEntry,
  type WideLocation,
  wideFixtures,
} from './wide-corpus.ts'
import { parseWideSample, type SampleCandidate } from './wide-sample.ts'

/** The committed corpora: generated scenarios, the scaling series, and the imported BlockchainTests fixtures. */
export const CORPORA = ['standard', 'scaling', 'fixtures'] as const
/** One of {@link CORPORA}. */
export type CorpusName = (typeof CORPORA)[number]
/**
 * The corpora imported on demand from the shared fixtures and cached, not committed: `wide` (every
 * test of eest-wide) and `wide-sample` (the committed stratified sample of it).
 */
export const CACHED_CORPORA = ['wide', 'wide-sample'] as const
/** One of {@link CACHED_CORPORA}. */
export type CachedCorpusName = (typeof CACHED_CORPORA)[number]
/** Any corpus a command can name. */
export type AnyCorpusName = CorpusName | CachedCorpusName
const ALL_CORPORA: readonly AnyCorpusName[] = [...CORPORA, ...CACHED_CORPORA]

/** The repository root (two levels above this package's src). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')

/** The folder a corpus's traces are committed in. */
export function corpusDir(name: CorpusName): string {
  return join(REPO_ROOT, 'packages/block-traces/corpus', name)
}

/** One row of `stepproof traces list`. */
export interface CorpusEntry {
  id: string
  fork: Fork
  txs: number
  gasUsed: string
  source: string
  path: string
}

/** Parses a corpus name, with an error listing the known ones. */
export function parseCorpusName(name: string): AnyCorpusName {
  const found = ALL_CORPORA.find((c) => c === name)
  if (found === undefined) throw new InputError(`unknown corpus "${name}"; the corpora are ${ALL_CORPORA.join(', ')}`)
  return found
}

/** Whether a corpus is imported into the cache rather than committed. */
export function isCachedCorpus(name: AnyCorpusName): name is CachedCorpusName {
  return (CACHED_CORPORA as readonly string[]).includes(name)
}

/**
 * Where the wide corpus comes from and is cached: `eest-wide/` in the shared fixtures folder
 * (`STEPPROOF_FIXTURES`, by default `../shared/fixtures` beside the repository), imported into
 * `corpus/wide/` of the cache folder (`STEPPROOF_CACHE`, by default the repository's `.cache`).
 */
export function wideLocation(env: NodeJS.ProcessEnv = process.env): WideLocation {
  const fixtures = env.STEPPROOF_FIXTURES ?? join(REPO_ROOT, '../shared/fixtures')
  return { fixtures: join(fixtures, 'eest-wide'), cache: join(cacheRoot(env), 'corpus/wide') }
}

/** The folder for what stepproof caches (imports, check results): `STEPPROOF_CACHE`, by default the repository's `.cache` (gitignored). */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.STEPPROOF_CACHE ?? join(REPO_ROOT, '.cache')
}

/** The committed stratified sample of the wide corpus (the `wide-sample` corpus). */
export const WIDE_SAMPLE_FILE = join(REPO_ROOT, 'packages/block-traces/corpus/wide-sample.txt')

/** The blocks of the committed wide sample, in its order. */
export function readWideSample(path = WIDE_SAMPLE_FILE): SampleCandidate[] {
  if (!existsSync(path)) throw new InputError(`${path}: no such file; write it with \`pnpm stepproof traces sample\``)
  return parseWideSample(readFileSync(path, 'utf8'), path)
}

/** Which traces of a cached corpus to take, and what to report while importing. */
export interface CachedCorpusOptions {
  /** Take only the traces whose id passes. */
  take?: (id: string) => boolean
  /** Stop after this many traces (fixture files past them are not imported). */
  limit?: number
  /** Called after each fixture file, imported now or found in the cache. */
  onFixture?: (fixture: string, done: number, total: number, imported: boolean) => void
  location?: WideLocation
  /** For `wide-sample`: the sample file to read instead of the committed one (as `traces sample --out` writes it). */
  sampleFile?: string
}

/** A cached corpus's traces, and the tests (or sampled blocks) the importer skipped, with reasons. */
export interface CachedCorpus {
  entries: CorpusEntry[]
  skipped: SkippedTest[]
}

/**
 * The traces of a cached corpus, importing the fixture files it needs that are not cached yet.
 * `wide` takes every imported trace of every fixture file, in file order; `wide-sample` the sampled
 * blocks in sample order (of the committed sample, or of `opts.sampleFile`), a sampled block the
 * importer skipped counting as skipped.
 */
export async function cachedCorpus(name: CachedCorpusName, opts: CachedCorpusOptions = {}): Promise<CachedCorpus> {
  const loc = opts.location ?? wideLocation()
  const take = opts.take ?? (() => true)
  const limit = opts.limit ?? Number.POSITIVE_INFINITY
  const out: CachedCorpus = { entries: [], skipped: [] }
  const row = (entry: WideCacheEntry, t: WideCacheEntry['traces'][number]): CorpusEntry => ({
    ...t,
    path: relative(REPO_ROOT, cachedTracePath(loc, entry, t)),
  })
  if (name === 'wide') {
    const fixtures = wideFixtures(loc)
    for (const [i, fixture] of fixtures.entries()) {
      if (out.entries.length >= limit) break
      const { entry, imported } = await importWideFixture(loc, fixture)
      opts.onFixture?.(fixture, i + 1, fixtures.length, imported)
      out.skipped.push(...entry.skipped.filter((t) => take(t.test)))
      for (const t of entry.traces) if (take(t.id) && out.entries.length < limit) out.entries.push(row(entry, t))
    }
    return out
  }
  const ids = readWideSample(opts.sampleFile)
    .map((c) => c.id)
    .filter(take)
    .slice(0, limit)
  const fixtures = [...new Set(ids.map(fixtureOf))]
  const entries = new Map<string, WideCacheEntry>()
  for (const [i, fixture] of fixtures.entries()) {
    const { entry, imported } = await importWideFixture(loc, fixture)
    entries.set(fixture, entry)
    opts.onFixture?.(fixture, i + 1, fixtures.length, imported)
  }
  for (const id of ids) {
    const entry = entries.get(fixtureOf(id)) as WideCacheEntry
    const t = entry.traces.find((e) => e.id === id)
    if (t !== undefined) out.entries.push(row(entry, t))
    else out.skipped.push({ test: id, reason: skipReasonOf(entry, id)?.reason ?? `no such trace in ${entry.fixture}` })
  }
  return out
}

/** The trace files of a corpus, sorted by name. */
export function corpusFiles(name: CorpusName): string[] {
  const dir = corpusDir(name)
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(dir, f))
}

/** Reads every trace of a committed corpus. */
export function loadCorpus(name: CorpusName): { trace: BlockTrace; path: string }[] {
  return corpusFiles(name).map((path) => ({ trace: readBlockTrace(path), path }))
}

/** Reads every trace of any corpus; a cached one is imported first where needed. */
export async function loadAnyCorpus(name: AnyCorpusName, opts: CachedCorpusOptions = {}): Promise<{ trace: BlockTrace; path: string }[]> {
  if (!isCachedCorpus(name)) return loadCorpus(name)
  const { entries } = await cachedCorpus(name, opts)
  return entries.map((e) => {
    const path = resolve(REPO_ROOT, e.path)
    return { trace: readBlockTrace(path), path }
  })
}

/** Lists a corpus as `traces list` prints it; paths are relative to the repository root. */
export async function listCorpus(name: AnyCorpusName, opts: CachedCorpusOptions = {}): Promise<CorpusEntry[]> {
  if (isCachedCorpus(name)) return (await cachedCorpus(name, opts)).entries
  return loadCorpus(name).map(({ trace, path }) => ({
    id: trace.id,
    fork: trace.fork,
    txs: trace.block.transactions.length,
    gasUsed: trace.expected.gasUsed,
    source: trace.source,
    path: relative(REPO_ROOT, path),
  }))
}

/**
 * Resolves what a user named: a path to a trace file (relative to `cwd`), the id of a trace in one
 * of the committed corpora, or the id of a trace of the wide corpus (imported if not cached yet).
 */
export async function resolveTrace(ref: string, cwd: string): Promise<{ trace: BlockTrace; path: string }> {
  const asPath = resolve(cwd, ref)
  if (existsSync(asPath)) return { trace: readBlockTrace(asPath), path: asPath }
  for (const name of CORPORA) {
    for (const entry of loadCorpus(name)) {
      if (entry.trace.id === ref) return entry
    }
  }
  const loc = wideLocation()
  if (ref.includes('::') && existsSync(join(loc.fixtures, fixtureOf(ref)))) return loadWideTrace(loc, ref)
  throw new InputError(`${ref}: no such trace file, and no trace of the corpora (${[...CORPORA, 'wide'].join(', ')}) has this id`)
}
