import { describe, expect, it } from 'vitest'
import { CORPORA, loadCorpus } from './corpus.ts'
import { type Hex, quantity } from './hex.ts'
import { executeReference } from './reference.ts'

describe('reference execution on ethereumjs', () => {
  for (const corpus of CORPORA) {
    const entries = loadCorpus(corpus)
    it(`executes every ${corpus} trace to its expected roots (${entries.length} traces)`, async () => {
      expect(entries.length).toBeGreaterThan(0)
      for (const { trace } of entries) {
        const result = await executeReference(trace)
        expect({ id: trace.id, mismatches: result.mismatches }).toEqual({ id: trace.id, mismatches: [] })
      }
    })
  }

  it('reports each field that differs from an altered expectation', async () => {
    const { trace } = loadCorpus('fixtures')[0] as ReturnType<typeof loadCorpus>[number]
    const altered = { ...trace, expected: { ...trace.expected, stateRoot: `0x${'11'.repeat(32)}` as const, gasUsed: '0x1' as const } }
    const result = await executeReference(altered)
    expect(result.match).toBe(false)
    expect(result.mismatches).toEqual([
      { field: 'stateRoot', expected: `0x${'11'.repeat(32)}`, actual: trace.expected.stateRoot },
      { field: 'gasUsed', expected: '0x1', actual: trace.expected.gasUsed },
    ])
  })

  it('refuses a pre-state that does not hash to the parent state root', async () => {
    const { trace } = loadCorpus('fixtures')[0] as ReturnType<typeof loadCorpus>[number]
    const [addr, acct] = Object.entries(trace.pre)[0] as [Hex, (typeof trace.pre)[Hex]]
    const altered = { ...trace, pre: { ...trace.pre, [addr]: { ...acct, balance: quantity(BigInt(acct.balance) + 1n) } } }
    await expect(executeReference(altered)).rejects.toThrow(/the pre-state hashes to 0x[0-9a-f]{64}, but parent.stateRoot is/)
  })

  it('refuses a blob schedule other than mainnet', async () => {
    const { trace } = loadCorpus('fixtures').find((e) => e.trace.fork === 'Cancun' && e.trace.chainConfig.blobSchedule) as ReturnType<
      typeof loadCorpus
    >[number]
    const altered = { ...trace, chainConfig: { blobSchedule: { Cancun: { target: 4, max: 8, baseFeeUpdateFraction: 1 } } } }
    await expect(executeReference(altered)).rejects.toThrow(/chainConfig\.blobSchedule\.Cancun .* only the mainnet schedule/)
  })
})
