import { createAddressFromString } from '@ethereumjs/util'
import { sha256 } from '@noble/hashes/sha2.js'
import { abiBytes, type BlockTrace, type Fork, Rng, sealBlock, systemContractsPre, wallet } from '@stepproof/block-traces'
import { describe, expect, it } from 'vitest'
import { checkStep } from '../src/check/index.ts'
import { join, readFrame } from '../src/check/layout.ts'
import {
  absorbRequest,
  depositData,
  emptyRequestsWord,
  isDepositEvent,
  openStreams,
  requestsHash,
  STREAMS_BYTES,
  writeStreams,
} from '../src/check/requests.ts'
import { ItemReader } from '../src/check/witness-reader.ts'
import { NativeProver } from '../src/prover.ts'
import { RequestStreams } from '../src/trace/requests.ts'
import { traceBlock } from '../src/trace/tracer.ts'
import { WITNESS_BOUND, witnessBytes } from '../src/verify-trace.ts'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const bytes = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'))
const DEPOSIT_CONTRACT = bytes('00000000219ab540356cbb839cbe05303d7705fa')
// keccak256("DepositEvent(bytes,bytes,bytes,bytes,bytes)")
const DEPOSIT_TOPIC = bytes('649bbc62d0e31342afea4e5cd82d4049e7e1ee912fc0889aa790803be39038c5')

/** The checker's reading of a log: a DepositEvent's request data (or 'invalid'), undefined for another log. */
const depositRequest = ([address, topics, data]: [Uint8Array, Uint8Array[], Uint8Array]) =>
  isDepositEvent(address, topics) ? depositData(data) : undefined

describe('EIP-6110 deposit requests', () => {
  const fields = [48, 32, 8, 96, 8].map((n, i) => new Uint8Array(n).map((_, j) => (i * 31 + j) & 0xff))
  const data = abiBytes(fields)

  it('reads pubkey ‖ credentials ‖ amount ‖ signature ‖ index from a DepositEvent', () => {
    expect(data.length).toBe(576)
    const request = depositRequest([DEPOSIT_CONTRACT, [DEPOSIT_TOPIC], data])
    expect(request).toBeInstanceOf(Uint8Array)
    expect(hex(request as Uint8Array)).toBe(hex(join(fields)))
  })

  it('ignores other logs and marks a deposit log of another layout invalid', () => {
    expect(depositRequest([new Uint8Array(20), [DEPOSIT_TOPIC], data])).toBeUndefined()
    expect(depositRequest([DEPOSIT_CONTRACT, [new Uint8Array(32)], data])).toBeUndefined()
    expect(depositRequest([DEPOSIT_CONTRACT, [DEPOSIT_TOPIC], data.subarray(0, 575)])).toBe('invalid')
    const shifted = data.slice()
    shifted[31] = 0xc0 // the pubkey's offset
    expect(depositRequest([DEPOSIT_CONTRACT, [DEPOSIT_TOPIC], shifted])).toBe('invalid')
    // A longer pubkey in a data of the right size is refused too.
    expect(
      depositRequest([
        DEPOSIT_CONTRACT,
        [DEPOSIT_TOPIC],
        abiBytes([new Uint8Array(64), ...fields.slice(1, 4), new Uint8Array(0)]).subarray(0, 576),
      ]),
    ).toBe('invalid')
  })
})

/** The streams of random request items, absorbed one at a time on both sides, against SHA-256 of the types' whole streams. */
describe('request streams (SPEC.md §2.2)', () => {
  it('hash as EIP-7685 says, item by item, on the checker’s and the generator’s sides', () => {
    const rng = new Rng('request-streams')
    let streams = openStreams(new ItemReader([new RequestStreams().bytes()]), emptyRequestsWord())
    const generator = new RequestStreams()
    const items: [number, Uint8Array][] = []
    // Sizes about every 64-byte edge, empty items, and the types in any order.
    for (let i = 0; i < 120; i++) {
      const type = rng.below(3)
      const size = [0, 1, 63, 64, 65, 127, 128, 192, 76, 116][rng.below(10)] as number
      const data = Uint8Array.from({ length: size }, () => rng.below(256))
      items.push([type, data])
      streams = absorbRequest(streams, type, data)
      generator.absorb(type, data)
      expect(hex(writeStreams(streams)), `after item ${i}`).toBe(hex(generator.bytes()))
      const byType = [0, 1, 2]
        .map((t) => items.filter(([x]) => x === t).map(([, d]) => d))
        .map((ds, t) => join([Uint8Array.of(t), ...ds]))
        .filter((s) => s.length > 1)
      expect(hex(requestsHash(streams)), `after item ${i}`).toBe(hex(sha256(join(byType.map((s) => sha256(s))))))
    }
  })

  it('no requests: the hash of nothing (EIP-7685)', () => {
    expect(hex(requestsHash(openStreams(new ItemReader([new RequestStreams().bytes()]), emptyRequestsWord())))).toBe(
      hex(sha256(new Uint8Array())),
    )
  })
})

const DEPOSITS_PER_TX = 8
const DEPOSIT_TXS = 100
/** Emits its calldata (a DepositEvent's ABI data) as DEPOSITS_PER_TX DepositEvents: the deposit contract's log, without its checks. */
const EMITTER_CODE = `0x${'610240' + '5f' + '5f' + '37'}${`7f${hex(DEPOSIT_TOPIC)}6102405fa1`.repeat(DEPOSITS_PER_TX)}00`

const WITHDRAWAL_REQUESTS = '0x00000961ef480eb55e80d19ad83579a64c007002'
const CONSOLIDATION_REQUESTS = '0x0000bbddc7ce488642fb579f8b00f3a590007251'

/** A block of DEPOSIT_TXS transactions, each making DEPOSITS_PER_TX deposits (their fields by transaction), then a request of each other type, and the request data it must give. */
async function depositsBlock(
  fork: Fork,
): Promise<{ trace: BlockTrace; deposits: Uint8Array[]; withdrawals: Uint8Array[]; consolidations: Uint8Array[] }> {
  const rng = new Rng(`deposits/${fork}`)
  const sender = wallet(1)
  const pre = {
    ...systemContractsPre(fork),
    [sender.address.toString()]: { nonce: '0x0', balance: '0x56bc75e2d63100000', code: '0x', storage: {} },
    [`0x${hex(DEPOSIT_CONTRACT)}`]: { nonce: '0x1', balance: '0x0', code: EMITTER_CODE, storage: {} },
  } as BlockTrace['pre']
  const deposits: Uint8Array[] = []
  const withdrawals: Uint8Array[] = []
  const consolidations: Uint8Array[] = []
  const { trace, included } = await sealBlock(
    { id: `deposits/${fork}`, fork, pre, rng, coinbase: `0x${'c0'.repeat(20)}`, source: 'test:deposits', generatedBy: 'requests.test.ts' },
    async (add) => {
      let n = 0
      for (let i = 0; i < DEPOSIT_TXS; i++) {
        const fields = [48, 32, 8, 96, 8].map((size, f) => Uint8Array.from({ length: size }, (_, j) => (i * 7 + f * 31 + j) & 0xff))
        const data = `0x${hex(abiBytes(fields))}` as `0x${string}`
        const to = createAddressFromString(`0x${hex(DEPOSIT_CONTRACT)}`)
        if (await add({ from: sender, to, data, gasLimit: 200_000n, envelope: 'call', expect: 'success' }, i)) {
          n++
          for (let k = 0; k < DEPOSITS_PER_TX; k++) deposits.push(join(fields))
        }
      }
      // Two EIP-7002 withdrawal requests and an EIP-7251 consolidation (a fee of 1 wei while the queues are empty).
      for (const [i, [contract, size]] of (
        [
          [WITHDRAWAL_REQUESTS, 56],
          [WITHDRAWAL_REQUESTS, 56],
          [CONSOLIDATION_REQUESTS, 96],
        ] as const
      ).entries()) {
        // A withdrawal request's amount (its last 8 bytes) comes back from the contract in another byte
        // order than the calldata's: one repeated byte reads the same either way.
        const data = Uint8Array.from({ length: size }, (_, j) => (size === 56 && j >= 48 ? 0x11 * (i + 1) : (i * 53 + j * 3) & 0xff))
        const to = createAddressFromString(contract)
        if (
          await add(
            { from: sender, to, data: `0x${hex(data)}`, value: 1n, gasLimit: 200_000n, envelope: 'call', expect: 'success' },
            DEPOSIT_TXS + i,
          )
        ) {
          n++
          // The request data the system call returns: the source address, then the calldata.
          ;(size === 56 ? withdrawals : consolidations).push(join([sender.address.bytes, data]))
        }
      }
      return n
    },
  )
  expect(included).toBe(DEPOSIT_TXS + 3)
  return { trace, deposits, withdrawals, consolidations }
}

describe('a block of many deposits (SPEC.md §2.2, §6.1)', () => {
  for (const fork of ['Prague', 'Osaka'] as const)
    it(`${fork}: ${DEPOSIT_TXS * DEPOSITS_PER_TX} deposits absorbed at their LOGs; block-finalize reads three streams, not the deposits`, async () => {
      const { trace, deposits, withdrawals, consolidations } = await depositsBlock(fork)
      // EIP-7685 from the test's own requests: each type's digest of `type ‖ data…`, in type order.
      const expected = sha256(
        join([
          sha256(join([Uint8Array.of(0), ...deposits])),
          sha256(join([Uint8Array.of(1), ...withdrawals])),
          sha256(join([Uint8Array.of(2), ...consolidations])),
        ]),
      )
      expect([withdrawals.length, consolidations.length]).toEqual([2, 1])
      expect(trace.expected.requestsHash).toBe(`0x${hex(expected)}`)
      const run = await traceBlock(trace, { witness: () => true })
      expect(hex(run.stateRoot)).toBe(trace.expected.stateRoot.slice(2))
      const receipts = run.witnesses.filter((w) => w.kind === 'tx-receipt')
      const finalize = run.witnesses.find((w) => w.kind === 'block-finalize')
      expect(receipts).toHaveLength(DEPOSIT_TXS + 3)
      for (const w of run.witnesses) expect(hex(await checkStep(w)), `step ${w.step} (${w.kind})`).toBe(hex(w.post))
      if (finalize === undefined) throw new Error('no block-finalize step')
      const post = await checkStep(finalize)
      expect(hex(post)).toBe(hex(finalize.post))
      // Three 104-byte streams beside blockEnv and blockAcc; version 6 carried every deposit (193 bytes each).
      expect(finalize.proof.at(-1)?.length).toBe(STREAMS_BYTES)
      expect(witnessBytes(finalize)).toBeLessThan(2_000)
      expect(deposits.length * 193).toBeGreaterThan(WITNESS_BOUND)
      for (const w of receipts) expect(witnessBytes(w)).toBeLessThanOrEqual(WITNESS_BOUND)
      // A stream that is not the one blockAcc hashes is refused, at block-finalize and at a receipt.
      const forged = finalize.proof.map((p, i) => (i === finalize.proof.length - 1 ? p.map((b, j) => (j === 40 ? b ^ 1 : b)) : p))
      await expect(checkStep({ ...finalize, proof: forged })).rejects.toThrow(/request streams/)
      const receipt = receipts[DEPOSIT_TXS - 1] as (typeof receipts)[number]
      // Both system calls' exits read the streams their output goes into.
      const systemExits = run.witnesses.filter((w) => w.kind === 'frame-exit' && readFrame(w.proof[0] as Uint8Array).kind === 6)
      expect(systemExits.map((w) => w.proof.filter((p) => p.length === STREAMS_BYTES).length)).toEqual([1, 1])
      // Each DepositEvent's LOG absorbs it into the sub-state's streams (version 8; version 7 at the receipt).
      expect(receipt.proof.some((p) => p.length === STREAMS_BYTES)).toBe(false)
      const logs = run.witnesses.filter((w) => w.opcode === 0xa1)
      expect(logs).toHaveLength(deposits.length)
      expect(logs.every((w) => w.proof.some((p) => p.length === STREAMS_BYTES))).toBe(true)
      const deposit = logs.at(-1) as (typeof logs)[number]
      const at = deposit.proof.findIndex((p) => p.length === STREAMS_BYTES)
      const bad = deposit.proof.map((p, i) => (i === at ? p.map((b, j) => (j === 33 ? b ^ 1 : b)) : p))
      await expect(checkStep({ ...deposit, proof: bad })).rejects.toThrow(/request streams/)
      // From a checkpoint (the request items so far absorbed again): the last deposit, the last receipt,
      // a system call's exit and block-finalize, item for item as in the whole run.
      const prover = await NativeProver.build(trace)
      for (const w of [deposit, receipt, systemExits.at(-1), finalize]) {
        if (w === undefined) throw new Error('no system call exit')
        const again = await prover.proveStep(w.step)
        expect(again.proof.map(hex), `step ${w.step} (${w.kind})`).toEqual(w.proof.map(hex))
      }
    }, 300_000)
})
