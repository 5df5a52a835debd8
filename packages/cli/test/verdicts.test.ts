import { copyFileSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { corpusFiles, importBlockchainTestFile, REPO_ROOT, readBlockTrace, serializeBlockTrace, writeTraces } from '@stepproof/block-traces'
import { describe, expect, it } from 'vitest'
import { stepproof } from './run.ts'

/** Blocks execution-spec-tests says a client must reject (shared/fixtures/eest-invalid, written elsewhere). */
const INVALID = join(process.env.STEPPROOF_FIXTURES ?? join(REPO_ROOT, '../shared/fixtures'), 'eest-invalid')
const invalidFile = (name: string) => join(INVALID, `eest-v5.4.0__blockchain_tests__${name}.json.gz`)
const cache = () => ({ STEPPROOF_CACHE: mkdtempSync(join(tmpdir(), 'verdicts-cache-')) })
const SMALL = corpusFiles('fixtures').filter((p) => /bcExample_(shanghaiExample|basefeeExample)/.test(p))

/** The invalid blocks of an eest-invalid file (the first `n`), written as traces into `dir`. */
async function invalidTraces(name: string, dir: string, n: number): Promise<string[]> {
  const { traces } = await importBlockchainTestFile(invalidFile(name))
  return writeTraces(traces.filter((t) => t.expected.invalid !== undefined).slice(0, n), dir)
}

describe.skipIf(!existsSync(INVALID))('stepproof verdicts', () => {
  it('ethereumjs and go-ethereum (native) each reject header-, body- and transaction-level invalid blocks and accept valid ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'verdicts-'))
    for (const p of SMALL) copyFileSync(p, join(dir, p.split('/').pop() as string))
    await invalidTraces('cancun__eip4844_blobs__test_invalid_static_excess_blob_gas', dir, 2) // the header's excess blob gas
    await invalidTraces('frontier__validation__test_sender_balance', dir, 1) // a transaction the sender cannot pay for
    await invalidTraces('frontier__validation__test_gas_limit_below_minimum', dir, 1) // the header's gas limit
    await invalidTraces('shanghai__eip4895_withdrawals__test_withdrawals_root', dir, 1) // the body against the header
    const r = stepproof(['verdicts', dir, '--json', '--jobs', '2'], REPO_ROOT, cache())
    expect(r.code, r.stderr).toBe(0)
    const s = JSON.parse(r.stdout)
    expect(s).toMatchObject({ blocks: 7, expectedInvalid: 5, engines: ['ethereumjs', 'geth'], allMatched: 7, disagreements: [] })
    expect(s.byEngine).toEqual({ ethereumjs: { matched: 7, mismatched: 0, errors: 0 }, geth: { matched: 7, mismatched: 0, errors: 0 } })
  }, 300_000)

  it("lists ethereumjs's acceptance of a block whose EIP-7002 system call fails, which go-ethereum rejects", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'verdicts-'))
    await invalidTraces('prague__eip7002_el_triggerable_withdrawals__test_system_contract_errors', dir, 1)
    const r = stepproof(['verdicts', dir, '--json', '--jobs', '1'], REPO_ROOT, cache())
    expect(r.code).toBe(1)
    const s = JSON.parse(r.stdout)
    expect(s.byEngine.geth).toEqual({ matched: 1, mismatched: 0, errors: 0 })
    expect(s.disagreements).toHaveLength(1)
    expect(s.disagreements[0]).toMatchObject({
      engine: 'ethereumjs',
      expected: 'invalid (BlockException.SYSTEM_CONTRACT_CALL_FAILED)',
      actual: 'valid',
    })
  }, 120_000)

  it('a wrong expected root is a disagreement of both engines, and the exit code is 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'verdicts-'))
    const trace = readBlockTrace(SMALL[0] as string)
    const wrong = { ...trace, expected: { ...trace.expected, stateRoot: `0x${'ab'.repeat(32)}` as const } }
    writeFileSync(join(dir, 'wrong.json'), serializeBlockTrace(wrong))
    const r = stepproof(['verdicts', dir, '--json', '--jobs', '1'], REPO_ROOT, cache())
    expect(r.code).toBe(1)
    const s = JSON.parse(r.stdout)
    expect(s.disagreements.map((d: { engine: string; reason: string }) => [d.engine, d.reason])).toEqual([
      ['ethereumjs', 'ethereumjs: expected valid, got valid (stateRoot differ)'],
      ['geth', 'geth: expected valid, got valid (stateRoot differ)'],
    ])
  }, 120_000)

  it('refuses an unknown engine by name', () => {
    const r = stepproof(['verdicts', SMALL[0] as string, '--engines', 'ethereumjs,besu'], REPO_ROOT, cache())
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/unknown engine "besu" in --engines; available: ethereumjs, geth, mips, evm-native/)
  })
})
