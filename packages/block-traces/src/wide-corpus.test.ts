import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { cachedCorpus, REPO_ROOT } from './corpus.ts'
import { importBlockchainTestFile } from './importer.ts'
import { cacheEntryDir, importWideFixture, loadWideTrace, testFolderOf, type WideLocation, wideFixtures } from './wide-corpus.ts'

const GZIPPED = join(REPO_ROOT, 'packages/block-traces/test-data/eest-wide')
const CLZ = 'eest-v5.4.0__blockchain_tests__osaka__eip7939_count_leading_zeros__test_clz_gas_cost.json.gz'
const RECREATE = 'eest-v5.4.0__blockchain_tests__constantinople__eip1014_create2__test_recreate.json.gz'

/** A wide corpus of the two committed fixture files, with an empty cache, both in a temporary folder. */
function tempCorpus(): WideLocation {
  const root = mkdtempSync(join(tmpdir(), 'wide-'))
  const loc = { fixtures: join(root, 'eest-wide'), cache: join(root, 'cache') }
  mkdirSync(loc.fixtures)
  for (const f of [CLZ, RECREATE]) copyFileSync(join(GZIPPED, f), join(loc.fixtures, f))
  return loc
}

describe('wide corpus cache', () => {
  it('imports a fixture file on first use and reads it from the cache after', async () => {
    const loc = tempCorpus()
    const first = await importWideFixture(loc, RECREATE)
    const second = await importWideFixture(loc, RECREATE)
    expect([first.imported, second.imported]).toEqual([true, false])
    expect(second.entry).toEqual(first.entry)
    expect(second.entry.traces).toHaveLength(5)
    expect(second.entry.skipped).toEqual([])
  })

  it('loads a cached trace by id, equal to what the importer makes', async () => {
    const loc = tempCorpus()
    const [expected] = (await importBlockchainTestFile(join(loc.fixtures, CLZ))).traces
    const id = expected?.id as string
    expect(id.startsWith(`${CLZ}::tests/osaka/`)).toBe(true)
    const { trace, path } = await loadWideTrace(loc, id)
    expect(trace).toEqual(expected)
    expect(path.startsWith(cacheEntryDir(loc, CLZ))).toBe(true)
  })

  it('imports again when the fixture file changes', async () => {
    const loc = tempCorpus()
    await importWideFixture(loc, CLZ)
    const path = join(loc.fixtures, CLZ)
    const json = JSON.parse(gunzipSync(readFileSync(path)).toString('utf8'))
    writeFileSync(path, gzipSync(JSON.stringify(json, null, 1)))
    expect((await importWideFixture(loc, CLZ)).imported).toBe(true)
  })

  it('imports again over an entry of another importer version, or a corrupted one', async () => {
    const loc = tempCorpus()
    await importWideFixture(loc, CLZ)
    const entryFile = join(cacheEntryDir(loc, CLZ), 'entry.json')
    writeFileSync(entryFile, JSON.stringify({ ...JSON.parse(readFileSync(entryFile, 'utf8')), importer: 0 }))
    expect((await importWideFixture(loc, CLZ)).imported).toBe(true)
    writeFileSync(entryFile, '{"format": "stepp')
    expect((await importWideFixture(loc, CLZ)).imported).toBe(true)
  })

  it('leaves only finished entries in the cache folder, clearing what a crashed import left', async () => {
    const loc = tempCorpus()
    const abandoned = join(loc.cache, `.tmp-${RECREATE.replace('.json.gz', '')}-999999999-dead`)
    mkdirSync(abandoned, { recursive: true })
    writeFileSync(join(abandoned, 'half.json'), '{')
    for (const f of wideFixtures(loc)) await importWideFixture(loc, f)
    expect(readdirSync(loc.cache).sort()).toEqual([CLZ, RECREATE].map((f) => f.replace('.json.gz', '')).sort())
  })

  it('names a missing fixture file, a corrupted one, and an id its file does not hold', async () => {
    const loc = tempCorpus()
    await expect(loadWideTrace(loc, 'no-such-file.json.gz::test')).rejects.toThrow(
      `no-such-file.json.gz: no such fixture file in the wide corpus (${loc.fixtures})`,
    )
    await expect(loadWideTrace(loc, `${CLZ}::no-such-test`)).rejects.toThrow(`${CLZ}::no-such-test: no such trace in ${CLZ}`)
    writeFileSync(join(loc.fixtures, CLZ), readFileSync(join(GZIPPED, CLZ)).subarray(0, 64))
    await expect(importWideFixture(loc, CLZ)).rejects.toThrow(/not a valid gzip file/)
  })

  it('imports only the fixture files a limited listing reaches', async () => {
    const loc = tempCorpus()
    const seen: string[] = []
    const { entries } = await cachedCorpus('wide', { location: loc, limit: 2, onFixture: (f) => seen.push(f) })
    expect(entries.map((e) => e.id.split('::').pop())).toEqual(['block1', 'block2'])
    expect(seen).toEqual([RECREATE])
    expect((await cachedCorpus('wide', { location: loc })).entries).toHaveLength(6)
  })

  it('says where the fixtures were looked for when the folder is missing', () => {
    expect(() => wideFixtures({ fixtures: '/nowhere/eest-wide', cache: '/nowhere/cache' })).toThrow(
      "/nowhere/eest-wide: the wide corpus's fixtures are not there; set STEPPROOF_FIXTURES to the folder that holds eest-wide/",
    )
  })
})

describe('testFolderOf', () => {
  it('is the source folder of an execution-spec-tests file', () => {
    expect(testFolderOf(CLZ)).toBe('osaka__eip7939_count_leading_zeros')
    expect(testFolderOf('eest-v5.4.0__blockchain_tests__static__state_tests__stRandom__randomStatetest24.json.gz')).toBe(
      'static__state_tests__stRandom',
    )
  })

  it('is undefined for other names', () => {
    expect(testFolderOf('ethereum-tests__bcExample_basefeeExample.json')).toBeUndefined()
  })
})
