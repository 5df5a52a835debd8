import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { corpusFiles, REPO_ROOT } from '@stepproof/block-traces'
import { describe, expect, it } from 'vitest'
import { stepproof } from './run.ts'

const FIXTURES = join(REPO_ROOT, 'packages/block-traces/test-data/blockchain-tests')
const fixtureTrace = corpusFiles('fixtures')[0] as string

function tempFile(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'cli-')), name)
  writeFileSync(path, text)
  return path
}

describe('stepproof traces', () => {
  it('lists a corpus as JSON rows of the documented shape', () => {
    const r = stepproof(['traces', 'list', '--corpus', 'fixtures', '--json'])
    expect(r.code).toBe(0)
    const rows = JSON.parse(r.stdout) as Record<string, unknown>[]
    expect(rows).toHaveLength(30)
    expect(Object.keys(rows[0] as object).sort()).toEqual(['fork', 'gasUsed', 'id', 'path', 'source', 'txs'])
    expect(existsSync(join(REPO_ROOT, (rows[0] as { path: string }).path))).toBe(true)
  })

  it('imports BlockchainTests into a folder and reports what it wrote', () => {
    const out = mkdtempSync(join(tmpdir(), 'imported-'))
    const r = stepproof(['traces', 'import', FIXTURES, '--out', out, '--json'])
    expect(r.code).toBe(0)
    const report = JSON.parse(r.stdout) as { imported: number; skipped: unknown[]; traces: string[] }
    expect(report.imported).toBe(30)
    expect(report.skipped).toEqual([])
    expect(readdirSync(out).sort()).toEqual(report.traces.map((p) => p.split('/').pop()).sort())
  })

  it('resolves relative paths against the folder the user ran from', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'cwd-'))
    writeFileSync(join(cwd, 'one.json'), readFileSync(join(FIXTURES, 'ethereum-tests__bcExample_basefeeExample.json')))
    const r = stepproof(['traces', 'import', 'one.json', '--out', 'traces', '--json'], cwd)
    expect(r.code).toBe(0)
    expect(readdirSync(join(cwd, 'traces'))).toHaveLength(1)
  })
})

describe('stepproof exec', () => {
  it('executes a trace file on ethereumjs and prints the documented JSON', () => {
    const r = stepproof(['exec', fixtureTrace, '--engine', 'ethereumjs', '--json'])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout) as Record<string, unknown>
    expect(out).toMatchObject({ engine: 'ethereumjs', match: true, mismatches: [] })
    for (const key of ['id', 'stateRoot', 'receiptsRoot', 'gasUsed', 'seconds']) expect(out).toHaveProperty(key)
  })

  it('executes a corpus trace named by id', () => {
    const r = stepproof(['exec', 'ethereum-tests__bcExample_basefeeExample.json::basefeeExample_Cancun', '--json'])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout).match).toBe(true)
  })

  it('exits 1 with the mismatching fields when the expected root is wrong', () => {
    const trace = JSON.parse(readFileSync(fixtureTrace, 'utf8'))
    trace.expected.stateRoot = `0x${'ab'.repeat(32)}`
    const r = stepproof(['exec', tempFile('wrong-root.json', JSON.stringify(trace)), '--json'])
    expect(r.code).toBe(1)
    expect(JSON.parse(r.stdout).mismatches).toEqual([{ field: 'stateRoot', expected: `0x${'ab'.repeat(32)}`, actual: expect.any(String) }])
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toMatch(/ethereumjs result differs from the expectation in stateRoot/)
  })

  it('exits 2 on truncated JSON, naming the file', () => {
    const path = tempFile('cut.json', readFileSync(fixtureTrace, 'utf8').slice(0, 200))
    const r = stepproof(['exec', path, '--json'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(new RegExp(`^stepproof: ${path}: not valid JSON`))
    expect(r.stdout).toBe('')
  })

  it('exits 2 on a wrong field type, naming the field', () => {
    const trace = JSON.parse(readFileSync(fixtureTrace, 'utf8'))
    trace.chainId = '1'
    const r = stepproof(['exec', tempFile('bad-type.json', JSON.stringify(trace))])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/not a valid block trace: field chainId: .*number/)
  })

  it('exits 2 on an unknown fork', () => {
    const trace = JSON.parse(readFileSync(fixtureTrace, 'utf8'))
    trace.fork = 'Osaka2'
    const r = stepproof(['exec', tempFile('bad-fork.json', JSON.stringify(trace))])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/field fork: unknown fork "Osaka2"; supported forks are Shanghai, Cancun, Prague, Osaka/)
  })

  it('exits 2 on a missing file', () => {
    const r = stepproof(['exec', 'no/such/trace.json'])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(
      'stepproof: no/such/trace.json: no such trace file, and no trace of the corpora (standard, scaling, fixtures, wide) has this id\n',
    )
  })

  it('exits 2 on an unknown engine, listing the known ones', () => {
    const r = stepproof(['exec', fixtureTrace, '--engine', 'besu'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/unknown engine "besu"; available: ethereumjs/)
  })

  it('exits 2 on an unknown command, in one line', () => {
    const r = stepproof(['frobnicate'])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe("stepproof: unknown command 'frobnicate'\n")
  })
})

describe('stepproof witness --vm evm', () => {
  it('gives the documented JSON for an SSTORE step, which the reference checker re-derives', () => {
    // standard/storage-refunds: step 915 is an SSTORE (a witness with account and storage proofs).
    const r = stepproof(['witness', 'standard/storage-refunds', '--vm', 'evm', '--step', '915', '--json'])
    expect(r.code).toBe(0)
    const w = JSON.parse(r.stdout) as Record<string, unknown> & { proof: string[]; checker: { ok: boolean; post: string } }
    for (const key of ['step', 'kind', 'opcode', 'pre', 'post', 'stateData', 'proof']) expect(w).toHaveProperty(key)
    expect([w.kind, w.opcode]).toEqual(['opcode', '0x55'])
    expect((w.stateData as string).length).toBe(2 + 2 * 352)
    // The frame comes first (448 bytes, SPEC.md §2.3), the witness is the sum of its parts.
    expect(((w.proof[0] as string).length - 2) / 2).toBe(448)
    expect(w.witnessBytes).toBe(352 + w.proof.reduce((n, p) => n + 4 + (p.length - 2) / 2, 0))
    expect(w.checker).toEqual({ ok: true, post: w.post })
  })

  it('gives a witness for the transaction- and block-level steps too, and exits 2 past the end', () => {
    // Step 0 is block-start, 1–4 the block-hashes steps, 5 the first tx-start, 6 its tx-payload, 7 its tx-enter.
    for (const [step, kind] of [
      [0, 'block-start'],
      [4, 'block-hashes'],
      [5, 'tx-start'],
      [6, 'tx-payload'],
      [7, 'tx-enter'],
    ] as const) {
      const a = stepproof(['witness', 'standard/storage-refunds', '--step', String(step), '--json'])
      expect(a.code).toBe(0)
      const w = JSON.parse(a.stdout) as { kind: string; post: string; checker: { ok: boolean; post: string } }
      expect(w.kind).toBe(kind)
      expect(w.checker).toEqual({ ok: true, post: w.post })
    }
    const b = stepproof(['witness', 'standard/storage-refunds', '--step', '99999'])
    expect(b.code).toBe(2)
    expect(b.stderr).toMatch(/past the end of standard\/storage-refunds \(it has \d+ native steps\)/)
  })
})
