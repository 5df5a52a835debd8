/**
 * The block's requests as the generator keeps them (SPEC.md §2.2, version 7; the checker's side is
 * src/check/requests.ts): a SHA-256 stream per request type (0 deposits, 1 withdrawal requests,
 * 2 consolidations), `type ‖ data…`, fed to @noble/hashes's hasher in whole 64-byte blocks so that its
 * state is the stream's; the rest waits in the stream's tail. blockAcc's word 4 is H of the three
 * streams' 104-byte records.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { hasherState } from '../commit/md-hashes.ts'

const BLOCK = 64
const TYPES = 3

interface Stream {
  hasher: ReturnType<typeof sha256.create>
  length: number
  tail: Uint8Array
}

const emptyStream = (): Stream => ({ hasher: sha256.create(), length: 0, tail: new Uint8Array() })

export class RequestStreams {
  private readonly streams: Stream[] = Array.from({ length: TYPES }, emptyStream)

  /** An independent copy (a transaction's streams, which a revert can set back). */
  clone(): RequestStreams {
    const c = new RequestStreams()
    for (const [i, s] of this.streams.entries()) c.streams[i] = { hasher: s.hasher.clone(), length: s.length, tail: s.tail.slice() }
    return c
  }

  /** Request data of `type`: nothing when empty; the type byte first when it is the type's first. */
  absorb(type: number, data: Uint8Array): void {
    const s = this.streams[type]
    if (s === undefined) throw new Error(`there is no request type ${type}`)
    if (data.length === 0) return
    const head = s.length === 0 ? 1 : 0
    const pending = new Uint8Array(s.tail.length + head + data.length)
    pending.set(s.tail)
    if (head === 1) pending[s.tail.length] = type
    pending.set(data, s.tail.length + head)
    const whole = pending.length - (pending.length % BLOCK)
    s.hasher.update(pending.subarray(0, whole))
    s.length += head + data.length
    s.tail = pending.slice(whole)
  }

  /** The three records: state ‖ length (u64) ‖ tail zero-padded to 64 bytes. */
  bytes(): Uint8Array {
    const out = new Uint8Array(TYPES * 104)
    const view = new DataView(out.buffer)
    for (const [i, s] of this.streams.entries()) {
      out.set(hasherState(s.hasher, 'sha256'), 104 * i)
      view.setBigUint64(104 * i + 32, BigInt(s.length))
      out.set(s.tail, 104 * i + 40)
    }
    return out
  }
}
