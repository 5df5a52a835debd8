import { H, ZERO32 } from './hash.ts'

const zeroCache: Uint8Array[] = [ZERO32]

/** The root of an all-zero subtree of height h (h = 0: a zero leaf). Shared objects: compared by identity. */
export function zeroHash(h: number): Uint8Array {
  for (let i = zeroCache.length; i <= h; i++) {
    const below = zeroCache[i - 1] as Uint8Array
    zeroCache.push(H(below, below))
  }
  return zeroCache[h] as Uint8Array
}

/**
 * A complete binary Merkle tree of 2^depth 32-byte leaves, sparse: unset leaves are zero. Writes
 * only mark their leaf; the root and proofs rehash the dirty paths, each inner node once, when
 * asked for (so a step that writes many cells pays one pass, not one per cell).
 *
 * The tree of SPEC.md's `T_d` (leaves = raw 32-byte chunks) and the base of the code tree and of
 * the indexed map (leaves = hashes).
 */
export class SparseMerkleTree {
  /** levels[h]: the nodes at height h by index (h = 0: leaves), zero subtrees absent. */
  private readonly levels: Map<number, Uint8Array>[]
  private dirty = new Set<number>()

  constructor(readonly depth: number) {
    if (depth < 1 || depth > 40) throw new RangeError(`tree depth ${depth} is out of range`)
    this.levels = Array.from({ length: depth + 1 }, () => new Map<number, Uint8Array>())
  }

  /** The leaf at `index` (zero if never set). */
  leaf(index: number): Uint8Array {
    return (this.levels[0] as Map<number, Uint8Array>).get(index) ?? ZERO32
  }

  /** Sets the leaf at `index` (a 32-byte value, kept by reference). */
  set(index: number, leaf: Uint8Array): void {
    if (!Number.isInteger(index) || index < 0 || index >= 2 ** this.depth) throw new RangeError(`leaf ${index} is outside the tree`)
    if (leaf.length !== 32) throw new RangeError(`a leaf is 32 bytes, got ${leaf.length}`)
    const leaves = this.levels[0] as Map<number, Uint8Array>
    if (leaf.every((b) => b === 0)) leaves.delete(index)
    else leaves.set(index, leaf)
    this.dirty.add(index)
  }

  private node(h: number, index: number): Uint8Array {
    return (this.levels[h] as Map<number, Uint8Array>).get(index) ?? zeroHash(h)
  }

  private flush(): void {
    if (this.dirty.size === 0) return
    let indices = [...this.dirty].sort((a, b) => a - b)
    this.dirty = new Set()
    for (let h = 1; h <= this.depth; h++) {
      const level = this.levels[h] as Map<number, Uint8Array>
      const zero = zeroHash(h - 1)
      const parents: number[] = []
      for (const i of indices) {
        const p = Math.floor(i / 2)
        if (parents[parents.length - 1] === p) continue
        parents.push(p)
        const l = this.node(h - 1, 2 * p)
        const r = this.node(h - 1, 2 * p + 1)
        if (l === zero && r === zero) level.delete(p)
        else level.set(p, H(l, r))
      }
      indices = parents
    }
  }

  /** The root. */
  root(): Uint8Array {
    this.flush()
    return this.node(this.depth, 0)
  }

  /**
   * The siblings that prove leaves `lo … hi` together (SPEC.md §5's order): level by level from
   * the leaves, the left neighbour when the range starts at an odd index, then the right one when
   * it ends at an even one.
   */
  rangeProof(lo: number, hi: number): Uint8Array[] {
    this.flush()
    const out: Uint8Array[] = []
    for (let h = 0; h < this.depth; h++, lo = Math.floor(lo / 2), hi = Math.floor(hi / 2)) {
      if (lo % 2 === 1) out.push(this.node(h, lo - 1))
      if (hi % 2 === 0) out.push(this.node(h, hi + 1))
    }
    return out
  }

  /** The siblings of leaf `index`, bottom-up: `depth` × 32 bytes. */
  proof(index: number): Uint8Array[] {
    this.flush()
    const out: Uint8Array[] = []
    for (let h = 0, i = index; h < this.depth; h++, i = Math.floor(i / 2)) out.push(this.node(h, i ^ 1))
    return out
  }
}
