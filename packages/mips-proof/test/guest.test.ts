import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type BlockTrace, CORPORA, importBlockchainTestFile, loadCorpus, REPO_ROOT } from '@stepproof/block-traces'
import { describe, expect, it } from 'vitest'
import { executeMips, PHASES } from '../src/exec-mips.ts'
import { buildGuest } from '../src/guest.ts'
import { TraceOracle } from '../src/host/block-host.ts'
import { buildNativeGuest, executeGeth, runNativeGuest } from '../src/native.ts'
import { vmFromElf } from '../src/program.ts'

const trace = (id: string): BlockTrace => {
  const found = [...loadCorpus('standard'), ...loadCorpus('fixtures')].find((e) => e.trace.id.startsWith(id))
  if (found === undefined) throw new Error(`no trace ${id}`)
  return found.trace
}

/**
 * go-ethereum's state transition, compiled to MIPS and run on the VM with its inputs served as
 * preimages, against roots nobody here computed (the fixtures) and against ethereumjs (the
 * generated corpus). CI runs this subset; the whole corpora run in the benchmark.
 */
describe('the go-ethereum guest on the MIPS VM', () => {
  it('builds reproducibly: two clean builds give the same ELF and absolute pre-state', () => {
    const a = buildGuest({ outDir: mkdtempSync(join(tmpdir(), 'guest-a-')), force: true })
    const b = buildGuest({ outDir: mkdtempSync(join(tmpdir(), 'guest-b-')), force: true })
    expect(a.elfHash).toBe(b.elfHash)
    expect(a.absolutePrestate).toBe(b.absolutePrestate)
    expect(a.gethVersion).toBe('v1.17.10')
  }, 600_000)

  for (const id of [
    'standard/eth-transfers',
    'standard/mixed-prague',
    // KZG point evaluation: the block that needed the deferred go-eth-kzg set-up (guest-deps.ts).
    'standard/precompiles-cancun',
    'ethereum-tests__bcStateTests_suicideStorageCheck.json',
    'eest-v5.4.0__prague_eip7702_set_code_tx_test_eip_7702.json',
    'eest-v5.4.0__cancun_eip4788_beacon_root_test_beacon_root_selfdestruct.json',
  ]) {
    it(`computes the expected roots of ${id}`, async () => {
      const r = await executeMips(trace(id))
      expect(r.mismatches).toEqual([])
      expect(r.claimHolds).toBe(true)
      expect(r.steps).toBeGreaterThan(1_000_000)
      expect(r.preimages.count).toBeGreaterThan(1)
      // The guest's phase markers split the whole run, every phase non-empty, boot data read in 'input'.
      expect(r.phases.map((p) => p.phase)).toEqual([...PHASES])
      expect(r.phases.reduce((a, p) => a + p.steps, 0)).toBe(r.steps)
      expect(r.phases.reduce((a, p) => a + p.preimages, 0)).toBe(r.preimages.count)
      expect(r.phases.every((p) => p.steps > 0)).toBe(true)
      expect(r.phases[0]?.preimages).toBe(0)
      expect(r.phases[1]?.preimages).toBeGreaterThanOrEqual(1)
    }, 600_000)
  }

  for (const id of ['standard/eth-transfers', 'standard/storage-refunds', 'eest-v5.4.0__prague_eip7702_set_code_tx_test_eip_7702.json']) {
    it(`gives the same output and asks for the same preimages natively (amd64) and in MIPS: ${id}`, async () => {
      const native = await runNativeGuest(buildNativeGuest(mkdtempSync(join(tmpdir(), 'native-'))), trace(id))
      const oracle = await TraceOracle.forTrace(trace(id))
      const vm = vmFromElf(buildGuest().elf, oracle)
      vm.run()
      expect(native.exitCode).toBe(0)
      expect(vm.stdoutText()).toBe(native.stdout)
      // The same keys; the order can differ where go-ethereum iterates a map (Go randomises map
      // iteration natively, while the VM's runtime randomness is fixed), so it is compared sorted.
      expect([...oracle.requests].sort()).toEqual([...native.requests].sort())
      expect(oracle.requests.length).toBe(native.requests.length)
    }, 600_000)
  }

  it('natively, agrees with every trace of every corpus on state root, receipts root, gas, logs bloom and requests hash', async () => {
    const binary = buildNativeGuest(mkdtempSync(join(tmpdir(), 'native-')))
    const disagreements: string[] = []
    let count = 0
    for (const corpus of CORPORA) {
      for (const { trace: t } of loadCorpus(corpus)) {
        count++
        const { stdout, exitCode } = await runNativeGuest(binary, t)
        const e = t.expected
        const line = `stateRoot=${e.stateRoot.slice(2)} receiptsRoot=${e.receiptsRoot.slice(2)} gasUsed=${BigInt(e.gasUsed)} logsBloom=${e.logsBloom.slice(2)} requestsHash=${e.requestsHash?.slice(2) ?? 'none'} claim=true\n`
        if (exitCode !== 0 || stdout !== line) disagreements.push(`${t.id}: ${stdout.trim()}`)
      }
    }
    expect(count).toBe(50)
    expect(disagreements).toEqual([])
  }, 600_000)

  it('exits 1 when the claimed post-state root is wrong', async () => {
    const r = await executeMips(trace('standard/eth-transfers'), { claim: `0x${'ab'.repeat(32)}` })
    expect(r.exitCode).toBe(1)
    expect(r.claimHolds).toBe(false)
    expect(r.stateRoot).toBe(trace('standard/eth-transfers').expected.stateRoot)
  }, 600_000)

  // Blocks execution-spec-tests says a client must reject (shared/fixtures/eest-invalid, written elsewhere).
  const INVALID = join(process.env.STEPPROOF_FIXTURES ?? join(REPO_ROOT, '../shared/fixtures'), 'eest-invalid')
  for (const [name, reason] of [
    ['frontier__validation__test_gas_limit_below_minimum', /header: invalid gas limit: have 0, want 5000/],
    ['frontier__validation__test_sender_balance', /could not apply tx 0 .*insufficient funds/],
  ] as const) {
    it.skipIf(!existsSync(INVALID))(
      `rejects an invalid block in MIPS as natively, with the reason: ${name}`,
      async () => {
        const { traces } = await importBlockchainTestFile(join(INVALID, `eest-v5.4.0__blockchain_tests__${name}.json.gz`))
        const t = traces.find((x) => x.expected.invalid !== undefined)
        if (t === undefined) throw new Error(`no invalid block in ${name}`)
        const mips = await executeMips(t)
        expect({ verdict: mips.verdict, match: mips.match, exitCode: mips.exitCode, claimHolds: mips.claimHolds }).toEqual({
          verdict: 'invalid',
          match: true,
          exitCode: 1,
          claimHolds: false,
        })
        expect(mips.rejected).toMatch(reason)
        // The rejected block leaves the parent's state.
        expect(mips.stateRoot).toBe(t.parent.stateRoot)
        const native = await executeGeth(t, buildNativeGuest(mkdtempSync(join(tmpdir(), 'native-'))))
        expect(native.rejected).toBe(mips.rejected)
      },
      600_000,
    )
  }
})

describe('the native guest as a subprocess', () => {
  it('turns a guest that cannot start, or that dies without a result, into an error naming the block, not a crash', async () => {
    const trace = (loadCorpus('standard')[0] as { trace: BlockTrace }).trace
    await expect(runNativeGuest('/nonexistent/guest-native', trace)).rejects.toThrow(/did not start/)
    // A "guest" that dies at once, its oracle pipes open.
    const dir = mkdtempSync(join(tmpdir(), 'dying-guest-'))
    const script = join(dir, 'guest')
    writeFileSync(script, '#!/bin/sh\nexit 3\n', { mode: 0o755 })
    expect((await runNativeGuest(script, trace)).exitCode).toBe(3)
    await expect(executeGeth(trace, script)).rejects.toThrow(new RegExp(`${trace.id}: the native go-ethereum guest exited with 3`))
  })
})
