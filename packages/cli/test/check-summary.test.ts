import { describe, expect, it } from 'vitest'
import type { BlockResult } from '../src/check-block.ts'
import { allChecked, formatSummary, summarise } from '../src/check-summary.ts'

const result = (
  id: string,
  fork: string,
  folder: string,
  status: BlockResult['status'],
  extra: Partial<BlockResult> = {},
): BlockResult => ({
  id,
  fork,
  folder,
  status,
  steps: status === 'checked' || status === 'failed' ? 10 : 0,
  stepsChecked: status === 'checked' ? 10 : status === 'failed' ? 9 : 0,
  failures: status === 'failed' ? [{ id, step: 3, opcode: '0x55', reason: 'the checker computed another post-commitment' }] : [],
  seconds: 1,
  ...extra,
})

const results = [
  result('a', 'Cancun', 'cancun__x', 'checked'),
  result('b', 'Osaka', 'cancun__x', 'failed'),
  result('c', 'Osaka', 'static__y', 'untraced', { reason: 'timeout' }),
  result('d', 'Shanghai', 'static__y', 'reference-failure', {
    reason: `ethereumjs: stateRoot expected 0x${'ab'.repeat(32)}, got 0x${'01'.repeat(32)}`,
  }),
  result('e', 'Shanghai', 'static__y', 'reference-failure', {
    reason: `ethereumjs: stateRoot expected 0x${'cd'.repeat(32)}, got 0x${'02'.repeat(32)}`,
  }),
]

describe('check summary', () => {
  it('adds up blocks and steps, and counts by fork (in fork order) and by folder', () => {
    const s = summarise(results)
    expect(s).toMatchObject({ blocks: 5, traced: 2, checked: 1, steps: 20, stepsChecked: 19 })
    expect(s.failures).toEqual([{ id: 'b', step: 3, opcode: '0x55', reason: 'the checker computed another post-commitment' }])
    expect(s.untraced).toEqual([{ id: 'c', reason: 'timeout' }])
    expect(s.referenceFailures.map((r) => r.id)).toEqual(['d', 'e'])
    expect(Object.keys(s.byFork)).toEqual(['Shanghai', 'Cancun', 'Osaka'])
    expect(s.byFolder.static__y).toEqual({ blocks: 3, traced: 0, checked: 0, failed: 0, untraced: 1, referenceFailures: 2 })
    expect(allChecked(s)).toBe(false)
    expect(allChecked(summarise([results[0] as BlockResult]))).toBe(true)
  })

  it('groups reasons that differ only in hashes', () => {
    const lines = formatSummary(summarise(results))
    const at = lines.indexOf('reference failures by reason (blocks):')
    expect(lines.slice(at + 1)).toEqual(['      2  ethereumjs: stateRoot expected 0x…, got 0x…', '         e.g. d'])
  })

  it('adds up the steps over the witness bound by kind, the commonest first', () => {
    const s = summarise([
      result('a', 'Cancun', 'f', 'checked', { oversized: { 'opcode 0x20': 1, 'tx-start': 2 } }),
      result('b', 'Cancun', 'f', 'checked'),
      result('c', 'Cancun', 'f', 'checked', { oversized: { 'tx-start': 1 } }),
    ])
    expect(s.oversized).toEqual({ bound: 131072, steps: 4, blocks: 2, byKind: { 'tx-start': 3, 'opcode 0x20': 1 } })
    expect(Object.keys(s.oversized.byKind)).toEqual(['tx-start', 'opcode 0x20'])
    expect(formatSummary(s).join('\n')).toMatch(/witnesses over 128 KiB: 4 steps in 2 blocks \(tx-start 3, opcode 0x20 1\)/)
  })
})
