import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { corpusFiles, REPO_ROOT, serializeBlockTrace, transferBlock } from '@stepproof/block-traces'
import { describe, expect, it } from 'vitest'
import { stepproof } from './run.ts'

// The two smallest fixture blocks (a dozen native steps each).
const SMALL = corpusFiles('fixtures').filter((p) => /bcExample_(shanghai|basefee)Example/.test(p))
const SUMMARY_KEYS = [
  'blocks',
  'traced',
  'checked',
  'steps',
  'stepsChecked',
  'failures',
  'untraced',
  'referenceFailures',
  'byFork',
  'byFolder',
  'coverage',
  'largestWitness',
  'oversized',
]

/** A fresh cache folder, so results files stay out of the repository's .cache. */
const cache = () => ({ STEPPROOF_CACHE: mkdtempSync(join(tmpdir(), 'check-cache-')) })
const temp = (name: string) => join(mkdtempSync(join(tmpdir(), 'check-')), name)

describe('stepproof check', () => {
  it('checks a trace file with one worker and prints the documented JSON', () => {
    const r = stepproof(['check', SMALL[0] as string, '--json', '--jobs', '1'], REPO_ROOT, cache())
    expect(r.code).toBe(0)
    const s = JSON.parse(r.stdout)
    expect(Object.keys(s)).toEqual(SUMMARY_KEYS)
    expect(s).toMatchObject({ blocks: 1, traced: 1, checked: 1, failures: [], untraced: [], referenceFailures: [] })
    expect(s.steps).toBeGreaterThan(0)
    expect(s.stepsChecked).toBe(s.steps)
    expect(Object.values(s.byFork)).toEqual([{ blocks: 1, traced: 1, checked: 1, failed: 0, untraced: 0, referenceFailures: 0 }])
    // Coverage: every checked step counted once, under its kind or its opcode; one block-start.
    const [coverage] = Object.values(s.coverage) as Record<string, number>[]
    expect(Object.values(coverage ?? {}).reduce((a, b) => a + b, 0)).toBe(s.stepsChecked)
    expect(coverage?.['block-start']).toBe(1)
    expect(Object.keys(coverage ?? {}).some((k) => /^opcode 0x[0-9a-f]{2}$/.test(k))).toBe(true)
    expect(s.largestWitness).toMatchObject({ id: expect.any(String), step: expect.any(Number), kind: expect.any(String) })
    expect(s.largestWitness.bytes).toBeGreaterThan(352)
    expect(s.oversized).toEqual({ bound: 131072, steps: 0, blocks: 0, byKind: {} })
  })

  it('fails a block whose steps all re-derive but whose proof ends elsewhere than the trace expects', async () => {
    // A Prague block sealed by ethereumjs without the EIP-7002 contract: ethereumjs calls it valid (its
    // expectation), the native proof (and go-ethereum) invalid.
    const trace = await transferBlock('Prague', ['0x00000961ef480eb55e80d19ad83579a64c007002'])
    const file = temp('no-7002.json')
    writeFileSync(file, serializeBlockTrace(trace))
    const r = stepproof(['check', file, '--json', '--jobs', '1'], REPO_ROOT, cache())
    expect(r.code).toBe(1)
    const s = JSON.parse(r.stdout)
    expect(s).toMatchObject({ blocks: 1, traced: 1, checked: 0 })
    expect(s.stepsChecked).toBe(s.steps)
    expect(s.failures.map((f: { reason: string }) => f.reason)).toEqual([
      expect.stringMatching(
        /^the native proof's outcome: validity expected valid, got invalid \(the native proof ends in INVALID at step \d+, a system-call/,
      ),
    ])
  }, 60_000)

  it('shares a folder of traces between two workers', () => {
    const dir = mkdtempSync(join(tmpdir(), 'check-dir-'))
    for (const p of SMALL) copyFileSync(p, join(dir, p.split('/').pop() as string))
    const r = stepproof(['check', dir, '--json', '--jobs', '2'], REPO_ROOT, cache())
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(/2 blocks, 2 to check with 2 workers/)
    expect(JSON.parse(r.stdout)).toMatchObject({ blocks: 2, traced: 2, checked: 2 })
  })

  it('resumes from its results file, checking only the blocks not in it', () => {
    const env = cache()
    const results = temp('results.jsonl')
    const args = ['check', 'fixtures', '--filter', 'bcExample_', '--json', '--jobs', '1', '--results', results]
    const first = stepproof(args, REPO_ROOT, env)
    expect(first.code).toBe(0)
    expect(readFileSync(results, 'utf8').trim().split('\n')).toHaveLength(2)
    const again = stepproof([...args, '--resume'], REPO_ROOT, env)
    expect(again.stderr).toMatch(/2 blocks, 0 to check/)
    expect(JSON.parse(again.stdout)).toEqual(JSON.parse(first.stdout))
  })

  it('lists a block ethereumjs does not execute to its expected roots as a reference failure, and exits 1', () => {
    const trace = JSON.parse(readFileSync(SMALL[0] as string, 'utf8'))
    trace.expected.stateRoot = `0x${'ab'.repeat(32)}`
    const path = temp('wrong-root.json')
    writeFileSync(path, JSON.stringify(trace))
    const r = stepproof(['check', path, '--json', '--jobs', '1'], REPO_ROOT, cache())
    expect(r.code).toBe(1)
    const s = JSON.parse(r.stdout)
    expect(s).toMatchObject({ blocks: 1, traced: 0, checked: 0, untraced: [] })
    expect(s.referenceFailures).toEqual([{ id: trace.id, reason: expect.stringMatching(/^ethereumjs: stateRoot expected 0xabab/) }])
    expect(r.stderr.trim().split('\n').pop()).toMatch(
      /^stepproof: 1 of 1 blocks not checked \(0 failed, 0 untraced, 1 reference failures\)/,
    )
  })

  it('gives up on a block past --timeout-s: untraced, reason "timeout"', () => {
    const [big] = corpusFiles('scaling').filter((p) => p.includes('64-txs'))
    const r = stepproof(['check', big as string, '--json', '--jobs', '1', '--timeout-s', '1'], REPO_ROOT, cache())
    expect(r.code).toBe(1)
    expect(JSON.parse(r.stdout).untraced).toEqual([{ id: 'scaling/mix-64-txs', reason: 'timeout' }])
  })

  it('checks the wide corpus of the fixtures folder STEPPROOF_FIXTURES names', () => {
    const shared = mkdtempSync(join(tmpdir(), 'shared-'))
    mkdirSync(join(shared, 'eest-wide'))
    const gz = join(REPO_ROOT, 'packages/block-traces/test-data/eest-wide')
    const clz = 'eest-v5.4.0__blockchain_tests__osaka__eip7939_count_leading_zeros__test_clz_gas_cost.json.gz'
    copyFileSync(join(gz, clz), join(shared, 'eest-wide', clz))
    const env = { ...cache(), STEPPROOF_FIXTURES: shared }
    const r = stepproof(['check', 'wide', '--json', '--jobs', '1'], REPO_ROOT, env)
    expect(r.code).toBe(0)
    const s = JSON.parse(r.stdout)
    expect(s).toMatchObject({ blocks: 1, checked: 1 })
    expect(Object.keys(s.byFolder)).toEqual(['osaka__eip7939_count_leading_zeros'])
    const list = stepproof(['traces', 'list', '--corpus', 'wide', '--json'], REPO_ROOT, env)
    expect(JSON.parse(list.stdout).map((e: { fork: string }) => e.fork)).toEqual(['Osaka'])
    // A sample file as `traces sample --out` writes it: its blocks of the wide corpus, and one it cannot find.
    const sample = temp('sample.txt')
    const id = JSON.parse(list.stdout)[0].id
    writeFileSync(sample, `# a sample\nOsaka\t${id}\nOsaka\t${clz}::no-such-test\n`)
    const fromSample = stepproof(['check', sample, '--json', '--jobs', '1'], REPO_ROOT, env)
    expect(fromSample.code).toBe(1)
    const t = JSON.parse(fromSample.stdout)
    expect(t).toMatchObject({ blocks: 2, checked: 1 })
    expect(t.untraced).toEqual([{ id: `${clz}::no-such-test`, reason: expect.stringMatching(/^not imported: no such trace in /) }])
  })

  it('exits 2 on an input that is no file, corpus or trace id, in one line', () => {
    const r = stepproof(['check', 'no/such/input', '--json'], REPO_ROOT, cache())
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(
      'stepproof: no/such/input: no such trace file, and no trace of the corpora (standard, scaling, fixtures, wide) has this id\n',
    )
    expect(r.stdout).toBe('')
  })

  it('exits 2 on a bad --jobs', () => {
    const r = stepproof(['check', SMALL[0] as string, '--jobs', 'two'], REPO_ROOT, cache())
    expect(r.code).toBe(2)
    expect(r.stderr).toBe('stepproof: --jobs must be a whole number, got "two"\n')
  })
})
