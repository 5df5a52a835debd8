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
  let v = BigInt(value)
  if (v < 0n || v >> BigInt(8 * bytes) !== 0n) throw new RangeError(`${value} does not fit in ${bytes} bytes`)
  const out = new Uint8Array(bytes)
  for (let i = bytes - 1; i >= 0 && v > 0n; i--, v >>= 8n) out[i] = Number(v & 0xffn)
  return out
}

/** The unsigned integer a big-endian byte string holds. */
export function toBigInt(bytes: Uint8Array): bigint {
  let v = 0n
  for (const b of bytes) v = (v << 8n) | BigInt(b)
  return v
}

/** 32 zero bytes. */
export const ZERO32 = new Uint8Array(32)
