import { loadCorpus } from '@stepproof/block-traces'
import { describe, expect, it } from 'vitest'
import { checkStep } from '../src/check/index.ts'
import { NativeProver } from '../src/prover.ts'
import { traceBlock } from '../src/trace/tracer.ts'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const trace = (id: string) => {
  const t = loadCorpus('standard').find((e) => e.trace.id === id)?.trace
  if (t === undefined) throw new Error(`no trace ${id}`)
  return t
}

describe('the native prover', () => {
  it('proves any step from the checkpoint before it exactly as a run of the whole block does', async () => {
    // mixed-prague: transactions of every type, withdrawals and system calls after them.
    const t = trace('standard/mixed-prague')
    const prover = await NativeProver.build(t)
    const full = await traceBlock(t)
    expect(prover.steps).toBe(full.steps.length)
    expect(hex(prover.commitmentAt(0))).toBe(hex(full.initial))
    expect(hex(prover.commitmentAt(prover.steps))).toBe(hex(full.steps[full.steps.length - 1]?.post as Uint8Array))
    expect(() => prover.commitmentAt(prover.steps + 1)).toThrow(RangeError)
    const starts = full.steps.flatMap((s, k) => (s.kind === 'tx-start' ? [k] : []))
    // Each transaction's first and last step and one in the middle; the block's first and last steps.
    const picks = [0, prover.steps - 1]
    for (const [i, k] of starts.entries()) {
      const end = (starts[i + 1] ?? full.steps.findLastIndex((s) => s.kind === 'tx-receipt') + 1) - 1
      picks.push(k, Math.floor((k + end) / 2), end)
    }
    // The tail: the first withdrawal, a system call's opcode, the last exit.
    const tail = full.steps.findLastIndex((s) => s.kind === 'tx-receipt') + 1
    picks.push(
      tail,
      full.steps.findIndex((s, k) => k > tail && s.kind === 'opcode'),
      prover.steps - 2,
    )
    expect(prover.checkpoints).toBe(t.block.transactions.length + 1)
    expect(picks.length).toBeGreaterThan(20)
    const reference = await traceBlock(t, { witness: (k) => picks.includes(k) })
    for (const k of picks) {
      const w = await prover.proveStep(k)
      const r = reference.witnesses.find((x) => x.step === k)
      expect(w.kind, `step ${k}`).toBe(r?.kind)
      expect(hex(w.pre), `step ${k}`).toBe(hex(prover.commitmentAt(k)))
      expect(hex(w.post), `step ${k}`).toBe(hex(prover.commitmentAt(k + 1)))
      expect(w.proof.map(hex), `step ${k}`).toEqual(r?.proof.map(hex))
      expect(hex(await checkStep(w)), `step ${k}`).toBe(hex(w.post))
    }
  }, 600_000)
})
