/**
 * The block's requests (EIP-7685) as the checker keeps them (SPEC.md §2.2, version 7; the
 * generator's side is src/trace/requests.ts): one SHA-256 stream per request type — EIP-6110
 * deposits (0), EIP-7002 withdrawal requests (1), EIP-7251 consolidations (2) — each absorbed as its
 * items come (a deposit at its transaction's receipt, a system call's output at its exit), so that
 * block-finalize only pads and squeezes three streams, whatever the number of deposits. blockAcc's
 * word 4 is `H(stream 0 ‖ stream 1 ‖ stream 2)` until block-finalize makes it the requests hash.
 *
 * A stream is 104 bytes: the SHA-256 state (32, big-endian words) ‖ the bytes absorbed (u64) ‖ the
 * bytes not yet compressed (the last `length mod 64`, zero-padded to 64). A type's stream is
 * `type ‖ data₀ ‖ data₁ ‖ …`: the type byte goes in with its first non-empty data, so a type with no
 * data has an empty stream and is left out of the requests hash, as EIP-7685 says.
 */
import { equal, join, keccak, num, opened } from './layout.ts'
import { initialState, MD_BLOCK, mdAbsorb, mdFinish, SHA256, stateFromBytes, stateToBytes } from './precompiles/md-hashes.ts'
import type { ItemReader } from './witness-reader.ts'

export const REQUEST_TYPES = 3
export const STREAM_BYTES = 104
export const STREAMS_BYTES = REQUEST_TYPES * STREAM_BYTES

interface Stream {
  readonly state: Uint32Array
  readonly length: number
  /** The `length mod 64` bytes absorbed but not compressed. */
  readonly tail: Uint8Array
}
export type RequestStreams = readonly Stream[]

const emptyStream = (): Stream => ({ state: initialState(SHA256), length: 0, tail: new Uint8Array() })

export function writeStreams(streams: RequestStreams): Uint8Array {
  const out = new Uint8Array(STREAMS_BYTES)
  const view = new DataView(out.buffer)
  for (const [i, s] of streams.entries()) {
    out.set(stateToBytes(SHA256, s.state), i * STREAM_BYTES)
    view.setBigUint64(i * STREAM_BYTES + 32, BigInt(s.length))
    out.set(s.tail, i * STREAM_BYTES + 40)
  }
  return out
}

function parseStreams(b: Uint8Array): RequestStreams {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength)
  return Array.from({ length: REQUEST_TYPES }, (_, i) => {
    const at = i * STREAM_BYTES
    const length = Number(view.getBigUint64(at + 32))
    return { state: stateFromBytes(SHA256, b.subarray(at, at + 32)), length, tail: b.slice(at + 40, at + 40 + (length % MD_BLOCK)) }
  })
}

/** blockAcc's requests word before any request (block-start's, on every fork). */
export const emptyRequestsWord = (): Uint8Array => keccak(writeStreams([emptyStream(), emptyStream(), emptyStream()]))

/** The streams blockAcc's requests word is the hash of, from the witness. */
export const openStreams = (r: ItemReader, word: Uint8Array): RequestStreams =>
  parseStreams(opened(r, 'request streams', STREAMS_BYTES, word))

/** The streams after request data `data` of `type`: nothing when it is empty, the type byte first when it is the type's first. */
export function absorbRequest(streams: RequestStreams, type: number, data: Uint8Array): RequestStreams {
  const s = streams[type]
  if (s === undefined) throw new Error(`there is no request type ${type}`)
  if (data.length === 0) return streams
  const pending = join([s.tail, ...(s.length === 0 ? [Uint8Array.of(type)] : []), data])
  const whole = pending.length - (pending.length % MD_BLOCK)
  const next: Stream = {
    state: mdAbsorb(SHA256, s.state, pending.subarray(0, whole)),
    length: s.length + pending.length - s.tail.length,
    tail: pending.slice(whole),
  }
  return streams.map((x, i) => (i === type ? next : x))
}

/** EIP-7685's requests hash: SHA-256 over each non-empty stream's digest, in type order. */
export function requestsHash(streams: RequestStreams): Uint8Array {
  const digests = streams.filter((s) => s.length > 0).map((s) => mdFinish(SHA256, s.state, s.tail, s.length))
  return mdFinish(SHA256, initialState(SHA256), join(digests), 32 * digests.length)
}

/** EIP-6110: the deposit contract and its DepositEvent topic. */
const DEPOSIT_CONTRACT = Uint8Array.from(Buffer.from('00000000219ab540356cbb839cbe05303d7705fa', 'hex'))
const DEPOSIT_TOPIC = Uint8Array.from(Buffer.from('649bbc62d0e31342afea4e5cd82d4049e7e1ee912fc0889aa790803be39038c5', 'hex'))
/** The size of a DepositEvent's data. */
export const DEPOSIT_EVENT_BYTES = 576
/** The event's five `bytes` fields: where each length word sits, and the length it must have. */
const DEPOSIT_FIELDS: [number, number][] = [
  [160, 48], // pubkey
  [256, 32], // withdrawal credentials
  [320, 8], // amount
  [384, 96], // signature
  [512, 8], // index
]

/** Whether a log is the deposit contract's DepositEvent (EIP-6110), whatever its data. */
export const isDepositEvent = (address: Uint8Array, topics: readonly Uint8Array[]): boolean =>
  equal(address, DEPOSIT_CONTRACT) && topics[0] !== undefined && equal(topics[0], DEPOSIT_TOPIC)

/**
 * A DepositEvent's request data (EIP-6110): `pubkey ‖ withdrawalCredentials ‖ amount ‖ signature ‖
 * index`; `'invalid'` when its data is not the contract's ABI layout (576 bytes: five offsets, then
 * each field's length word and its bytes), which makes the block invalid.
 */
export function depositData(data: Uint8Array): Uint8Array | 'invalid' {
  if (data.length !== DEPOSIT_EVENT_BYTES) return 'invalid'
  const parts: Uint8Array[] = []
  for (const [i, [at, size]] of DEPOSIT_FIELDS.entries()) {
    if (num(data.subarray(32 * i, 32 * i + 32)) !== BigInt(at) || num(data.subarray(at, at + 32)) !== BigInt(size)) return 'invalid'
    parts.push(data.subarray(at + 32, at + 32 + size))
  }
  return join(parts)
}
