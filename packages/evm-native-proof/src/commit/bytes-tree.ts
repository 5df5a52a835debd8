import { SparseMerkleTree } from './merkle.ts'

/** Depth of the chunk trees of memory, calldata, return data and outputs (SPEC.md `T_24`). */
export const BYTES_TREE_DEPTH = 24

/**
 * A byte string committed as `T_24`: 32-byte chunks as the leaves of a sparse Merkle tree. Writes
 * update the bytes and mark their chunks; the root re-reads only the marked chunks.
 */
export class ChunkedBytes {
  private data = new Uint8Array(0)
  private readonly tree = new SparseMerkleTree(BYTES_TREE_DEPTH)
  private readonly dirty = new Set<number>()
  private written = 0

  /** The bytes, at least as long as the furthest write (callers track the EVM's own size). */
  get bytes(): Uint8Array {
    return this.data
  }

  /** Where the furthest write ended: the bytes past it are zero. */
  get extent(): number {
    return this.written
  }

  /** Writes `bytes` at `offset`, growing the buffer as needed. */
  write(offset: number, bytes: Uint8Array): void {
    if (bytes.length === 0) return
    const end = offset + bytes.length
    if (end > this.data.length) {
      const grown = new Uint8Array(Math.max(end, this.data.length * 2))
      grown.set(this.data)
      this.data = grown
    }
    this.data.set(bytes, offset)
    if (end > this.written) this.written = end
    for (let c = Math.floor(offset / 32); c <= Math.floor((end - 1) / 32); c++) this.dirty.add(c)
  }

  /** The 32-byte chunk `index` (zero-padded). */
  chunk(index: number): Uint8Array {
    const out = new Uint8Array(32)
    out.set(this.data.subarray(index * 32, index * 32 + 32))
    return out
  }

  private flush(): void {
    for (const c of this.dirty) this.tree.set(c, this.chunk(c))
    this.dirty.clear()
  }

  root(): Uint8Array {
    this.flush()
    return this.tree.root()
  }

  /** The chunk and its siblings, bottom-up. */
  proof(index: number): { leaf: Uint8Array; siblings: Uint8Array[] } {
    this.flush()
    return { leaf: this.tree.leaf(index), siblings: this.tree.proof(index) }
  }

  /** Chunks `lo … hi` and the siblings that prove them together (SPEC.md §5). */
  range(lo: number, hi: number): { leaves: Uint8Array; siblings: Uint8Array[] } {
    this.flush()
    const leaves = new Uint8Array((hi - lo + 1) * 32)
    for (let c = lo; c <= hi; c++) leaves.set(this.chunk(c), (c - lo) * 32)
    return { leaves, siblings: this.tree.rangeProof(lo, hi) }
  }

  /** `T_24` of a byte string in one go. */
  static root(bytes: Uint8Array): Uint8Array {
    const b = new ChunkedBytes()
    b.write(0, bytes)
    return b.root()
  }
}

/**
 * SPEC.md §2.3's view: `size` bytes of a tree from byte `offset`, committed as the tree's root then.
 * The tree must not change while the view is read: a caller's memory while its child runs, a halted
 * frame's memory, a tree of its own.
 */
export interface BytesView {
  tree: ChunkedBytes
  root: Uint8Array
  offset: number
  size: number
  /**
   * For a view whose tree may change while it lives (the identity precompile's output, a view of its
   * caller's memory): the tree's bytes when the view was taken, and the tree rebuilt from them once
   * the live one has moved on.
   */
  saved?: Uint8Array
  snapshot?: ChunkedBytes
}

/** The view of no bytes: the empty tree's, at 0 (SPEC.md §2.3), wherever it points. */
export const EMPTY_VIEW: BytesView = { tree: new ChunkedBytes(), root: ChunkedBytes.root(new Uint8Array()), offset: 0, size: 0 }

/** `size` bytes of `tree` from `offset`. */
export function viewOf(tree: ChunkedBytes, offset: bigint | number, size: bigint | number): BytesView {
  if (BigInt(size) === 0n) return EMPTY_VIEW
  return { tree, root: tree.root(), offset: Number(offset), size: Number(size) }
}

/** A byte string in a tree of its own. */
export function ownView(bytes: Uint8Array): BytesView {
  const tree = new ChunkedBytes()
  tree.write(0, bytes)
  return viewOf(tree, 0, bytes.length)
}

/** The bytes a view holds. */
export function viewBytes(v: BytesView): Uint8Array {
  const out = new Uint8Array(v.size)
  out.set((v.saved ?? v.tree.bytes).subarray(v.offset, v.offset + v.size))
  return out
}

/** Whether a view holds exactly `bytes`, compared where they lie (nothing copied; past the tree's bytes, zeros). */
export function viewHolds(v: BytesView, bytes: Uint8Array): boolean {
  if (bytes.length !== v.size) return false
  const there = (v.saved ?? v.tree.bytes).subarray(v.offset, v.offset + v.size)
  return Buffer.compare(there, bytes.subarray(0, there.length)) === 0 && bytes.subarray(there.length).every((b) => b === 0)
}

/** The tree a view reads from: its own while that is as it was, else the one rebuilt from what was saved. */
function treeOf(v: BytesView): ChunkedBytes {
  if (Buffer.compare(v.tree.root(), v.root) === 0) return v.tree
  if (v.saved === undefined) throw new Error('a view’s tree has changed since the view was taken')
  if (v.snapshot === undefined) {
    v.snapshot = new ChunkedBytes()
    v.snapshot.write(0, v.saved)
  }
  if (Buffer.compare(v.snapshot.root(), v.root) !== 0) throw new Error('a view’s saved bytes are not its tree’s')
  return v.snapshot
}

/**
 * The leaves and siblings that prove bytes `[from, from + len)` of a view, as the checker's
 * `readView` reads them (nothing when every byte asked for is past the view's size).
 */
export function viewRange(v: BytesView, from: bigint, len: bigint): { leaves: Uint8Array; siblings: Uint8Array[] } | undefined {
  if (len === 0n || from >= BigInt(v.size)) return undefined
  const end = from + len < BigInt(v.size) ? from + len : BigInt(v.size)
  return treeOf(v).range(Number((BigInt(v.offset) + from) / 32n), Number((BigInt(v.offset) + end - 1n) / 32n))
}
