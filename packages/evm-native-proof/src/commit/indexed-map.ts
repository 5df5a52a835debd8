import { concat, H, uint } from './hash.ts'
import { SparseMerkleTree } from './merkle.ts'

/** Depth of an indexed map's tree: 2^24 leaves, the sentinel included. */
export const MAP_DEPTH = 24

interface Leaf {
  key: bigint
  value: bigint
  nextKey: bigint
}

/** The hash of a map leaf: H(key ‖ value ‖ nextKey). */
export function mapLeaf(l: Leaf): Uint8Array {
  return H(uint(l.key), uint(l.value), uint(l.nextKey))
}

/** What proves a key's presence (the leaf holding it) or absence (the leaf just below it). */
export interface MapProof {
  index: number
  leaf: Leaf
  siblings: Uint8Array[]
}

type JournalEntry = { kind: 'update'; index: number; before: Leaf } | { kind: 'insert'; index: number; low: number; lowBefore: Leaf }

/**
 * SPEC.md's indexed Merkle map: a sorted linked list of non-zero u256 keys threaded through the
 * leaves of a depth-24 tree, leaf 0 the sentinel (0, 0, firstKey), nextKey 0 meaning "none larger".
 * The commitment is H(root ‖ count), count the number of leaves (sentinel included). Membership
 * and non-membership are one path each; an insert updates the leaf below and appends one.
 * Changes are journaled so that a reverted call frame can undo them (`mark` and `revert`).
 */
export class IndexedMap {
  private readonly leaves: Leaf[] = [{ key: 0n, value: 0n, nextKey: 0n }]
  private readonly tree = new SparseMerkleTree(MAP_DEPTH)
  private readonly indexOf = new Map<bigint, number>()
  /** Keys in ascending order (the sentinel's 0 first). */
  private sorted: bigint[] = [0n]
  private journal: JournalEntry[] = []
  private cachedCommitment: Uint8Array | undefined

  constructor() {
    this.tree.set(0, mapLeaf(this.leaves[0] as Leaf))
  }

  get count(): number {
    return this.leaves.length
  }

  get(key: bigint): bigint | undefined {
    const i = this.indexOf.get(key)
    return i === undefined ? undefined : (this.leaves[i] as Leaf).value
  }

  has(key: bigint): boolean {
    return this.indexOf.has(key)
  }

  /** Every key with its value, in key order. */
  entries(): [bigint, bigint][] {
    return this.sorted.slice(1).map((k) => [k, (this.leaves[this.indexOf.get(k) as number] as Leaf).value])
  }

  private write(index: number, leaf: Leaf): void {
    this.cachedCommitment = undefined
    this.leaves[index] = leaf
    this.tree.set(index, mapLeaf(leaf))
  }

  /** The number of keys in `sorted` not above `key` (the sentinel's 0 counted): where `key` goes, or one past it. */
  private sortedPosition(key: bigint): number {
    let lo = 0
    let hi = this.sorted.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((this.sorted[mid] as bigint) <= key) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** The index of the largest key below `key` (the sentinel at worst). */
  private lowIndex(key: bigint): number {
    const below = this.sorted[this.sortedPosition(key - 1n) - 1] as bigint
    return this.indexOf.get(below) ?? 0
  }

  /** Inserts `key` or updates its value. */
  set(key: bigint, value: bigint): void {
    if (key <= 0n || key >> 256n !== 0n) throw new RangeError('a map key is a non-zero u256')
    const at = this.indexOf.get(key)
    if (at !== undefined) {
      const before = this.leaves[at] as Leaf
      if (before.value === value) return
      this.journal.push({ kind: 'update', index: at, before })
      this.write(at, { ...before, value })
      return
    }
    if (this.leaves.length >= 2 ** MAP_DEPTH) throw new RangeError(`an indexed map holds at most ${2 ** MAP_DEPTH - 1} keys`)
    const low = this.lowIndex(key)
    const lowBefore = this.leaves[low] as Leaf
    const index = this.leaves.length
    this.journal.push({ kind: 'insert', index, low, lowBefore })
    this.write(low, { ...lowBefore, nextKey: key })
    this.write(index, { key, value, nextKey: lowBefore.nextKey })
    this.indexOf.set(key, index)
    this.sorted.splice(this.sortedPosition(key), 0, key)
  }

  /** A point to come back to with {@link revert}. */
  mark(): number {
    return this.journal.length
  }

  /** Undoes every change since `mark`, newest first. */
  revert(mark: number): void {
    while (this.journal.length > mark) {
      const e = this.journal.pop() as JournalEntry
      if (e.kind === 'update') {
        this.write(e.index, e.before)
        continue
      }
      const removed = this.leaves[e.index] as Leaf
      this.leaves.pop()
      this.cachedCommitment = undefined
      this.tree.set(e.index, new Uint8Array(32))
      this.indexOf.delete(removed.key)
      this.sorted.splice(this.sortedPosition(removed.key) - 1, 1)
      this.write(e.low, e.lowBefore)
    }
  }

  /** Forgets the journal (a transaction ended: nothing before this can be reverted any more). */
  commit(): void {
    this.journal = []
  }

  root(): Uint8Array {
    return this.tree.root()
  }

  /** H(root ‖ count). */
  commitment(): Uint8Array {
    this.cachedCommitment ??= H(this.tree.root(), uint(this.leaves.length))
    return this.cachedCommitment
  }

  /**
   * SPEC.md §5's map items for `key`: count ‖ index ‖ key ‖ value ‖ nextKey ‖ siblings of the leaf
   * holding it (or just below it); when `insert` is set and the key is absent, also the path of
   * the leaf an insert appends (taken from the tree after the insert, then undone).
   */
  witness(key: bigint, insert = false): Uint8Array[] {
    const p = this.proof(key)
    const items = [concat([uint(this.count), uint(p.index, 4), uint(p.leaf.key), uint(p.leaf.value), uint(p.leaf.nextKey), ...p.siblings])]
    if (insert && !this.has(key)) {
      const mark = this.mark()
      this.set(key, 1n)
      items.push(concat(this.proof(key).siblings))
      this.revert(mark)
    }
    return items
  }

  /** The key of leaf `index` (leaf 0 is the sentinel; leaves are in insertion order). */
  keyAt(index: number): bigint {
    const leaf = this.leaves[index]
    if (leaf === undefined) throw new Error(`the map has no leaf ${index}`)
    return leaf.key
  }

  /** SPEC.md §5's item for leaf `index` (same layout as {@link witness}'s). */
  witnessAt(index: number): Uint8Array {
    const leaf = this.leaves[index]
    if (leaf === undefined) throw new Error(`the map has no leaf ${index}`)
    return concat([uint(this.count), uint(index, 4), uint(leaf.key), uint(leaf.value), uint(leaf.nextKey), ...this.tree.proof(index)])
  }

  /** The commitment's preimage, `treeRoot ‖ count`: what a step that needs only the count opens. */
  countItem(): Uint8Array {
    return concat([this.tree.root(), uint(this.leaves.length)])
  }

  /** The leaf holding `key`, or, if absent, the leaf just below it, with its path. */
  proof(key: bigint): MapProof {
    const index = this.indexOf.get(key) ?? this.lowIndex(key)
    return { index, leaf: { ...(this.leaves[index] as Leaf) }, siblings: this.tree.proof(index) }
  }
}
