/**
 * The reference checker's Merkle arithmetic, written apart from the generator's trees (src/commit)
 * on purpose: the checker shares only keccak256 with the code it checks.
 */
import { keccak256 } from './keccak.ts'

const pair = (left: Uint8Array, right: Uint8Array): Uint8Array => keccak256(left, right)

/** The root a leaf at `index` implies, given its siblings bottom-up. */
export function rootFromBranch(leaf: Uint8Array, index: number, siblings: readonly Uint8Array[]): Uint8Array {
  let node = leaf
  let i = index
  for (const s of siblings) {
    node = i % 2 === 0 ? pair(node, s) : pair(s, node)
    i = Math.floor(i / 2)
  }
  return node
}

/** Whether two byte strings are equal. */
export function same(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

function be(v: bigint, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes)
  for (let i = bytes - 1; i >= 0; i--, v >>= 8n) out[i] = Number(v & 0xffn)
  return out
}

/** A map leaf as the checker hashes it: keccak256(key ‖ value ‖ nextKey), 32 bytes each. */
export function checkMapLeaf(key: bigint, value: bigint, nextKey: bigint): Uint8Array {
  const buf = new Uint8Array(96)
  buf.set(be(key, 32), 0)
  buf.set(be(value, 32), 32)
  buf.set(be(nextKey, 32), 64)
  return keccak256(buf)
}

/** A map's commitment from its tree root and leaf count. */
export function checkMapCommitment(root: Uint8Array, count: number): Uint8Array {
  const buf = new Uint8Array(64)
  buf.set(root, 0)
  buf.set(be(BigInt(count), 32), 32)
  return keccak256(buf)
}

export interface MapWitness {
  index: number
  key: bigint
  value: bigint
  nextKey: bigint
  siblings: readonly Uint8Array[]
}

/**
 * What a map witness proves about `key` against a commitment: its value when present, `absent`
 * when the witness is the leaf just below it. Throws when the witness does not belong to the map
 * or proves neither.
 */
export function checkMapLookup(
  commitment: Uint8Array,
  count: number,
  key: bigint,
  w: MapWitness,
): { present: true; value: bigint } | { present: false } {
  const root = rootFromBranch(checkMapLeaf(w.key, w.value, w.nextKey), w.index, w.siblings)
  if (w.index >= count || !same(checkMapCommitment(root, count), commitment)) throw new Error('map witness: the leaf is not in the map')
  if (w.key === key && (key !== 0n || w.index === 0)) return { present: true, value: w.value }
  if (w.key < key && (w.nextKey > key || w.nextKey === 0n)) return { present: false }
  throw new Error(`map witness: leaf ${w.index} neither holds key ${key} nor sits just below it`)
}
