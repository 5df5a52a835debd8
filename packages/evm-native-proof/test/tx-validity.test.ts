import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { createMerkleProof, createMPT } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import { createBlob4844Tx, createLegacyTx } from '@ethereumjs/tx'
import { commonFor, loadCorpus, REPO_ROOT } from '@stepproof/block-traces'
import { describe, expect, it } from 'vitest'
import { checkStepState, codeOracle, WitnessError } from '../src/check/index.ts'
import { BLOCK_ENV_BYTES, CURSOR_START, keccak, readBlockEnv, readState, readTxEnv, writeState, writeTxEnv } from '../src/check/layout.ts'
import { EMPTY_CODE_HASH, emptyAccount } from '../src/check/mpt.ts'
import { bytesRoot } from '../src/check/trees.ts'
import { decodeTx, floorGas, intrinsicGas, MalformedTransaction, recoverAddress, txEnvOf } from '../src/check/tx.ts'
import { readTxLayout } from '../src/check/tx-layout.ts'
import { senderInvalidity, startInvalidity } from '../src/check/tx-start.ts'
import { ownView } from '../src/commit/bytes-tree.ts'
import { traceBlock } from '../src/trace/tracer.ts'
import { viewItems } from '../src/trace/witness-parts.ts'

/** The execution-spec-tests blocks that must be rejected (shared/fixtures/eest-invalid, written elsewhere). */
const INVALID = join(process.env.STEPPROOF_FIXTURES ?? join(REPO_ROOT, '../shared/fixtures'), 'eest-invalid')
const FORK_IDS: Record<string, number> = { Shanghai: 0, Cancun: 1, Prague: 2, Osaka: 3 }
const n = (b: Uint8Array) => (b.length === 0 ? 0n : BigInt(`0x${Buffer.from(b).toString('hex')}`))
const bytes = (h: string) => Uint8Array.from(Buffer.from(h.replace(/^0x/, ''), 'hex'))

type Env = ReturnType<typeof readBlockEnv>

/**
 * The checker's rules on one transaction's bytes, in the order of its steps: tx-start's, then
 * tx-payload's last step's (the sender's), then tx-enter's (the intrinsic gas and the floor, which the
 * set-up steps sum a part at a time; here tx.ts's formulas over the whole transaction).
 */
function txInvalidity(
  raw: Uint8Array,
  block: Env,
  gas: bigint,
  account: { nonce: bigint; balance: bigint; codeHash: Uint8Array },
  code: ReturnType<typeof codeOracle>,
  fork: number,
): string | undefined {
  const layout = readTxLayout((o, l) => raw.subarray(o, o + l), raw.length)
  const start = startInvalidity(layout, block, gas, fork)
  if (start !== undefined) return start
  const env = txEnvOf(layout, { root: new Uint8Array(32), size: raw.length, valueOffset: 0 }, block.baseFee)
  const sender = senderInvalidity(env, account, code)
  if (sender !== undefined) return sender
  const tx = decodeTx(raw)
  return tx.gasLimit < intrinsicGas(tx) || tx.gasLimit < floorGas(tx, fork) ? 'gas limit below the intrinsic gas' : undefined
}
const env = (over: Partial<Env>): Env => ({ ...readBlockEnv(new Uint8Array(BLOCK_ENV_BYTES)), chainId: 1n, gasLimit: 60_000_000n, ...over })

/**
 * Every one-block test of a fixture file whose block has one transaction: that transaction, its
 * block's environment, its sender's account in the pre-state and the exception Ethereum expects.
 */
function singleTxTests(file: string) {
  const tests = JSON.parse(gunzipSync(readFileSync(join(INVALID, file))).toString()) as Record<
    string,
    {
      network: string
      config?: { chainid?: string }
      pre: Record<string, { nonce: string; balance: string; code: string }>
      blocks: { rlp: string; expectException?: string }[]
    }
  >
  return Object.entries(tests).flatMap(([name, t]) => {
    const [header, txs] = RLP.decode(bytes(t.blocks[t.blocks.length - 1]?.rlp as string)) as [Uint8Array[], (Uint8Array | Uint8Array[])[]]
    if (t.blocks.length !== 1 || txs.length !== 1) return []
    const raw = (txs[0] as Uint8Array | Uint8Array[]) instanceof Uint8Array ? (txs[0] as Uint8Array) : RLP.encode(txs[0] as Uint8Array[])
    const tx = decodeTx(raw)
    const sender = recoverAddress(tx.signingHash, tx.recovery, tx.r, tx.s) as Uint8Array
    const pre = t.pre[`0x${Buffer.from(sender).toString('hex')}`]
    const account =
      pre === undefined
        ? emptyAccount()
        : { ...emptyAccount(), nonce: BigInt(pre.nonce), balance: BigInt(pre.balance), codeHash: EMPTY_CODE_HASH }
    const blockEnv = env({
      chainId: BigInt(t.config?.chainid ?? 1),
      gasLimit: n(header[9] as Uint8Array),
      baseFee: n(header[15] as Uint8Array),
      blobBaseFee: 1n,
    })
    return [{ name, fork: FORK_IDS[t.network] as number, tx, raw, account, blockEnv, exception: t.blocks[0]?.expectException }]
  })
}

describe.skipIf(!existsSync(INVALID))("tx-start's validity rules against execution-spec-tests' rejected transactions", () => {
  it('rejects a transaction above 2^24 gas from Osaka on (EIP-7825), and only from Osaka', () => {
    const cases = singleTxTests(
      'eest-v5.4.0__blockchain_tests__osaka__eip7825_transaction_gas_limit_cap__test_transaction_gas_limit_cap.json.gz',
    )
    const capped = cases.filter((c) => c.exception === 'TransactionException.GAS_LIMIT_EXCEEDS_MAXIMUM')
    expect(capped.length).toBeGreaterThan(0)
    for (const c of capped) {
      expect(c.tx.gasLimit).toBeGreaterThan(2n ** 24n)
      expect(txInvalidity(c.raw, c.blockEnv, 0n, c.account, codeOracle([]), c.fork), c.name).toBe('gas limit above 2^24 (EIP-7825)')
      // The same transaction on Prague breaks no rule: the cap is Osaka's.
      expect(txInvalidity(c.raw, c.blockEnv, 0n, c.account, codeOracle([]), 2), c.name).toBeUndefined()
    }
  })

  it('rejects the senders without the funds, nonce or gas Ethereum asks for', () => {
    const files = [
      'eest-v5.4.0__blockchain_tests__frontier__validation__test_sender_balance.json.gz',
      'eest-v5.4.0__blockchain_tests__static__state_tests__stTransactionTest__NoSrcAccount.json.gz',
      'eest-v5.4.0__blockchain_tests__static__state_tests__stEIP1559__lowFeeCap.json.gz',
      'eest-v5.4.0__blockchain_tests__frontier__validation__test_tx_nonce.json.gz',
    ]
    const rejected = files.flatMap(singleTxTests).filter((c) => c.exception !== undefined)
    expect(rejected.length).toBeGreaterThan(5)
    for (const c of rejected) expect(txInvalidity(c.raw, c.blockEnv, 0n, c.account, codeOracle([]), c.fork), c.name).toBeDefined()
  })
})

describe("tx-start's validity rules on transactions signed here", () => {
  const key = bytes('4646464646464646464646464646464646464646464646464646464646464646')
  const common = commonFor('Prague', 1n)
  const signed = (raw: Uint8Array) => {
    const tx = decodeTx(raw)
    return { tx, raw, sender: recoverAddress(tx.signingHash, tx.recovery, tx.r, tx.s) }
  }

  it('accepts a sender with no account when the transaction costs nothing (execution-specs: an empty account)', () => {
    const raw = createLegacyTx({ nonce: 0n, gasPrice: 0n, gasLimit: 21_000n, to: new Uint8Array(20).fill(1), value: 0n }, { common })
      .sign(key)
      .serialize()
    expect(txInvalidity(raw, env({ baseFee: 0n }), 0n, emptyAccount(), codeOracle([]), 2)).toBeUndefined()
    // With a price to pay, the empty account cannot.
    expect(txInvalidity(raw, env({ baseFee: 1n }), 0n, emptyAccount(), codeOracle([]), 2)).toBeDefined()
  })

  it('allows nine blobs a transaction on Prague and six on Osaka (EIP-7594)', () => {
    const blobTx = (count: number) =>
      signed(
        createBlob4844Tx(
          {
            nonce: 0n,
            maxFeePerGas: 10n,
            maxPriorityFeePerGas: 1n,
            maxFeePerBlobGas: 10n,
            gasLimit: 21_000n,
            to: new Uint8Array(20).fill(1),
            blobVersionedHashes: Array.from({ length: count }, () => Uint8Array.of(1, ...new Uint8Array(31))),
          },
          { common },
        )
          .sign(key)
          .serialize(),
      ).raw
    const rich = { ...emptyAccount(), balance: 10n ** 18n }
    const at = env({ baseFee: 1n, blobBaseFee: 1n })
    expect(txInvalidity(blobTx(7), at, 0n, rich, codeOracle([]), 2)).toBeUndefined()
    expect(txInvalidity(blobTx(7), at, 0n, rich, codeOracle([]), 3)).toBe('blob count')
    expect(txInvalidity(blobTx(6), at, 0n, rich, codeOracle([]), 3)).toBeUndefined()
  })

  it('calls a transaction that does not decode malformed (the block is invalid), not a bad witness', () => {
    expect(() => decodeTx(Uint8Array.of(0x02, 0xc0))).toThrow(MalformedTransaction)
    expect(() => decodeTx(Uint8Array.of(0x05, 0xc0))).toThrow(MalformedTransaction)
    expect(() => decodeTx(Uint8Array.of(0xc1))).toThrow(MalformedTransaction)
    // A legacy transaction behind a 0x00 byte: no envelope has type 0 (go-ethereum and ethereumjs refuse it).
    const legacy = RLP.encode([...Array.from({ length: 6 }, () => new Uint8Array()), Uint8Array.of(27), Uint8Array.of(1), Uint8Array.of(1)])
    expect(decodeTx(legacy).type).toBe(0)
    expect(() => decodeTx(Uint8Array.of(0x00, ...legacy))).toThrow(MalformedTransaction)
  })

  it('ends a block whose transaction does not decode in INVALID at its tx-start, from blockEnv, blockAcc and the leaf’s proof alone', async () => {
    // ethereumjs cannot hold such a block: a real tx-start's state with a transactions root of one malformed leaf.
    const trace = loadCorpus('standard').find((e) => e.trace.block.transactions.length > 0)?.trace
    if (trace === undefined) throw new Error('no standard block with a transaction')
    const run = await traceBlock(trace, { witness: () => true })
    const w = run.witnesses.find((x) => x.kind === 'tx-start')
    if (w === undefined) throw new Error('no tx-start')
    const txs = await createMPT({})
    await txs.put(RLP.encode(0), Uint8Array.of(0x02, 0xc0))
    const blockEnv = (w.proof[0] as Uint8Array).slice()
    blockEnv.set(txs.root(), 11 * 32)
    const stateData = writeState({ ...readState(w.stateData), blockEnvHash: keccak(blockEnv) })
    const proof = [blockEnv, w.proof[1] as Uint8Array, RLP.encode(await createMerkleProof(txs, RLP.encode(0)))]
    const post = readState(await checkStepState({ pre: keccak(stateData), stateData, proof }))
    expect(post.phase).toBe(13)
    expect(writeState({ ...post, phase: 1 })).toEqual(stateData)
    await expect(checkStepState({ pre: keccak(stateData), stateData, proof: [...proof, RLP.encode([])] })).rejects.toThrow(WitnessError)
  })
})

describe('a list whose interior does not decode (version 10: only its walk reads it)', () => {
  /** A set-up step's state over a transaction tree of `bytes` whose access list or authorisations are all of it; the witness a walk reads. */
  async function walkOver(phase: 2 | 3, bytes: Uint8Array) {
    const trace = loadCorpus('standard').find((e) => e.trace.block.transactions.length > 0)?.trace
    if (trace === undefined) throw new Error('no standard block with a transaction')
    const run = await traceBlock(trace, { witness: (k) => k < 12 })
    const base = run.witnesses.find((x) => x.kind === 'tx-enter')
    if (base === undefined) throw new Error('no tx-enter')
    const list = { offset: 0, size: bytes.length }
    const env = writeTxEnv({
      ...readTxEnv(base.proof[0] as Uint8Array),
      txRoot: bytesRoot(bytes),
      txSize: bytes.length,
      accessList: phase === 3 ? list : { offset: 0, size: 0 },
      authorizations: phase === 2 ? list : { offset: 0, size: 0 },
      cursor: CURSOR_START,
    })
    const stateData = writeState({ ...readState(base.stateData), phase, subIndex: 0, txEnvHash: keccak(env) })
    return { pre: keccak(stateData), stateData, proof: [env, ...viewItems(ownView(bytes), 0n, BigInt(bytes.length))] }
  }

  it('ends the block in INVALID at the tx-access-list or tx-authorization that meets it, not at a bad witness', async () => {
    const address19 = new Uint8Array(19).fill(7)
    // An access-list entry of a 19-byte address; one of three items; a slot of 31 bytes.
    for (const entry of [
      [address19, []],
      [new Uint8Array(20), [], []],
      [new Uint8Array(20), [new Uint8Array(31)]],
    ]) {
      const post = readState(await checkStepState(await walkOver(3, RLP.encode(entry as never))))
      expect(post.phase).toBe(13)
    }
    // An authorisation of five fields, one whose address is 19 bytes, one whose chain id is a single byte below 0x80 with a header (not canonical RLP).
    const tuples = [
      RLP.encode([Uint8Array.of(1), new Uint8Array(20), Uint8Array.of(0), Uint8Array.of(1), Uint8Array.of(1)]),
      RLP.encode([Uint8Array.of(1), address19, Uint8Array.of(0), Uint8Array.of(1), Uint8Array.of(1), Uint8Array.of(1)]),
      Uint8Array.of(0xdb, 0x81, 0x05, 0x94, ...new Uint8Array(20), 0x80, 0x01, 0x01, 0x01),
    ]
    // A nonce wider than 64 bits, a y parity wider than 8 (go-ethereum's SetCodeAuthorization decodes
    // them into uint64 and uint8, execution-specs into U64 and U8, ethereumjs refuses them): the
    // transaction does not decode. Before session 15 the checker skipped such an authorisation and
    // took the block as valid.
    const wide = (nonce: Uint8Array, yParity: Uint8Array) =>
      RLP.encode([Uint8Array.of(1), new Uint8Array(20), nonce, yParity, Uint8Array.of(1), Uint8Array.of(1)])
    tuples.push(wide(Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0, 0), Uint8Array.of(1)), wide(Uint8Array.of(5), Uint8Array.of(1, 0)))
    for (const tuple of tuples) {
      const post = readState(await checkStepState(await walkOver(2, tuple)))
      expect(post.phase).toBe(13)
    }
    // At the bounds (nonce 2^64 − 1, y parity 255) the authorisation decodes, and is only skipped: the step goes on.
    const atBounds = readState(await checkStepState(await walkOver(2, wide(new Uint8Array(8).fill(0xff), Uint8Array.of(0xff)))))
    expect(atBounds.phase).toBe(4)
    // A well-formed entry over the same state is walked: the step goes on to the access map's items (which this witness lacks).
    await expect(checkStepState(await walkOver(3, RLP.encode([new Uint8Array(20), [new Uint8Array(32)]])))).rejects.toThrow(/access map/)
  }, 60_000)
})
