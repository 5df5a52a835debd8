import { loadCorpus } from '@stepproof/block-traces'
import { describe, expect, it } from 'vitest'
import { type BlockRow, type ComparisonReport, renderMarkdown } from './comparison.ts'
import { fitLine, type MipsBlockRow, measureMipsBlock, mipsScaling } from './mips-blocks.ts'

describe('fitLine', () => {
  it('recovers an exact line and reports r² = 1', () => {
    const f = fitLine([1, 2, 4, 8].map((x) => ({ x, y: 5 + 3 * x })))
    expect(f.slope).toBeCloseTo(3, 12)
    expect(f.intercept).toBeCloseTo(5, 12)
    expect(f.r2).toBeCloseTo(1, 12)
  })

  it('gives the textbook fit of a noisy set', () => {
    // x = 1..4 (mean 2.5), y = 2, 4, 5, 4 (mean 3.75): Sxx = 5, Sxy = 3.5 → slope 0.7, intercept 2;
    // residuals −0.7, 0.6, 0.9, −0.8 → SS_res = 2.3; SS_tot = 4.75.
    const f = fitLine([2, 4, 5, 4].map((y, i) => ({ x: i + 1, y })))
    expect(f.slope).toBeCloseTo(0.7, 12)
    expect(f.intercept).toBeCloseTo(2, 12)
    expect(f.r2).toBeCloseTo(1 - 2.3 / 4.75, 12)
  })

  it('refuses a fit without two distinct x', () => {
    expect(() => fitLine([{ x: 1, y: 2 }])).toThrow(/two distinct x/)
    expect(() =>
      fitLine([
        { x: 1, y: 2 },
        { x: 1, y: 3 },
      ]),
    ).toThrow(/two distinct x/)
  })
})

describe('the MIPS block measurement', () => {
  it('measures a real block: phases add up to the steps, the report renders them', async () => {
    const entry = loadCorpus('standard').find((e) => e.trace.id === 'standard/eth-transfers')
    if (entry === undefined) throw new Error('standard/eth-transfers is missing')
    const m = await measureMipsBlock(entry.trace)
    expect(m.match).toBe(true)
    expect(m.nativeSameOutput).toBe(true)
    expect(m.nativeRequests).not.toBe('different')
    expect(Object.values(m.phaseSteps).reduce((a, b) => a + b, 0)).toBe(m.steps)
    expect(m.phaseSteps.execution).toBeGreaterThan(0)
    expect(m.guestMiB).toBeGreaterThan(1)
    const row: BlockRow & { mips: MipsBlockRow } = {
      id: entry.trace.id,
      corpus: 'standard',
      fork: entry.trace.fork,
      txs: entry.trace.block.transactions.length,
      gasUsed: Number(BigInt(entry.trace.expected.gasUsed)),
      referenceSeconds: 0,
      referenceMatch: true,
      mips: m,
    }
    // The same block at two sizes is enough to exercise the scaling fit and its section.
    const bigger = {
      ...row,
      txs: row.txs * 2,
      gasUsed: row.gasUsed * 2,
      mips: { ...m, steps: m.steps + m.phaseSteps.execution, phaseSteps: { ...m.phaseSteps, execution: m.phaseSteps.execution * 2 } },
    }
    const scaling = mipsScaling([row, bigger])
    expect(scaling.executionStepsPerTx.slope).toBeCloseTo(m.phaseSteps.execution / row.txs, 6)
    expect(scaling.fixedStepsMedian).toBe(m.steps - m.phaseSteps.execution)
    const report: ComparisonReport = { generatedBy: 'test', corpora: ['standard'], blocks: [row], approaches: [], mipsScaling: scaling }
    const md = renderMarkdown(report)
    expect(md).toContain('## MIPS: go-ethereum in the MIPS VM, per block')
    expect(md).toContain(`| standard/eth-transfers | 6 | ${row.gasUsed} | ${(m.steps / 1e6).toFixed(1)} |`)
    expect(md).toContain('execution steps per transaction')
  }, 300_000)
})
