/**
 * SHA-256 (FIPS 180-4) and RIPEMD-160 (Dobbertin, Bosselaers and Preneel) as chains of compressions,
 * so that a long input to their precompiles is hashed a part a step (SPEC.md §5.3), the state between
 * steps in the frame's `sponge` word. Both take 64-byte blocks and pad alike (0x80, zeros, the bit
 * length in 8 bytes: big-endian for SHA-256, little-endian for RIPEMD-160). This is the checker's own
 * code; the tests hold it to @noble/hashes at every block and chunk edge.
 */

const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n))
const rotl = (x: number, n: number) => (x << n) | (x >>> (32 - n))

/** A Merkle–Damgård hash as this file runs it: the state's size and byte order, its start, its compression. */
export interface MdHash {
  /** The state's bytes (SHA-256: 8 words big-endian; RIPEMD-160: 5 words little-endian), the digest once the input is padded. */
  readonly stateBytes: number
  readonly littleEndian: boolean
  readonly iv: readonly number[]
  compress(state: Uint32Array, block: DataView, at: number): void
}

// ---- SHA-256

const SHA256_K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
  0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
  0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
  0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
  0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
  0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
])

const schedule = new Uint32Array(64)

export const SHA256: MdHash = {
  stateBytes: 32,
  littleEndian: false,
  iv: [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19],
  compress(h, block, at) {
    const w = schedule
    for (let i = 0; i < 16; i++) w[i] = block.getUint32(at + 4 * i, false)
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15] as number
      const b = w[i - 2] as number
      const s0 = rotr(a, 7) ^ rotr(a, 18) ^ (a >>> 3)
      const s1 = rotr(b, 17) ^ rotr(b, 19) ^ (b >>> 10)
      w[i] = (w[i - 16] as number) + s0 + (w[i - 7] as number) + s1
    }
    let [a, b, c, d, e, f, g, hh] = Array.from(h) as [number, number, number, number, number, number, number, number]
    for (let i = 0; i < 64; i++) {
      const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + (SHA256_K[i] as number) + (w[i] as number)) | 0
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0
      hh = g
      g = f
      f = e
      e = (d + t1) | 0
      d = c
      c = b
      b = a
      a = (t1 + t2) | 0
    }
    const out = [a, b, c, d, e, f, g, hh]
    for (let i = 0; i < 8; i++) h[i] = (h[i] as number) + (out[i] as number)
  },
}

// ---- RIPEMD-160: two lines of five rounds of sixteen operations each

/** Which message word each operation of the left (R) and the right (RP) line reads. */
const R = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 7, 4, 13, 1, 10, 6, 15, 3, 12, 0, 9, 5, 2, 14, 11, 8, 3, 10, 14, 4, 9, 15, 8, 1, 2,
  7, 0, 6, 13, 11, 5, 12, 1, 9, 11, 10, 0, 8, 12, 4, 13, 3, 7, 15, 14, 5, 6, 2, 4, 0, 5, 9, 7, 12, 2, 10, 14, 1, 3, 8, 11, 6, 15, 13,
]
const RP = [
  5, 14, 7, 0, 9, 2, 11, 4, 13, 6, 15, 8, 1, 10, 3, 12, 6, 11, 3, 7, 0, 13, 5, 10, 14, 15, 8, 12, 4, 9, 1, 2, 15, 5, 1, 3, 7, 14, 6, 9, 11,
  8, 12, 2, 10, 0, 4, 13, 8, 6, 4, 1, 3, 11, 15, 0, 5, 12, 2, 13, 9, 7, 10, 14, 12, 15, 10, 4, 1, 5, 8, 7, 6, 2, 13, 14, 0, 3, 9, 11,
]
/** The left-rotation of each operation. */
const S = [
  11, 14, 15, 12, 5, 8, 7, 9, 11, 13, 14, 15, 6, 7, 9, 8, 7, 6, 8, 13, 11, 9, 7, 15, 7, 12, 15, 9, 11, 7, 13, 12, 11, 13, 6, 7, 14, 9, 13,
  15, 14, 8, 13, 6, 5, 12, 7, 5, 11, 12, 14, 15, 14, 15, 9, 8, 9, 14, 5, 6, 8, 6, 5, 12, 9, 15, 5, 11, 6, 8, 13, 12, 5, 12, 13, 14, 11, 8,
  5, 6,
]
const SP = [
  8, 9, 9, 11, 13, 15, 15, 5, 7, 7, 8, 11, 14, 14, 12, 6, 9, 13, 15, 7, 12, 8, 9, 11, 7, 7, 12, 7, 6, 15, 13, 11, 9, 7, 15, 11, 8, 6, 6, 14,
  12, 13, 5, 14, 13, 13, 7, 5, 15, 5, 8, 11, 14, 14, 6, 14, 6, 9, 12, 9, 12, 5, 15, 8, 8, 5, 12, 9, 12, 5, 14, 6, 8, 13, 6, 5, 15, 13, 11,
  11,
]
const K = [0x00000000, 0x5a827999, 0x6ed9eba1, 0x8f1bbcdc, 0xa953fd4e]
const KP = [0x50a28be6, 0x5c4dd124, 0x6d703ef3, 0x7a6d76e9, 0x00000000]

/** The boolean function of round `round` (0–4); the right line runs them in the opposite order. */
function line(round: number, x: number, y: number, z: number): number {
  switch (round) {
    case 0:
      return x ^ y ^ z
    case 1:
      return (x & y) | (~x & z)
    case 2:
      return (x | ~y) ^ z
    case 3:
      return (x & z) | (y & ~z)
    default:
      return x ^ (y | ~z)
  }
}

const words16 = new Uint32Array(16)

export const RIPEMD160: MdHash = {
  stateBytes: 20,
  littleEndian: true,
  iv: [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0],
  compress(h, block, at) {
    const x = words16
    for (let i = 0; i < 16; i++) x[i] = block.getUint32(at + 4 * i, true)
    let [al, bl, cl, dl, el] = [h[0], h[1], h[2], h[3], h[4]] as [number, number, number, number, number]
    let [ar, br, cr, dr, er] = [al, bl, cl, dl, el]
    for (let j = 0; j < 80; j++) {
      const round = j >> 4
      const tl = (rotl((al + line(round, bl, cl, dl) + (x[R[j] as number] as number) + (K[round] as number)) | 0, S[j] as number) + el) | 0
      al = el
      el = dl
      dl = rotl(cl, 10)
      cl = bl
      bl = tl
      const tr =
        (rotl((ar + line(4 - round, br, cr, dr) + (x[RP[j] as number] as number) + (KP[round] as number)) | 0, SP[j] as number) + er) | 0
      ar = er
      er = dr
      dr = rotl(cr, 10)
      cr = br
      br = tr
    }
    const t = ((h[1] as number) + cl + dr) | 0
    h[1] = (h[2] as number) + dl + er
    h[2] = (h[3] as number) + el + ar
    h[3] = (h[4] as number) + al + br
    h[4] = (h[0] as number) + bl + cr
    h[0] = t
  },
}

/** The block size of both, and the bytes a step of a long input hashes: 512 blocks (SPEC.md §5.3). */
export const MD_BLOCK = 64
export const MD_CHUNK = 512 * MD_BLOCK

/** The state's bytes, in the hash's byte order: what the frame's sponge word is the hash of, and the digest at the end. */
export function stateToBytes(hash: MdHash, state: Uint32Array): Uint8Array {
  const out = new Uint8Array(hash.stateBytes)
  const view = new DataView(out.buffer)
  for (let i = 0; i < hash.stateBytes / 4; i++) view.setUint32(4 * i, state[i] as number, hash.littleEndian)
  return out
}

export function stateFromBytes(hash: MdHash, bytes: Uint8Array): Uint32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return Uint32Array.from({ length: hash.stateBytes / 4 }, (_, i) => view.getUint32(4 * i, hash.littleEndian))
}

export const initialState = (hash: MdHash): Uint32Array => Uint32Array.from(hash.iv)

/** The state after `blocks`, a whole number of 64-byte blocks. */
export function mdAbsorb(hash: MdHash, state: Uint32Array, blocks: Uint8Array): Uint32Array {
  if (blocks.length % MD_BLOCK !== 0) throw new Error(`a hash absorbs whole blocks of ${MD_BLOCK} bytes, not ${blocks.length}`)
  const s = state.slice()
  const view = new DataView(blocks.buffer, blocks.byteOffset, blocks.byteLength)
  for (let at = 0; at < blocks.length; at += MD_BLOCK) hash.compress(s, view, at)
  return s
}

/** The digest: `tail` absorbed after `total − tail.length` bytes already were, then the padding. */
export function mdFinish(hash: MdHash, state: Uint32Array, tail: Uint8Array, total: number): Uint8Array {
  const whole = tail.length - (tail.length % MD_BLOCK)
  const rest = tail.length - whole
  const last = new Uint8Array(rest + 9 <= MD_BLOCK ? MD_BLOCK : 2 * MD_BLOCK)
  last.set(tail.subarray(whole))
  last[rest] = 0x80
  new DataView(last.buffer).setBigUint64(last.length - 8, BigInt(total) * 8n, hash.littleEndian)
  return stateToBytes(hash, mdAbsorb(hash, mdAbsorb(hash, state, tail.subarray(0, whole)), last))
}
