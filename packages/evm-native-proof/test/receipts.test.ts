/**
 * SPEC.md version 8's receipts (§5.4, §6.1): a transaction's logs go into a tree in the sub-state as
 * they come, tx-receipt appends a bounded item to a receipts list, and after the last transaction the
 * receipts-trie steps build Ethereum's receipts trie in key order, each leaf hashed once. Held here to
 * the header's receipts root (ethereumjs's), the checker re-deriving every step, and the bound.
 */
import { createAddressFromString } from '@ethereumjs/util'
import { type BlockTrace, type Fork, Rng, sealBlock, wallet } from '@stepproof/block-traces'
import { describe, expect, it } from 'vitest'
import { checkStep } from '../src/check/index.ts'
import { indexAt } from '../src/check/receipts-trie.ts'
import { NativeProver } from '../src/prover.ts'
import { keyOrder } from '../src/trace/receipts-trie.ts'
import { traceBlock } from '../src/trace/tracer.ts'
import { WITNESS_BOUND, witnessBytes } from '../src/verify-trace.ts'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

describe('the receipts trie’s key order', () => {
  it('is rlp(index)’s byte order on both sides: rlp(1) … rlp(127), rlp(0), rlp(128) …', () => {
    for (const n of [...Array.from({ length: 300 }, (_, i) => i + 1), 1000, 65_535]) {
      const order = keyOrder(n)
      for (let p = 0; p < n; p++)
        if (indexAt(p, n) !== order[p]) throw new Error(`n = ${n}: position ${p} is ${order[p]}, the checker says ${indexAt(p, n)}`)
    }
    expect(keyOrder(130).slice(125, 130)).toEqual([126, 127, 0, 128, 129])
  })
})

const PARENT = '0x00000000000000000000000000000000000a11ce'
const CHILD = '0x000000000000000000000000000000000000b0b0'
const BIG = '0x0000000000000000000000000000000000000b16'
/** Copies its calldata to memory, logs 100 bytes of it, calls CHILD with all of it, logs 200 bytes, stops. */
const PARENT_CODE = `0x365f5f37${'60645fa0'}5f5f365f5f73${CHILD.slice(2)}5af150${'60c86032a0'}00`
/** Copies its calldata to memory, logs all of it, reverts: the restored sub-state drops them from the tree (the generator undoes its writes). */
const CHILD_CODE = '0x365f5f37365f' + 'a05f5ffd'
const BIG_LOG = 150_000
/** Four non-zero words in 150,000 bytes of memory, logged as one LOG1: five parts of a step each. */
const BIG_CODE = `0x${[0, 32_700, 65_300, BIG_LOG - 32]
  .map((at) => `7f${'a5'.repeat(32)}62${at.toString(16).padStart(6, '0')}52`)
  .join('')}7f${'17'.repeat(32)}62${BIG_LOG.toString(16).padStart(6, '0')}5fa100`
const TRANSFERS = 128

/** A block of a transaction whose child's logs are reverted, one of a 150 KB log, and TRANSFERS value transfers: 130 receipts. */
async function receiptsBlock(fork: Fork): Promise<BlockTrace> {
  const rng = new Rng(`receipts/${fork}`)
  const sender = wallet(1)
  const account = (code: string) => ({ nonce: '0x1', balance: '0x0', code, storage: {} })
  const pre = {
    [sender.address.toString()]: { nonce: '0x0', balance: '0x56bc75e2d63100000', code: '0x', storage: {} },
    [PARENT]: account(PARENT_CODE),
    [CHILD]: account(CHILD_CODE),
    [BIG]: account(BIG_CODE),
  } as BlockTrace['pre']
  const data = `0x${hex(Uint8Array.from({ length: 40_000 }, (_, i) => ((i * 131 + 7) % 255) + 1))}` as const
  const { trace, included } = await sealBlock(
    { id: `receipts/${fork}`, fork, pre, rng, coinbase: `0x${'c0'.repeat(20)}`, source: 'test:receipts', generatedBy: 'receipts.test.ts' },
    async (add) => {
      let n = 0
      const call = (to: string, gasLimit: bigint, d: `0x${string}`, value = 0n) =>
        add({ from: sender, to: createAddressFromString(to), data: d, value, gasLimit, envelope: 'call', expect: 'success' }, n)
      if (await call(PARENT, 3_000_000n, data)) n++
      if (await call(BIG, 2_000_000n, '0x')) n++
      for (let i = 0; i < TRANSFERS; i++) if (await call(`0x${(0x1000 + i).toString(16).padStart(40, '0')}`, 21_000n, '0x', 1n)) n++
      return n
    },
  )
  expect(included).toBe(TRANSFERS + 2)
  return trace
}

describe('receipts built into the trie after the last transaction (SPEC.md §5.4)', () => {
  for (const fork of ['Shanghai', 'Osaka'] as const)
    it(`${fork}: 130 receipts, one of a 150 KB log, one with reverted logs, reach the header's receipts root; every step re-derived and under the bound`, async () => {
      const trace = await receiptsBlock(fork)
      const run = await traceBlock(trace, { witness: () => true })
      expect(hex(run.stateRoot)).toBe(trace.expected.stateRoot.slice(2))
      expect(`0x${hex(run.receiptsRoot)}`).toBe(trace.expected.receiptsRoot)
      for (const w of run.witnesses) expect(hex(await checkStep(w)), `step ${w.step} (${w.kind})`).toBe(hex(w.post))
      const trieSteps = run.witnesses.filter((w) => w.kind === 'receipts-trie')
      // One step a receipt, and four more for the 150 KB one's leaf (KECCAK_CHUNK = 32,640 bytes a step).
      expect(trieSteps).toHaveLength(TRANSFERS + 2 + 4)
      const logs = run.witnesses.filter((w) => w.kind === 'opcode' && w.opcode !== undefined && w.opcode >= 0xa0 && w.opcode <= 0xa4)
      // The parent's two, the child's two parts of 40,000 bytes, the big one's five.
      expect(logs).toHaveLength(2 + 2 + 5)
      for (const w of run.witnesses) expect(witnessBytes(w), `step ${w.step} (${w.kind})`).toBeLessThanOrEqual(WITNESS_BOUND)
      for (const w of run.witnesses.filter((x) => x.kind === 'tx-receipt')) expect(witnessBytes(w)).toBeLessThan(5_000)
      // The checker's stack, receipt item and logs leaves are what the state commits to: one byte off is refused.
      const big = trieSteps.reduce((a, b) => (witnessBytes(b) > witnessBytes(a) ? b : a))
      const last = trieSteps.at(-1) as (typeof trieSteps)[number]
      for (const w of [big, last, trieSteps[0] as (typeof trieSteps)[number]])
        for (let i = 0; i < w.proof.length; i++) {
          const item = w.proof[i] as Uint8Array
          if (item.length === 0) continue
          for (const at of [0, item.length >> 1, item.length - 1]) {
            const bad = w.proof.map((p, j) => (j === i ? p.map((b, k) => (k === at ? b ^ 1 : b)) : p))
            await expect(checkStep({ ...w, proof: bad }).then(hex), `step ${w.step} item ${i} byte ${at}`).rejects.toThrow()
          }
        }
      // From the tail's checkpoint: the receipts-trie steps item for item as in the whole run.
      const prover = await NativeProver.build(trace)
      for (const w of [trieSteps[0], big, last] as (typeof trieSteps)[number][]) {
        const again = await prover.proveStep(w.step)
        expect(again.proof.map(hex), `step ${w.step}`).toEqual(w.proof.map(hex))
      }
    }, 600_000)
})
