import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { cachedCorpus, executeReference, REPO_ROOT, readBlockTrace, wideLocation } from '@stepproof/block-traces'
import { describe, expect, it } from 'vitest'
import { checkBlock } from '../src/verify-trace.ts'

/**
 * CI's share of the wide corpus (execution-spec-tests, written elsewhere): the first two rounds of
 * the committed stratified sample (packages/block-traces/corpus/wide-sample.txt: each round takes a
 * block of every test folder, the forks rotating), every block traced and every step re-derived.
 * The whole sample and the whole corpus run in `pnpm stepproof check wide-sample|wide`.
 */
const ROUNDS_IN_CI = 204

/** Blocks left to the benchmark, with the reason (SPEC.md §8): not failures, but too slow for CI. */
const TOO_SLOW_FOR_CI: Record<string, string> = {
  ContractCreationSpam: 'the tracer runs past 600 s on it (4 GB): a tracing-performance exception',
}

const here = existsSync(wideLocation().fixtures)

describe.skipIf(!here)('the stratified sample of execution-spec-tests blocks (every fork, every test folder)', () => {
  it('traces every block and re-derives every step with the checker; ethereumjs reaches every expected root', async () => {
    const { entries, skipped } = await cachedCorpus('wide-sample', { limit: ROUNDS_IN_CI })
    expect(skipped).toEqual([])
    const forks = new Set(entries.map((e) => e.fork))
    expect([...forks].sort()).toEqual(['Cancun', 'Osaka', 'Prague', 'Shanghai'])
    const problems: string[] = []
    let steps = 0
    for (const entry of entries) {
      if (Object.keys(TOO_SLOW_FOR_CI).some((name) => entry.id.includes(name))) continue
      const trace = readBlockTrace(join(REPO_ROOT, entry.path))
      const reference = await executeReference(trace)
      if (!reference.match) {
        problems.push(`${entry.id}: ethereumjs ${reference.mismatches.map((m) => m.field).join(', ')}`)
        continue
      }
      try {
        const r = await checkBlock(trace)
        steps += r.checked
        for (const f of r.failures.slice(0, 2)) problems.push(`${entry.id} step ${f.step} (${f.kind}): ${f.reason}`)
        if (r.checked !== r.steps) problems.push(`${entry.id}: ${r.checked} of ${r.steps} steps re-derived`)
      } catch (e) {
        problems.push(`${entry.id}: untraced: ${(e as Error).message}`)
      }
    }
    expect(problems).toEqual([])
    expect(steps).toBeGreaterThan(100_000)
  }, 3_000_000)
})
