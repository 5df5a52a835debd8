/**
 * BLAKE2b's compression function F as EIP-152 exposes it (RFC 7693 §3.2), with the round count
 * an input. Words are 64-bit little-endian; bigint arithmetic keeps it short rather than fast
 * (the corpora call it with 12 rounds).
 */

const MASK = (1n << 64n) - 1n
/** BLAKE2b's initial vector (SHA-512's). */
export const IV = [
  0x6a09e667f3bcc908n,
  0xbb67ae8584caa73bn,
  0x3c6ef372fe94f82bn,
  0xa54ff53a5f1d36f1n,
  0x510e527fade682d1n,
  0x9b05688c2b3e6c1fn,
  0x1f83d9abfb41bd6bn,
  0x5be0cd19137e2179n,
]
/** The message schedule: round i uses permutation i mod 10. */
const SIGMA = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
  [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
  [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
  [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
  [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
  [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
  [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
  [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
  [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
  [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
] as const

const rotr = (x: bigint, n: bigint) => ((x >> n) | (x << (64n - n))) & MASK

function mix(v: bigint[], a: number, b: number, c: number, d: number, x: bigint, y: bigint): void {
  v[a] = ((v[a] as bigint) + (v[b] as bigint) + x) & MASK
  v[d] = rotr((v[d] as bigint) ^ (v[a] as bigint), 32n)
  v[c] = ((v[c] as bigint) + (v[d] as bigint)) & MASK
  v[b] = rotr((v[b] as bigint) ^ (v[c] as bigint), 24n)
  v[a] = ((v[a] as bigint) + (v[b] as bigint) + y) & MASK
  v[d] = rotr((v[d] as bigint) ^ (v[a] as bigint), 16n)
  v[c] = ((v[c] as bigint) + (v[d] as bigint)) & MASK
  v[b] = rotr((v[b] as bigint) ^ (v[c] as bigint), 63n)
}

function words(b: Uint8Array, count: number): bigint[] {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength)
  return Array.from({ length: count }, (_, i) => view.getBigUint64(8 * i, true))
}

/** The rounds a 213-byte EIP-152 input asks for (its gas), or undefined when the input is malformed. */
export function blake2fRounds(input: Uint8Array): number | undefined {
  if (input.length !== 213 || (input[212] as number) > 1) return undefined
  return new DataView(input.buffer, input.byteOffset, 4).getUint32(0, false)
}

/** F(h, m, t, f) with `rounds` rounds: `rounds (4, BE) ‖ h (64) ‖ m (128) ‖ t (16) ‖ f (1)` → the new h (64 bytes). */
export function blake2f(input: Uint8Array): Uint8Array {
  const rounds = blake2fRounds(input)
  if (rounds === undefined) throw new Error('BLAKE2F: the input must be 213 bytes with a final flag of 0 or 1')
  const h = words(input.subarray(4, 68), 8)
  const m = words(input.subarray(68, 196), 16)
  const [t0, t1] = words(input.subarray(196, 212), 2) as [bigint, bigint]
  const v = [...h, ...IV]
  v[12] = (v[12] as bigint) ^ t0
  v[13] = (v[13] as bigint) ^ t1
  if (input[212] === 1) v[14] = (v[14] as bigint) ^ MASK
  for (let i = 0; i < rounds; i++) {
    const s = SIGMA[i % 10] as readonly number[]
    const msg = (j: number) => m[s[j] as number] as bigint
    mix(v, 0, 4, 8, 12, msg(0), msg(1))
    mix(v, 1, 5, 9, 13, msg(2), msg(3))
    mix(v, 2, 6, 10, 14, msg(4), msg(5))
    mix(v, 3, 7, 11, 15, msg(6), msg(7))
    mix(v, 0, 5, 10, 15, msg(8), msg(9))
    mix(v, 1, 6, 11, 12, msg(10), msg(11))
    mix(v, 2, 7, 8, 13, msg(12), msg(13))
    mix(v, 3, 4, 9, 14, msg(14), msg(15))
  }
  const out = new Uint8Array(64)
  const view = new DataView(out.buffer)
  for (let i = 0; i < 8; i++) view.setBigUint64(8 * i, (h[i] as bigint) ^ (v[i] as bigint) ^ (v[i + 8] as bigint), true)
  return out
}
