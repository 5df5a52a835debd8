import { createKeccak } from 'hash-wasm'

/**
 * keccak256 in WebAssembly (hash-wasm), created once: on the short inputs a commitment hashes (a
 * 352-byte stateData, a 384-byte frame, 64-byte tree nodes) it is several times faster than a
 * JavaScript keccak, and hashing is most of the tracer's own time. H is synchronous and never
 * re-entered, so one instance serves every call.
 */
const keccak = await createKeccak(256)

/** The concatenation of byte strings. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0
  for (const p of parts) length += p.length
  const out = new Uint8Array(length)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/** H of SPEC.md: keccak256 of the concatenation of its arguments. */
export function H(...parts: Uint8Array[]): Uint8Array {
  keccak.init()
  for (const p of parts) keccak.update(p)
  return keccak.digest('binary')
}

/** A big-endian unsigned integer in `bytes` bytes (32 by default); throws if it does not fit. */
export function uint(value: bigint | number, bytes = 32): Uint8Array {
  const out = new Uint8Array(bytes)
  writeUint(out, 0, value, bytes)
  return out
}

/** Writes `value` big-endian into `out[at, at + bytes)` (which must be zero); throws if it does not fit. */
export function writeUint(out: Uint8Array, at: number, value: bigint | number, bytes: number): void {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) {
    // Most values are small numbers (sizes, offsets, counters): no bigint arithmetic for them.
    let v = value
    for (let i = at + bytes - 1; i >= at && v > 0; i--) {
      out[i] = v % 256
      v = Math.floor(v / 256)
    }
    if (v > 0) throw new RangeError(`${value} does not fit in ${bytes} bytes`)
    return
  }
  const v = BigInt(value)
  if (v < 0n) throw new RangeError(`${value} does not fit in ${bytes} bytes`)
  if (v === 0n) return
  const hex = v.toString(16)
  if (hex.length > 2 * bytes) throw new RangeError(`${value} does not fit in ${bytes} bytes`)
  out.set(Buffer.from(hex.length % 2 === 1 ? `0${hex}` : hex, 'hex'), at + bytes - Math.ceil(hex.length / 2))
}

/** The unsigned integer a big-endian byte string holds. */
export function toBigInt(bytes: Uint8Array): bigint {
  let v = 0n
  for (const b of bytes) v = (v << 8n) | BigInt(b)
  return v
}

/** 32 zero bytes. */
export const ZERO32 = new Uint8Array(32)

/** Whether two byte strings are equal. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return (
    a.length === b.length &&
    Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0
  )
}
