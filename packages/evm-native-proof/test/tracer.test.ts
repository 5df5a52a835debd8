import { loadCorpus, toHex } from '@stepproof/block-traces'
import { describe, expect, it } from 'vitest'
import { executeNative } from '../src/exec-native.ts'
import { traceBlock } from '../src/trace/tracer.ts'

const trace = (id: string) => {
  const found = [...loadCorpus('standard'), ...loadCorpus('fixtures')].find((e) => e.trace.id.startsWith(id))
  if (found === undefined) throw new Error(`no trace ${id}`)
  return found.trace
}

describe('the native step trace', () => {
  it('ends, on every block of the standard corpus and every fixture, at the expected roots', async () => {
    const failures: string[] = []
    for (const { trace: t } of [...loadCorpus('standard'), ...loadCorpus('fixtures')]) {
      const r = await executeNative(t)
      if (!r.match) failures.push(`${t.id}: ${r.mismatches.map((m) => m.field).join(', ')}`)
      // One tx-start, one tx-enter and one receipt per transaction; one step per withdrawal.
      const txs = t.block.transactions.length
      if (r.stepsByKind['tx-start'] !== txs || r.stepsByKind['tx-receipt'] !== txs || r.stepsByKind['tx-enter'] !== txs)
        failures.push(`${t.id}: ${JSON.stringify(r.stepsByKind)} for ${txs} transactions`)
      if (r.stepsByKind.withdrawal !== (t.block.withdrawals?.length ?? 0)) failures.push(`${t.id}: withdrawal steps`)
      if (r.stepsByKind['frame-exit'] < txs) failures.push(`${t.id}: fewer frame exits than transactions`)
    }
    expect(failures).toEqual([])
  }, 600_000)

  it('seals every step, changes the commitment at every step, and is deterministic', async () => {
    const t = trace('standard/nested-calls')
    const a = await traceBlock(t)
    const b = await traceBlock(t)
    expect(a.steps.every((s) => s.post !== undefined)).toBe(true)
    const posts = [a.initial, ...a.steps.map((s) => s.post as Uint8Array)].map(toHex)
    for (let i = 1; i < posts.length; i++) expect(posts[i], `step ${i - 1} (${a.steps[i - 1]?.kind})`).not.toBe(posts[i - 1])
    expect(b.steps.map((s) => toHex(s.post as Uint8Array))).toEqual(posts.slice(1))
    // Opcode steps carry their opcode; the block starts and ends with its own kinds.
    expect(a.steps[0]?.kind).toBe('block-start')
    expect(a.steps[a.steps.length - 1]?.kind).toBe('block-finalize')
    expect(a.steps.filter((s) => s.kind === 'opcode').every((s) => s.opcode !== undefined)).toBe(true)
  })

  it('has one tx-cleanup step per self-destructed account, deleting only those created in the same transaction (EIP-6780)', async () => {
    // The block's transactions (scenarios/corpora.ts): selfdestruct-new twice (a contract created
    // and destroyed in one transaction: deleted), selfdestruct-old once (kept), transient twice.
    const t = trace('standard/selfdestruct-transient')
    const cleanups = (await traceBlock(t)).steps.flatMap((s, k) => (s.kind === 'tx-cleanup' ? [k] : []))
    expect(cleanups.length).toBe(3)
    const w = await traceBlock(t, { witness: (k) => cleanups.includes(k) })
    const root = (stateData: Uint8Array) => toHex(stateData.subarray(96, 128))
    const deleting = w.witnesses.filter((x) => root(x.stateData) !== root(x.postStateData))
    expect(deleting.length).toBe(2)
    expect((await executeNative(t)).match).toBe(true)
  })

  it('gives different commitments for blocks that differ (two fixtures of one test at two forks)', async () => {
    const ids = loadCorpus('fixtures')
      .map((e) => e.trace)
      .filter((t) => t.id.includes('test_basic_tload_works'))
    expect(ids.length).toBe(2)
    const [x, y] = await Promise.all(ids.map((t) => traceBlock(t)))
    expect(toHex(x?.initial as Uint8Array)).not.toBe(toHex(y?.initial as Uint8Array))
  })
})
