/**
 * A transaction's logs as the sub-state holds them (SPEC.md §2.1, version 8; the checker reads them
 * in src/check/opcode/logs.ts and src/check/tx-end.ts): the logs' RLPs end to end in a `T_24` tree,
 * its committed root and size, the bloom of their addresses and topics, and the block's request
 * streams with the transaction's deposits (EIP-6110) absorbed. A frame's revert sets all of it back:
 * the tree's overwritten bytes through a journal, the rest by reference (each is replaced, never
 * changed, once a mark may hold it).
 */
import { RLP } from '@ethereumjs/rlp'
import { bytesToBigInt, bytesToHex } from '@ethereumjs/util'
import { Bloom } from '@ethereumjs/vm'
import { ChunkedBytes } from '../commit/bytes-tree.ts'
import { concat, H } from '../commit/hash.ts'
import { PRAGUE } from './phases.ts'
import type { RequestStreams } from './requests.ts'

/** What a frame's revert sets the logs back to. */
export interface LogsMark {
  journal: number
  root: Uint8Array
  size: number
  bloom: Uint8Array
  streams: RequestStreams
  requestsWord: Uint8Array
  deposits: number
  depositError: boolean
}

const EMPTY_ROOT = ChunkedBytes.root(new Uint8Array())

export class TxLogs {
  readonly tree = new ChunkedBytes()
  /** The sub-state's logsRoot: the tree's root when its last log was whole. */
  root: Uint8Array = EMPTY_ROOT
  size = 0
  bloom: Uint8Array = new Uint8Array(256)
  bloomHash: Uint8Array = H(this.bloom)
  streams: RequestStreams
  requestsWord: Uint8Array
  /** The deposits' request data, in log order (for the block's request items). */
  readonly deposits: Uint8Array[] = []
  depositError = false
  private readonly journal: { at: number; old: Uint8Array }[] = []

  /** The logs of a transaction that starts with the block's request streams as `streams` leaves them. */
  constructor(streams: RequestStreams) {
    this.streams = streams.clone()
    this.requestsWord = H(this.streams.bytes())
  }

  /** Writes bytes `from …` of the log being written (SPEC.md §6.1: a long one a part a step), past the logs so far. */
  writePart(from: number, bytes: Uint8Array): void {
    const at = this.size + from
    const old = new Uint8Array(bytes.length)
    old.set(this.tree.bytes.subarray(at, at + bytes.length))
    this.journal.push({ at, old })
    this.tree.write(at, bytes)
  }

  /** The log whole (its RLP `log` written): the root and size the sub-state commits to, its bloom bits, its deposit. */
  finish(log: Uint8Array, address: Uint8Array, topics: readonly Uint8Array[], data: Uint8Array, forkId: number): void {
    this.root = this.tree.root()
    this.size += log.length
    const bloom = new Bloom(this.bloom.slice())
    for (const item of [address, ...topics]) bloom.add(item)
    this.bloom = bloom.bitvector
    this.bloomHash = H(bloom.bitvector)
    const deposit = forkId >= PRAGUE ? depositRequestOf(address, topics, data) : undefined
    if (deposit === 'invalid') this.depositError = true
    else if (deposit !== undefined) {
      this.streams = this.streams.clone()
      this.streams.absorb(0, deposit)
      this.requestsWord = H(this.streams.bytes())
      this.deposits.push(deposit)
    }
  }

  mark(): LogsMark {
    const { root, size, bloom, streams, requestsWord, depositError } = this
    return { journal: this.journal.length, root, size, bloom, streams, requestsWord, deposits: this.deposits.length, depositError }
  }

  revert(m: LogsMark): void {
    while (this.journal.length > m.journal) {
      const { at, old } = this.journal.pop() as { at: number; old: Uint8Array }
      this.tree.write(at, old)
    }
    this.root = m.root
    this.size = m.size
    this.bloom = m.bloom
    this.bloomHash = H(m.bloom)
    this.streams = m.streams
    this.requestsWord = m.requestsWord
    this.deposits.length = m.deposits
    this.depositError = m.depositError
  }
}

const DEPOSIT_CONTRACT = '0x00000000219ab540356cbb839cbe05303d7705fa'
const DEPOSIT_TOPIC = '0x649bbc62d0e31342afea4e5cd82d4049e7e1ee912fc0889aa790803be39038c5'

/**
 * EIP-6110: a DepositEvent log's request data (pubkey ‖ credentials ‖ amount ‖ signature ‖ index),
 * undefined for another log, `'invalid'` when the event's data is not the contract's ABI layout
 * (576 bytes: five offsets, then each field's length word and its bytes).
 */
export function depositRequestOf(address: Uint8Array, topics: readonly Uint8Array[], data: Uint8Array): Uint8Array | 'invalid' | undefined {
  if (bytesToHex(address) !== DEPOSIT_CONTRACT || topics[0] === undefined || bytesToHex(topics[0]) !== DEPOSIT_TOPIC) return undefined
  if (data.length !== 576) return 'invalid'
  const word = (at: number) => bytesToBigInt(data.subarray(at, at + 32))
  const fields: [number, number][] = [
    [160, 48],
    [256, 32],
    [320, 8],
    [384, 96],
    [512, 8],
  ]
  if (fields.some(([at, size], i) => word(32 * i) !== BigInt(at) || word(at) !== BigInt(size))) return 'invalid'
  return concat(fields.map(([at, size]) => data.subarray(at + 32, at + 32 + size)))
}

/** A log's RLP, `rlp([address, topics, data])`. */
export const encodeLog = (address: Uint8Array, topics: readonly Uint8Array[], data: Uint8Array): Uint8Array =>
  RLP.encode([address, [...topics], data])
