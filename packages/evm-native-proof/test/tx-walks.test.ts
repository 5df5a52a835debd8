/**
 * Version 9's set-up walks (SPEC.md §3, §5.5): after tx-start, the authorisations, the access list
 * and tx-enter read only their part of the transaction, from its tree, where txEnv's cursor left
 * off; a transaction's calldata is a view of its bytes. Held to ethereumjs's post-state (the
 * authorisations applied and the keys warmed change the state root and the gas), its decoding of
 * the transactions (the data where the view says) and to tampering.
 */
import { createMerkleProof, createMPT } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import { createTxFromRLP } from '@ethereumjs/tx'
import { type Address, createAddressFromString } from '@ethereumjs/util'
import { type BlockTrace, commonFor, type Fork, Rng, sealBlock, systemContractsPre, type TxSpec, wallet } from '@stepproof/block-traces'
import { describe, expect, it } from 'vitest'
import { checkStep } from '../src/check/index.ts'
import { keccak, readFrame, readState, readTxEnv, writeState, writeTxEnv } from '../src/check/layout.ts'
import { KECCAK_CHUNK } from '../src/check/sponge.ts'
import { ACCESS_KEYS_STEP } from '../src/check/tx-start.ts'
import { traceBlock } from '../src/trace/tracer.ts'
import { WITNESS_BOUND, witnessBytes } from '../src/verify-trace.ts'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const word = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as `0x${string}`

/**
 * Stores calldata words 0, 32 and 2,990, the calldata's size and the hash of its bytes [5, 45);
 * loads slots 7 and 300 (warm or cold, as the access list left them: the gas differs).
 */
const ECHO_CODE = `0x${[
  '600035600055',
  '602035600155',
  '36600255',
  '60286005600037',
  '6028600020600355',
  '60075450',
  '61012c5450',
  '610bae35600455',
  '00',
].join('')}`
const ECHO = createAddressFromString(`0x${'ec'.repeat(20)}`)
const OTHER = `0x${'0e'.repeat(20)}` as const
const OTHER2 = `0x${'0f'.repeat(20)}` as const
const DELEGATE = createAddressFromString(`0x${'de'.repeat(20)}`)
/** Initcode that returns the 100 bytes after its 12: 99 JUMPDESTs and a STOP. */
const INITCODE = `0x6064600c60003960646000f3${'5b'.repeat(99)}00`

/**
 * Keys laid flat: 32 (the first step ends where the first entry does), then an entry of no slots,
 * an entry of 40 (the second step ends inside it), another empty one, and a slot met before.
 */
const ACCESS_LIST = [
  { address: ECHO.toString() as `0x${string}`, storageKeys: Array.from({ length: 31 }, (_, i) => word(i)) },
  { address: OTHER, storageKeys: [] },
  { address: ECHO.toString() as `0x${string}`, storageKeys: Array.from({ length: 40 }, (_, i) => word(100 + i)) },
  { address: OTHER2, storageKeys: [] },
  { address: ECHO.toString() as `0x${string}`, storageKeys: [word(7)] },
]

/** A block of `txs` (each with its envelope's position) on `pre`, every one of them included. */
async function sealAll(name: string, fork: Fork, pre: BlockTrace['pre'], rng: Rng, txs: [TxSpec, number][]): Promise<BlockTrace> {
  const { trace, included } = await sealBlock(
    { id: `${name}/${fork}`, fork, pre, rng, coinbase: `0x${'c0'.repeat(20)}`, source: `test:${name}`, generatedBy: 'tx-walks.test.ts' },
    async (add) => {
      let n = 0
      for (const [spec, index] of txs) if (await add(spec, index)) n++
      return n
    },
  )
  expect(included).toBe(txs.length)
  return trace
}

/**
 * A set-code transaction of five authorisations (two valid ones of one authority, one of chain id 0,
 * one of another chain, one of a wrong nonce) and that access list, calling ECHO with 3,000 bytes;
 * a create; a legacy call of ECHO.
 */
async function walksBlock(fork: Fork): Promise<BlockTrace> {
  const rng = new Rng(`tx-walks/${fork}`)
  const sender = wallet(1)
  const [a, b, c, d] = [wallet(11), wallet(12), wallet(13), wallet(14)]
  const account = (code: string, nonce = '0x1', balance = '0x0') => ({ nonce, balance, code, storage: {} })
  const pre = {
    ...systemContractsPre(fork),
    [sender.address.toString()]: account('0x', '0x0', '0x56bc75e2d63100000'),
    [a.address.toString()]: account('0x', '0x3', '0x1'),
    [ECHO.toString()]: account(ECHO_CODE),
    [DELEGATE.toString()]: account('0x00'),
  } as BlockTrace['pre']
  const data = (n: number) =>
    `0x${Buffer.from(Uint8Array.from({ length: n }, (_, i) => (i % 7 < 3 ? 0 : 1 + ((i * 37 + rng.below(9)) % 255)))).toString('hex')}` as const
  const txs: [TxSpec, number][] = [
    [
      {
        from: sender,
        to: ECHO,
        data: data(3000),
        gasLimit: 1_000_000n,
        envelope: 'set-code',
        expect: 'success',
        authorizations: [
          { authority: a, delegateTo: DELEGATE },
          { authority: b, delegateTo: DELEGATE, chainId: 0n },
          { authority: c, delegateTo: DELEGATE, chainId: 2n ** 255n },
          { authority: a, delegateTo: ECHO as Address },
          { authority: d, delegateTo: DELEGATE, nonce: 5n },
        ],
        accessList: ACCESS_LIST,
      },
      0,
    ],
    [{ from: sender, data: INITCODE as `0x${string}`, gasLimit: 200_000n, envelope: 'call', expect: 'success' }, 2],
    [{ from: sender, to: ECHO, data: data(3000), gasLimit: 500_000n, envelope: 'call', expect: 'success' }, 0],
  ]
  return sealAll('tx-walks', fork, pre, rng, txs)
}

/** A block of three long calls of ECHO, two thirds of their data zero: a legacy one (EIP-155) of 300,000 bytes, an EIP-2930 one of 40,000, an EIP-1559 one of 100,000. */
async function longBlock(fork: Fork): Promise<BlockTrace> {
  const rng = new Rng(`tx-payload/${fork}`)
  const sender = wallet(1)
  const pre = {
    ...systemContractsPre(fork),
    [sender.address.toString()]: { nonce: '0x0', balance: '0x56bc75e2d63100000', code: '0x', storage: {} },
    [ECHO.toString()]: { nonce: '0x1', balance: '0x0', code: ECHO_CODE, storage: {} },
  } as BlockTrace['pre']
  const data = (n: number) =>
    `0x${Buffer.from(Uint8Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 + rng.below(255) : 0))).toString('hex')}` as const
  const txs: [TxSpec, number][] = [
    [{ from: sender, to: ECHO, data: data(300_000), gasLimit: 14_000_000n, envelope: 'call', expect: 'success' }, 0],
    [{ from: sender, to: ECHO, data: data(40_000), gasLimit: 2_000_000n, envelope: 'call', expect: 'success' }, 1],
    [{ from: sender, to: ECHO, data: data(100_000), gasLimit: 5_000_000n, envelope: 'call', expect: 'success' }, 2],
  ]
  return sealAll('tx-payload', fork, pre, rng, txs)
}

describe('tx-start reads a transaction in windows, tx-payload hashes its signed message a part a step (SPEC.md §4, version 10)', () => {
  for (const fork of ['Shanghai', 'Osaka'] as const)
    it(`${fork}: transactions of 40 to 300 KB: tx-start under 8 KB, the sender recovered from ${KECCAK_CHUNK}-byte parts, every step re-derived`, async () => {
      const trace = await longBlock(fork)
      const run = await traceBlock(trace, { witness: () => true })
      expect(hex(run.stateRoot)).toBe(trace.expected.stateRoot.slice(2))
      expect(run.gasUsed).toBe(BigInt(trace.expected.gasUsed))
      for (const w of run.witnesses) {
        expect(hex(await checkStep(w)), `step ${w.step} (${w.kind})`).toBe(hex(w.post))
        expect(witnessBytes(w)).toBeLessThanOrEqual(WITNESS_BOUND)
      }
      const common = commonFor(fork, BigInt(trace.chainId))
      const txs = trace.block.transactions.map((t) => createTxFromRLP(Buffer.from(t.slice(2), 'hex'), { common }))
      // As many tx-payload steps as the message ethereumjs signs takes parts of KECCAK_CHUNK bytes.
      const payloads = run.witnesses.filter((w) => w.kind === 'tx-payload')
      const byTx = txs.map((_, i) => payloads.filter((w) => readState(w.stateData).txIndex === i))
      for (const [i, tx] of txs.entries()) {
        const m = tx.getMessageToSign()
        const size = m instanceof Uint8Array ? m.length : RLP.encode(m).length
        expect(byTx[i]?.length, `transaction ${i}`).toBe(Math.ceil(size / KECCAK_CHUNK))
      }
      // tx-start carries its windows of the posted leaf, not the transaction.
      for (const w of run.witnesses.filter((x) => x.kind === 'tx-start')) expect(witnessBytes(w)).toBeLessThan(8_000)
      expect((run.witnesses.find((x) => x.kind === 'tx-start')?.bytes ?? []).length).toBe(1)
      // A changed sponge state, or a moved count of absorbed bytes, gives no honest post-state.
      const middle = byTx[0]?.[3] as (typeof payloads)[number]
      const sponge = (middle.proof[1] as Uint8Array).slice()
      sponge[0] = (sponge[0] as number) ^ 1
      await expect(checkStep({ ...middle, proof: [middle.proof[0] as Uint8Array, sponge, ...middle.proof.slice(2)] })).rejects.toThrow(
        /sponge state/,
      )
      const env = readTxEnv(middle.proof[0] as Uint8Array)
      const shifted = writeTxEnv({ ...env, payload: { ...env.payload, absorbed: env.payload.absorbed + 136 } })
      const state = writeState({ ...readState(middle.stateData), txEnvHash: keccak(shifted) })
      const post = await checkStep({ ...middle, pre: keccak(state), stateData: state, proof: [shifted, ...middle.proof.slice(1)] }).catch(
        () => undefined,
      )
      if (post !== undefined) expect(hex(post)).not.toBe(hex(middle.post))
    }, 300_000)
})

describe('the set-up walks read their part of the transaction (SPEC.md §3, version 9)', () => {
  for (const fork of ['Prague', 'Osaka'] as const)
    it(`${fork}: authorisations and an access list walked by txEnv's cursor, calldata a view of the transaction, every step re-derived`, async () => {
      const trace = await walksBlock(fork)
      const run = await traceBlock(trace, { witness: () => true })
      // Written elsewhere: ethereumjs's post-state (the authorisations applied or skipped, the keys
      // warm or cold in the gas) and its receipts.
      expect(hex(run.stateRoot)).toBe(trace.expected.stateRoot.slice(2))
      for (const w of run.witnesses) {
        expect(hex(await checkStep(w)), `step ${w.step} (${w.kind})`).toBe(hex(w.post))
        expect(witnessBytes(w)).toBeLessThanOrEqual(WITNESS_BOUND)
      }
      const raws = trace.block.transactions.map((t) => Buffer.from(t.slice(2), 'hex'))
      const kinds = (k: string) => run.witnesses.filter((w) => w.kind === k)
      expect(kinds('tx-authorization')).toHaveLength(5)
      // 32 + 1 + 41 + 1 + 2 keys: three steps of at most 32.
      const parts = kinds('tx-access-list')
      expect(parts).toHaveLength(Math.ceil(77 / ACCESS_KEYS_STEP))
      const cursors = parts.map((w) => readTxEnv(w.proof[0] as Uint8Array).cursor)
      expect(cursors.map((c) => c.walked)).toEqual([0, cursors[1]?.walked, cursors[2]?.walked])
      // The second step starts at an entry's start; the third inside the 40-slot entry, whose address the cursor holds.
      expect(cursors[1]?.slotsEnd).toBe(0)
      expect(cursors[2]?.slotsEnd).toBeGreaterThan(cursors[2]?.walked as number)
      expect(hex(cursors[2]?.address as Uint8Array)).toBe(hex(ECHO.bytes))
      // No walking step nor tx-enter carries the transaction: each reads a window, or (a create) the initcode.
      for (const w of [...kinds('tx-authorization'), ...parts, ...kinds('tx-enter')]) {
        const largest = Math.max(...w.proof.map((item) => item.length))
        expect(largest, `step ${w.step} (${w.kind})`).toBeLessThan(2_500)
      }
      // Each transaction's frame reads its calldata where the transaction's bytes hold it, as ethereumjs decodes them.
      const txEnvs = kinds('tx-enter').map((w) => readTxEnv(w.proof[0] as Uint8Array))
      // The transaction's tree is its transactions-trie leaf node's (ethereumjs's trie), which the transaction ends.
      const txTrie = await createMPT({})
      for (const [i, raw] of raws.entries()) await txTrie.put(RLP.encode(i), raw)
      expect(hex(txTrie.root())).toBe(trace.block.header.transactionsTrie.slice(2))
      for (const [i, env] of txEnvs.entries()) {
        const raw = raws[i] as Uint8Array
        const leaf = (await createMerkleProof(txTrie, RLP.encode(i))).at(-1) as Uint8Array
        expect(env.txSize).toBe(leaf.length)
        expect(hex(leaf.subarray(leaf.length - raw.length))).toBe(hex(raw))
        const decoded = createTxFromRLP(raw, { common: commonFor(fork, BigInt(trace.chainId)) }).data
        expect(hex(leaf.subarray(env.data.offset, env.data.offset + env.data.size))).toBe(hex(decoded))
      }
      const firstOps = run.witnesses.filter((w) => w.kind === 'opcode' && w.opcode === 0x35)
      for (const w of firstOps) {
        const frame = readFrame(w.proof[0] as Uint8Array)
        const env = txEnvs[readState(w.stateData).txIndex] as (typeof txEnvs)[number]
        expect(hex(frame.calldata.root)).toBe(hex(env.txRoot))
        expect(frame.calldata).toMatchObject({ offset: env.data.offset, size: env.data.size })
      }
      expect(firstOps.length).toBeGreaterThanOrEqual(6)
    }, 120_000)

  it('refuses a walking step whose window is changed, and gives no honest post-state for a moved cursor', async () => {
    const run = await traceBlock(await walksBlock('Prague'), { witness: () => true })
    const walks = run.witnesses.filter((w) => w.kind === 'tx-authorization' || w.kind === 'tx-access-list')
    let moved = 0
    for (const w of walks) {
      // One byte of the window's chunks: the range is not in the transaction's tree.
      const leaves = (w.proof[1] as Uint8Array).slice()
      leaves[7] = (leaves[7] as number) ^ 1
      await expect(checkStep({ ...w, proof: [w.proof[0] as Uint8Array, leaves, ...w.proof.slice(2)] })).rejects.toThrow()
      // The cursor a byte on, txEnv and the state hashed again: refused, or another post-state.
      const env = readTxEnv(w.proof[0] as Uint8Array)
      const shifted = writeTxEnv({ ...env, cursor: { ...env.cursor, walked: env.cursor.walked + 1 } })
      const state = writeState({ ...readState(w.stateData), txEnvHash: keccak(shifted) })
      const post = await checkStep({ ...w, pre: keccak(state), stateData: state, proof: [shifted, ...w.proof.slice(1)] }).catch(
        () => undefined,
      )
      if (post !== undefined) expect(hex(post)).not.toBe(hex(w.post))
      moved++
    }
    expect(moved).toBe(8)
  }, 120_000)
})
