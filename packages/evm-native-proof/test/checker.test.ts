import { loadCorpus } from '@stepproof/block-traces'
import { describe, expect, it } from 'vitest'
import { initialState } from '../src/check/block-start.ts'
import { checkStep, checkStepState, WitnessError } from '../src/check/index.ts'
import { keccak, readState, writeState } from '../src/check/layout.ts'
import { STEP_KINDS } from '../src/trace/kinds.ts'
import { traceBlock } from '../src/trace/tracer.ts'
import type { StepWitness } from '../src/trace/witness.ts'
import { checkBlock } from '../src/verify-trace.ts'

const blocks = () => [...loadCorpus('standard'), ...loadCorpus('scaling'), ...loadCorpus('fixtures')].map((e) => e.trace)
const trace = (id: string) => {
  const t = blocks().find((b) => b.id.startsWith(id))
  if (t === undefined) throw new Error(`no trace ${id}`)
  return t
}
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

describe('the reference checker', () => {
  it('re-derives the post-commitment of every step, of every kind, of every block of the three corpora from its witness', async () => {
    const failures: string[] = []
    let checked = 0
    for (const t of blocks()) {
      const r = await checkBlock(t)
      checked += r.checked
      for (const f of r.failures.slice(0, 3)) failures.push(`${t.id} step ${f.step} (opcode 0x${f.opcode?.toString(16)}): ${f.reason}`)
      // Every step has a witness and is re-executed: nothing is left out.
      if (r.witnessed !== r.steps || r.checked !== r.steps) failures.push(`${t.id}: ${r.checked} of ${r.steps} steps checked`)
    }
    expect(failures).toEqual([])
    expect(checked).toBeGreaterThan(85_000)
  }, 900_000)

  it('rejects every single-byte change to any item of a witness (one per opcode, and per shape of the other kinds)', async () => {
    // mixed-prague has every kind but the EIP-7702 ones, which blobs-and-set-code has.
    const witnesses = [
      ...(await traceBlock(trace('standard/mixed-prague'), { witness: () => true })).witnesses,
      ...(await traceBlock(trace('standard/blobs-and-set-code'), { witness: () => true })).witnesses,
    ]
    // One witness per opcode, and per shape (number of items) of every other kind.
    const byOpcode = new Map<string, StepWitness>()
    for (const w of witnesses) {
      const key = w.opcode === undefined ? `${w.kind} with ${w.proof.length} items` : `opcode ${w.opcode}`
      if (byOpcode.has(key)) continue
      if (hex(await checkStep(w)) === hex(w.post)) byOpcode.set(key, w)
    }
    expect(byOpcode.size).toBeGreaterThan(60)
    expect([...byOpcode.keys()].filter((k) => k.startsWith('frame-exit')).length).toBeGreaterThanOrEqual(2)
    const shapes = [...byOpcode.keys()]
    for (const kind of STEP_KINDS)
      expect(
        shapes.some((k) => k.startsWith(`${kind} `)),
        kind,
      ).toBe(true)
    const accepted: string[] = []
    let mutations = 0
    for (const w of byOpcode.values()) {
      const items: { name: string; bytes: Uint8Array; with(b: Uint8Array): StepWitness }[] = [
        { name: 'stateData', bytes: w.stateData, with: (b) => ({ ...w, stateData: b }) },
        ...w.proof.map((item, i) => ({
          name: `item ${i}`,
          bytes: item,
          with: (b: Uint8Array) => ({ ...w, proof: w.proof.map((x, j) => (j === i ? b : x)) }),
        })),
        ...w.codes.map((code, i) => ({
          name: `code ${i}`,
          bytes: code,
          with: (b: Uint8Array) => ({ ...w, codes: w.codes.map((x, j) => (j === i ? b : x)) }),
        })),
      ]
      for (const item of items) {
        for (const at of new Set([0, item.bytes.length >> 1, item.bytes.length - 1])) {
          // (An empty item, such as an empty receipts-trie stack, has no byte to change.)
          if (at < 0 || at >= item.bytes.length) continue
          const b = item.bytes.slice()
          b[at] = (b[at] as number) ^ 0x01
          mutations++
          try {
            const post = await checkStep(item.with(b))
            accepted.push(
              `${w.kind} ${w.opcode?.toString(16) ?? ''} step ${w.step}: ${item.name} byte ${at} → ${hex(post) === hex(w.post) ? 'the same post' : 'another post'}`,
            )
          } catch (e) {
            if (!(e instanceof WitnessError))
              accepted.push(`${w.kind} ${w.opcode?.toString(16) ?? ''}: ${item.name} byte ${at} → ${(e as Error).message}`)
          }
        }
      }
      // A missing item and an extra one are rejected too.
      await expect(checkStep({ ...w, proof: w.proof.slice(0, -1) })).rejects.toThrow(WitnessError)
      await expect(checkStep({ ...w, proof: [...w.proof, new Uint8Array(32)] })).rejects.toThrow(WitnessError)
    }
    expect(accepted).toEqual([])
    expect(mutations).toBeGreaterThan(500)
  }, 300_000)

  it('turns an opcode that fails in the EVM into a failed frame, not a rejected witness', async () => {
    // standard/failures has transactions that run out of gas, jump badly and revert.
    const t = await traceBlock(trace('standard/failures'), { witness: () => true })
    const halting = new Set([0x00, 0xf3, 0xfd, 0xff])
    let exceptional = 0
    for (const w of t.witnesses) {
      // An opcode followed by its frame's exit that is not a halting opcode failed exceptionally.
      if (t.steps[w.step + 1]?.kind !== 'frame-exit' || halting.has(w.opcode as number)) continue
      exceptional++
      expect(hex(await checkStep(w))).toBe(hex(w.post))
    }
    expect(exceptional).toBeGreaterThan(0)
  }, 300_000)
})

describe('the block is the one its header names (SPEC.md §2, §4)', () => {
  it('starts from a state that is a function of the block hash, chain id and fork alone', async () => {
    for (const id of ['standard/mixed-prague', 'standard/eth-transfers']) {
      const t = trace(id)
      const run = await traceBlock(t, { witness: (k) => k === 0, blockStartOnly: true })
      const s = readState((run.witnesses[0] as StepWitness).stateData)
      // The block's hash names the block until block-start has read its header.
      expect(hex(s.blockEnvHash)).toBe(hex(run.loaded.block.hash()))
      expect(hex(run.initial)).toBe(hex(keccak(writeState(initialState(s.blockEnvHash, BigInt(t.chainId), s.forkId)))))
    }
  })

  it('ends the transactions only where the transactions trie proves the next one absent', async () => {
    const t = trace('standard/mixed-prague')
    const run = await traceBlock(t, { witness: () => true })
    const receipts = run.witnesses.filter((w) => w.kind === 'tx-receipt')
    expect(receipts.length).toBe(t.block.transactions.length)
    const last = receipts[receipts.length - 1] as StepWitness
    // The last receipt's list item proves the key after the last transaction absent; given to an
    // earlier receipt in place of its own, it must not end the block there.
    const absence = last.proof[last.proof.length - 2] as Uint8Array
    let tried = 0
    const withdrawals = last.proof[last.proof.length - 1] as Uint8Array
    for (const w of receipts.slice(0, -1)) {
      tried++
      try {
        const post = readState(await checkStepState({ ...w, proof: [...w.proof.slice(0, -1), absence, withdrawals] }))
        expect(post.phase, `receipt of tx ${readState(w.stateData).txIndex}`).toBe(1)
      } catch (e) {
        expect(e).toBeInstanceOf(WitnessError)
      }
    }
    expect(tried).toBeGreaterThan(2)
  }, 300_000)
})
