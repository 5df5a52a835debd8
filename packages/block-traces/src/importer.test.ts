import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { corpusFiles, REPO_ROOT } from './corpus.ts'
import { importBlockchainTestFile, importBlockchainTests, traceFileName, writeTraces } from './importer.ts'
import { serializeBlockTrace } from './trace.ts'

const FIXTURES = join(REPO_ROOT, 'packages/block-traces/test-data/blockchain-tests')
const oneFixture = join(FIXTURES, 'ethereum-tests__bcExample_basefeeExample.json')
const GZIPPED = join(REPO_ROOT, 'packages/block-traces/test-data/eest-wide')
const recreate = join(GZIPPED, 'eest-v5.4.0__blockchain_tests__constantinople__eip1014_create2__test_recreate.json.gz')

function withTest(mutate: (test: Record<string, unknown>) => void): string {
  const json = JSON.parse(readFileSync(oneFixture, 'utf8')) as Record<string, Record<string, unknown>>
  const [name, test] = Object.entries(json)[0] as [string, Record<string, unknown>]
  mutate(test)
  const dir = mkdtempSync(join(tmpdir(), 'bt-'))
  const path = join(dir, 'mutated.json')
  writeFileSync(path, JSON.stringify({ [name]: test }))
  return path
}

describe('BlockchainTests importer', () => {
  it('imports every valid block of the shared fixtures, classic and execution-spec-tests flavours', async () => {
    const result = await importBlockchainTests(FIXTURES)
    expect(result.skipped).toEqual([])
    expect(result.traces).toHaveLength(30)
    expect(new Set(result.traces.map((t) => t.fork))).toEqual(new Set(['Shanghai', 'Cancun', 'Prague']))
    const prague = result.traces.filter((t) => t.fork === 'Prague')
    expect(prague.every((t) => t.expected.requestsHash !== undefined)).toBe(true)
  })

  it('reproduces the committed fixtures corpus byte for byte', async () => {
    const result = await importBlockchainTests(FIXTURES)
    const committed = corpusFiles('fixtures')
    expect(committed.map((p) => p.split('/').pop())).toEqual(result.traces.map((t) => traceFileName(t.id)).sort())
    for (const trace of result.traces) {
      const path = committed.find((p) => p.endsWith(traceFileName(trace.id))) as string
      expect(readFileSync(path, 'utf8')).toBe(serializeBlockTrace(trace))
    }
  })

  it('makes a block that expects an exception a trace expected invalid, for that reason', async () => {
    const path = withTest((t) => {
      for (const b of t.blocks as Record<string, unknown>[]) b.expectException = 'TransactionException.INSUFFICIENT_ACCOUNT_FUNDS'
      // With its only block invalid, the chain's last block is the genesis block.
      t.lastblockhash = (t.genesisBlockHeader as { hash: string }).hash
    })
    const result = await importBlockchainTestFile(path)
    expect(result.skipped).toEqual([])
    expect(result.traces.length).toBeGreaterThan(0)
    for (const t of result.traces) expect(t.expected.invalid).toBe('TransactionException.INSUFFICIENT_ACCOUNT_FUNDS')
  })

  it('skips an unsupported network, saying why', async () => {
    const result = await importBlockchainTestFile(
      withTest((t) => {
        t.network = 'CancunToPragueAtTime15k'
      }),
    )
    expect(result.skipped[0]?.reason).toBe(
      'network "CancunToPragueAtTime15k" is not supported (supported: Shanghai, Cancun, Prague, Osaka)',
    )
  })

  it('skips a test whose block does not hash to lastblockhash', async () => {
    const result = await importBlockchainTestFile(
      withTest((t) => {
        t.lastblockhash = `0x${'00'.repeat(32)}`
      }),
    )
    expect(result.skipped[0]?.reason).toMatch(/^block hash 0x[0-9a-f]{64} is not the test's lastblockhash/)
  })

  it('skips an entry that is not a test at all', async () => {
    const result = await importBlockchainTestFile(withTest((t) => void delete t.genesisRLP))
    expect(result.skipped[0]?.reason).toMatch(/^not a BlockchainTests test: field genesisRLP/)
  })

  it('reads a .json.gz file exactly as the same JSON uncompressed', async () => {
    const plain = join(mkdtempSync(join(tmpdir(), 'gz-')), 'recreate.json')
    writeFileSync(plain, gunzipSync(readFileSync(recreate)))
    const fromGz = await importBlockchainTestFile(recreate)
    const fromJson = await importBlockchainTestFile(plain)
    // Ids and sources name the file they came from; everything else is the same.
    const anonymous = (r: typeof fromGz) => r.traces.map(({ id: _id, source: _source, ...rest }) => rest)
    expect(fromGz.traces).toHaveLength(5)
    expect(anonymous(fromGz)).toEqual(anonymous(fromJson))
    expect(fromGz.traces[0]?.id).toMatch(
      /^eest-v5\.4\.0__blockchain_tests__constantinople__eip1014_create2__test_recreate\.json\.gz::tests\//,
    )
  })

  it('imports every .json.gz of a folder, single- and multi-block tests', async () => {
    const result = await importBlockchainTests(GZIPPED)
    expect(result.skipped).toEqual([])
    expect(result.traces.map((t) => t.fork)).toEqual(['Shanghai', 'Shanghai', 'Shanghai', 'Shanghai', 'Shanghai', 'Osaka'])
    expect(result.traces.filter((t) => t.id.endsWith('::block3'))).toHaveLength(1)
  })

  it("carries no storage of a destroyed account into the next block's pre-state", async () => {
    // recreate_on_separate_block_True: block 2 destroys a contract with a storage slot and re-funds its
    // address; block 3's pre-state must hold the re-funded account without the dead slot.
    const { traces } = await importBlockchainTestFile(recreate)
    const block3 = traces.find((t) => t.id.endsWith('recreate_on_separate_block_True]::block3')) as (typeof traces)[number]
    expect(block3.pre['0x22f424d6df59380ed956126f55b79b6c901aec26']).toEqual({ nonce: '0x0', balance: '0x1', code: '0x', storage: {} })
  })

  it('exits with a clear error on a corrupted .json.gz', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'gz-')), 'cut.json.gz')
    writeFileSync(path, readFileSync(recreate).subarray(0, 100))
    await expect(importBlockchainTestFile(path)).rejects.toThrow(`${path}: not a valid gzip file`)
  })

  it('skips a test whose conversion fails, with the error, and imports the rest of the file', async () => {
    const json = JSON.parse(readFileSync(oneFixture, 'utf8')) as Record<string, Record<string, unknown>>
    const [name, test] = Object.entries(json)[0] as [string, Record<string, unknown>]
    const path = join(mkdtempSync(join(tmpdir(), 'bt-')), 'two.json')
    writeFileSync(path, JSON.stringify({ [name]: test, broken: { ...test, genesisRLP: '0xc0' } }))
    const result = await importBlockchainTestFile(path)
    expect(result.traces.map((t) => t.id)).toEqual([`two.json::${name}`])
    expect(result.skipped).toEqual([{ test: 'two.json::broken', reason: expect.stringMatching(/^import failed: /) }])
  })

  it('writes each trace atomically and leaves no partial files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'out-'))
    const paths = writeTraces((await importBlockchainTestFile(oneFixture)).traces, dir)
    expect(paths).toHaveLength(1)
    expect(readdirSync(dir).filter((f) => f.endsWith('.partial'))).toEqual([])
  })
})
