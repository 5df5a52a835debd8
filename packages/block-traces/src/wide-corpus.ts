import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { z } from 'zod'
import { InputError } from './errors.ts'
import { FORKS } from './forks.ts'
import { IMPORTER_VERSION, importBlockchainTestFile, type SkippedTest, writeTraces } from './importer.ts'
import { type BlockTrace, readBlockTrace } from './trace.ts'

/** Where the wide corpus's fixtures are read from and where their imports are cached. */
export interface WideLocation {
  /** The folder of gzipped BlockchainTests files (eest-wide). */
  fixtures: string
  /** The folder imports are cached in, one sub-folder per fixture file. */
  cache: string
}

/** The format id of a cache entry's `entry.json`; bump it when the entry's layout changes. */
export const WIDE_CACHE_FORMAT = 'stepproof/wide-cache@1'

const CachedTraceSchema = z.object({
  id: z.string(),
  fork: z.enum(FORKS),
  txs: z.number(),
  gasUsed: z.string(),
  source: z.string(),
  /** The trace's file name inside the entry's folder. */
  file: z.string(),
})

const CacheEntrySchema = z.object({
  format: z.literal(WIDE_CACHE_FORMAT),
  importer: z.number(),
  fixture: z.string(),
  sha256: z.string(),
  traces: z.array(CachedTraceSchema),
  skipped: z.array(z.object({ test: z.string(), reason: z.string() })),
  seconds: z.number(),
})

/** One imported trace, as its cache entry lists it. */
export type CachedTrace = z.infer<typeof CachedTraceSchema>
/** One fixture file's import: its traces, the tests the importer skipped, and what it was imported from. */
export type WideCacheEntry = z.infer<typeof CacheEntrySchema>

const FIXTURE_SUFFIX = '.json.gz'
const ENTRY_FILE = 'entry.json'

/** The fixture files of the wide corpus, sorted by name. */
export function wideFixtures(loc: WideLocation): string[] {
  if (!existsSync(loc.fixtures)) {
    throw new InputError(
      `${loc.fixtures}: the wide corpus's fixtures are not there; set STEPPROOF_FIXTURES to the folder that holds eest-wide/`,
    )
  }
  return readdirSync(loc.fixtures)
    .filter((f) => f.endsWith(FIXTURE_SUFFIX))
    .sort()
}

/** The fixture file a trace id of the wide corpus comes from: the id up to its first `::`. */
export function fixtureOf(id: string): string {
  const end = id.indexOf('::')
  return end === -1 ? id : id.slice(0, end)
}

/**
 * The test folder of a fixture file: the source path after `blockchain_tests__` without the file,
 * e.g. `cancun__eip1153_tstore` for `eest-v5.4.0__blockchain_tests__cancun__eip1153_tstore__test_gas_usage.json.gz`.
 * Undefined for a name without that part.
 */
export function testFolderOf(fixture: string): string | undefined {
  const path = /blockchain_tests__(.+?)(\.json)?(\.gz)?$/.exec(fixture)?.[1]
  const cut = path?.lastIndexOf('__') ?? -1
  return path === undefined || cut <= 0 ? undefined : path.slice(0, cut)
}

/** The cache folder of one fixture file's import. */
export function cacheEntryDir(loc: WideLocation, fixture: string): string {
  return join(loc.cache, basename(fixture, FIXTURE_SUFFIX))
}

function readEntry(dir: string): WideCacheEntry | undefined {
  try {
    const entry = CacheEntrySchema.safeParse(JSON.parse(readFileSync(join(dir, ENTRY_FILE), 'utf8')))
    return entry.success ? entry.data : undefined
  } catch {
    return undefined
  }
}

function isCurrent(entry: WideCacheEntry | undefined, sha256: string, dir: string): entry is WideCacheEntry {
  return (
    entry !== undefined &&
    entry.sha256 === sha256 &&
    entry.importer === IMPORTER_VERSION &&
    entry.traces.every((t) => existsSync(join(dir, t.file)))
  )
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Removes the temporary folders of imports of `stem` whose process died before publishing them. */
function removeAbandoned(cache: string, stem: string): void {
  const prefix = `.tmp-${stem}-`
  for (const name of readdirSync(cache)) {
    if (!name.startsWith(prefix)) continue
    const pid = Number(name.slice(prefix.length).split('-')[0])
    if (!isAlive(pid)) rmSync(join(cache, name), { recursive: true, force: true })
  }
}

/**
 * Moves a finished import into place. A folder cannot be renamed over a non-empty one, so a stale
 * entry is moved aside first; a reader in between finds no entry and imports again, never half of one.
 */
function publish(tmp: string, dir: string, sha256: string): void {
  const aside = `${tmp}.old`
  try {
    if (existsSync(dir)) renameSync(dir, aside)
    renameSync(tmp, dir)
  } catch (e) {
    // Another process published the same import first: keep its entry.
    if (!isCurrent(readEntry(dir), sha256, dir)) throw e
  } finally {
    rmSync(aside, { recursive: true, force: true })
    rmSync(tmp, { recursive: true, force: true })
  }
}

/**
 * The import of one fixture file of the wide corpus: from the cache when an entry exists for the
 * file's content (sha256) and {@link IMPORTER_VERSION}, otherwise imported now and cached
 * atomically (written to a temporary folder, then renamed into place).
 */
export async function importWideFixture(loc: WideLocation, fixture: string): Promise<{ entry: WideCacheEntry; imported: boolean }> {
  const path = join(loc.fixtures, fixture)
  if (!existsSync(path)) throw new InputError(`${fixture}: no such fixture file in the wide corpus (${loc.fixtures})`)
  const sha256 = createHash('sha256').update(readFileSync(path)).digest('hex')
  const dir = cacheEntryDir(loc, fixture)
  const cached = readEntry(dir)
  if (isCurrent(cached, sha256, dir)) return { entry: cached, imported: false }

  const started = performance.now()
  const result = await importBlockchainTestFile(path)
  mkdirSync(loc.cache, { recursive: true })
  const stem = basename(dir)
  removeAbandoned(loc.cache, stem)
  const tmp = join(loc.cache, `.tmp-${stem}-${process.pid}-${randomBytes(4).toString('hex')}`)
  const files = writeTraces(result.traces, tmp)
  const entry: WideCacheEntry = {
    format: WIDE_CACHE_FORMAT,
    importer: IMPORTER_VERSION,
    fixture,
    sha256,
    traces: result.traces.map((t, i) => cachedTrace(t, basename(files[i] as string))),
    skipped: result.skipped,
    seconds: (performance.now() - started) / 1000,
  }
  writeFileSync(join(tmp, ENTRY_FILE), `${JSON.stringify(entry, null, 2)}\n`)
  publish(tmp, dir, sha256)
  return { entry, imported: true }
}

function cachedTrace(trace: BlockTrace, file: string): CachedTrace {
  return {
    id: trace.id,
    fork: trace.fork,
    txs: trace.block.transactions.length,
    gasUsed: trace.expected.gasUsed,
    source: trace.source,
    file,
  }
}

/** The path of a cached trace. */
export function cachedTracePath(loc: WideLocation, entry: WideCacheEntry, trace: CachedTrace): string {
  return join(cacheEntryDir(loc, entry.fixture), trace.file)
}

/** Why the importer skipped the test (or block) an id names, if it did. */
export function skipReasonOf(entry: WideCacheEntry, id: string): SkippedTest | undefined {
  return entry.skipped.find((s) => s.test === id || id.startsWith(`${s.test}::`))
}

/** Loads one trace of the wide corpus by id (`<fixture file>::<test>[::blockN]`), importing its fixture file if needed. */
export async function loadWideTrace(loc: WideLocation, id: string): Promise<{ trace: BlockTrace; path: string }> {
  const { entry } = await importWideFixture(loc, fixtureOf(id))
  const found = entry.traces.find((t) => t.id === id)
  if (found === undefined) {
    const skip = skipReasonOf(entry, id)
    throw new InputError(
      skip === undefined ? `${id}: no such trace in ${entry.fixture}` : `${id}: not imported (skipped by the importer: ${skip.reason})`,
    )
  }
  const path = cachedTracePath(loc, entry, found)
  return { trace: readBlockTrace(path), path }
}
