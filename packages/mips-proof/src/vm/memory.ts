import { keccak_256 } from '@noble/hashes/sha3.js'

/** log2 of the page size: 4 KiB pages, as Cannon's memory. */
export const PAGE_ADDR_SIZE = 12
/** Bytes in a page. */
export const PAGE_SIZE = 1 << PAGE_ADDR_SIZE
const PAGE_WORDS = PAGE_SIZE >>> 2
const PAGE_COUNT = 1 << (32 - PAGE_ADDR_SIZE)
/** Depth of the tree above the 32-byte leaves: 2^27 leaves span the 4 GiB address space. */
export const MEMORY_TREE_DEPTH = 27
/** A memory proof: the leaf, then its 27 siblings bottom-up — 28 × 32 bytes, as Cannon's. */
export const MEMORY_PROOF_SIZE = (MEMORY_TREE_DEPTH + 1) * 32
const LEAVES_PER_PAGE = PAGE_SIZE / 32
const PAGE_TREE_DEPTH = 7 // 128 leaves per page
const UPPER_DEPTH = MEMORY_TREE_DEPTH - PAGE_TREE_DEPTH // 20 levels from page roots to the root

const pairBuffer = new Uint8Array(64)
function hashPair(left: Uint8Array, right: Uint8Array): Uint8Array {
  pairBuffer.set(left, 0)
  pairBuffer.set(right, 32)
  return keccak_256(pairBuffer)
}

/** zeroHashes[h]: the root of an all-zero subtree of height h (h = 0 is a zero leaf). */
export const ZERO_HASHES: readonly Uint8Array[] = (() => {
  const out: Uint8Array[] = [new Uint8Array(32)]
  for (let i = 1; i <= MEMORY_TREE_DEPTH; i++) out.push(hashPair(out[i - 1] as Uint8Array, out[i - 1] as Uint8Array))
  return out
})()

/** A page's Merkle subtree: nodes[1] is its root, nodes[128..255] its leaves (heap order). */
type PageTree = Uint8Array[]

/**
 * The VM's 4 GiB big-endian memory: sparse 4 KiB pages of 32-bit words, unmapped memory reads as
 * zero, and a binary Merkle tree of 32-byte leaves over the whole space whose root is maintained
 * lazily: a write only marks its page dirty, and hashing happens when a root or proof is asked for.
 */
export class Memory {
  /** Words by page; a word holds 4 bytes big-endian, as a signed 32-bit integer. */
  pages: (Int32Array | undefined)[] = new Array(PAGE_COUNT)
  /** 1 where this memory owns its page; 0 where the page is shared with a clone (copied on first write). */
  private owned = new Uint8Array(PAGE_COUNT)
  private readonly pageTrees = new Map<number, PageTree>()
  private readonly dirty = new Set<number>()
  /** Cached upper-tree nodes by generalized index (1 = root; page p's root is 2^20 + p). */
  private readonly upper = new Map<number, Uint8Array>()
  /** Upper-tree nodes with at least one page below them (pages are never freed). */
  private readonly occupied = new Set<number>()
  private allocated = 0

  /** The number of pages allocated. */
  get pageCount(): number {
    return this.allocated
  }

  /** Reads the aligned word at `addr` (the low two bits are ignored). */
  getWord(addr: number): number {
    const page = this.pages[addr >>> PAGE_ADDR_SIZE]
    return page === undefined ? 0 : (page[(addr & (PAGE_SIZE - 1)) >>> 2] as number)
  }

  /** Writes the aligned word at `addr` (the low two bits are ignored). */
  setWord(addr: number, value: number): void {
    const index = addr >>> PAGE_ADDR_SIZE
    let page = this.pages[index]
    if (page === undefined) page = this.allocPage(index)
    else if (this.owned[index] === 0) {
      page = page.slice()
      this.pages[index] = page
      this.owned[index] = 1
    }
    page[(addr & (PAGE_SIZE - 1)) >>> 2] = value
    this.dirty.add(index)
  }

  private allocPage(index: number): Int32Array {
    const page = new Int32Array(PAGE_WORDS)
    this.pages[index] = page
    this.owned[index] = 1
    this.dirty.add(index)
    this.allocated++
    for (let g = ((1 << UPPER_DEPTH) + index) >>> 1; g >= 1 && !this.occupied.has(g); g >>>= 1) this.occupied.add(g)
    return page
  }

  /** Writes bytes starting at any address. */
  setRange(addr: number, data: Uint8Array): void {
    for (let i = 0; i < data.length; i++) this.setByte((addr + i) >>> 0, data[i] as number)
  }

  /** Reads `length` bytes starting at any address. */
  getRange(addr: number, length: number): Uint8Array {
    const out = new Uint8Array(length)
    for (let i = 0; i < length; i++) out[i] = this.getByte((addr + i) >>> 0)
    return out
  }

  /** Reads one byte. */
  getByte(addr: number): number {
    const shift = 24 - ((addr & 3) << 3)
    return (this.getWord(addr) >>> shift) & 0xff
  }

  /** Writes one byte. */
  setByte(addr: number, value: number): void {
    const shift = 24 - ((addr & 3) << 3)
    const word = this.getWord(addr)
    this.setWord(addr, (word & ~(0xff << shift)) | ((value & 0xff) << shift))
  }

  /** Makes sure the pages covering [addr, addr+length) exist (zero-filled), as a loader does. */
  allocRange(addr: number, length: number): void {
    for (let p = addr >>> PAGE_ADDR_SIZE; p <= (addr + length - 1) >>> PAGE_ADDR_SIZE; p++) {
      if (this.pages[p] === undefined) this.allocPage(p)
    }
  }

  /** A leaf's 32 bytes, or the shared zero leaf when all its words are zero. */
  private pageLeaf(page: Int32Array, leaf: number): Uint8Array {
    let zero = true
    for (let w = 0; w < 8 && zero; w++) zero = page[leaf * 8 + w] === 0
    if (zero) return ZERO_HASHES[0] as Uint8Array
    const out = new Uint8Array(32)
    const view = new DataView(out.buffer)
    for (let w = 0; w < 8; w++) view.setInt32(w * 4, page[leaf * 8 + w] as number, false)
    return out
  }

  /** Whether the leaf `leaf` of `page` still holds the 32 bytes `old`. */
  private leafUnchanged(page: Int32Array, leaf: number, old: Uint8Array): boolean {
    const base = leaf * 8
    if (old === ZERO_HASHES[0]) {
      for (let w = 0; w < 8; w++) if (page[base + w] !== 0) return false
      return true
    }
    for (let w = 0; w < 8; w++) {
      const word = page[base + w] as number
      const o = w * 4
      if ((((old[o] as number) << 24) | ((old[o + 1] as number) << 16) | ((old[o + 2] as number) << 8) | (old[o + 3] as number)) !== word)
        return false
    }
    return true
  }

  /**
   * A page's subtree, rebuilt if the page changed since it was last hashed: from scratch the first
   * time, afterwards only along the paths of the leaves whose bytes changed (a store dirties one
   * leaf, so one step costs 7 hashes here, not 255). Trees are copied, never mutated: clones share them.
   */
  private pageTree(index: number): PageTree {
    const cached = this.pageTrees.get(index)
    if (cached !== undefined && !this.dirty.has(index)) return cached
    const page = this.pages[index] as Int32Array
    const tree: PageTree = cached === undefined ? new Array(2 * LEAVES_PER_PAGE) : cached.slice()
    // Parents (heap indices, ascending, no repeats) whose children changed.
    let changed: number[] = []
    for (let i = 0; i < LEAVES_PER_PAGE; i++) {
      const old = tree[LEAVES_PER_PAGE + i]
      if (old !== undefined && this.leafUnchanged(page, i, old)) continue
      tree[LEAVES_PER_PAGE + i] = this.pageLeaf(page, i)
      const parent = (LEAVES_PER_PAGE + i) >>> 1
      if (changed[changed.length - 1] !== parent) changed.push(parent)
    }
    // Zero subtrees are the shared ZERO_HASHES objects, so they are recognised by identity, not hashed.
    for (let height = 1; changed.length > 0 && height <= PAGE_TREE_DEPTH; height++) {
      const zeroChild = ZERO_HASHES[height - 1]
      const parents: number[] = []
      for (const n of changed) {
        const l = tree[2 * n] as Uint8Array
        const r = tree[2 * n + 1] as Uint8Array
        tree[n] = l === zeroChild && r === zeroChild ? (ZERO_HASHES[height] as Uint8Array) : hashPair(l, r)
        if (parents[parents.length - 1] !== n >>> 1) parents.push(n >>> 1)
      }
      changed = parents
    }
    this.pageTrees.set(index, tree)
    return tree
  }

  /** Rehashes dirty pages and drops the cached upper nodes above them. */
  private flush(): void {
    for (const index of this.dirty) {
      this.pageTree(index)
      for (let g = ((1 << UPPER_DEPTH) + index) >>> 1; g >= 1; g >>>= 1) this.upper.delete(g)
    }
    this.dirty.clear()
  }

  private upperNode(g: number, height: number): Uint8Array {
    if (height === 0) {
      const index = g - (1 << UPPER_DEPTH)
      return this.pages[index] === undefined ? (ZERO_HASHES[PAGE_TREE_DEPTH] as Uint8Array) : (this.pageTree(index)[1] as Uint8Array)
    }
    const cached = this.upper.get(g)
    if (cached !== undefined) return cached
    const node = this.occupied.has(g)
      ? hashPair(this.upperNode(2 * g, height - 1), this.upperNode(2 * g + 1, height - 1))
      : (ZERO_HASHES[PAGE_TREE_DEPTH + height] as Uint8Array)
    this.upper.set(g, node)
    return node
  }

  /** The Merkle root of the whole memory. */
  merkleRoot(): Uint8Array {
    this.flush()
    return this.upperNode(1, UPPER_DEPTH)
  }

  /** The proof for the 32-byte leaf holding `addr`: the leaf, then its siblings from the bottom up. */
  merkleProof(addr: number): Uint8Array {
    this.flush()
    const out = new Uint8Array(MEMORY_PROOF_SIZE)
    const pageIndex = addr >>> PAGE_ADDR_SIZE
    const leaf = (addr & (PAGE_SIZE - 1)) >>> 5
    const page = this.pages[pageIndex]
    if (page === undefined) {
      for (let h = 0; h < PAGE_TREE_DEPTH; h++) out.set(ZERO_HASHES[h] as Uint8Array, 32 * (h + 1))
    } else {
      const tree = this.pageTree(pageIndex)
      out.set(tree[LEAVES_PER_PAGE + leaf] as Uint8Array, 0)
      for (let h = 0, n = LEAVES_PER_PAGE + leaf; h < PAGE_TREE_DEPTH; h++, n >>>= 1) out.set(tree[n ^ 1] as Uint8Array, 32 * (h + 1))
    }
    for (let h = 0, g = (1 << UPPER_DEPTH) + pageIndex; h < UPPER_DEPTH; h++, g >>>= 1) {
      out.set(this.upperNode(g ^ 1, h), 32 * (PAGE_TREE_DEPTH + h + 1))
    }
    return out
  }

  /**
   * An independent copy that shares pages copy-on-write: both sides copy a shared page the first
   * time they write to it. Hash caches are shared too (they are replaced, never mutated).
   */
  clone(): Memory {
    const copy = new Memory()
    copy.pages = this.pages.slice()
    this.owned.fill(0)
    copy.allocated = this.allocated
    for (const g of this.occupied) copy.occupied.add(g)
    for (const i of this.dirty) copy.dirty.add(i)
    // A dirty page's tree is still a valid base: rebuilding compares every leaf with the page.
    for (const [i, tree] of this.pageTrees) copy.pageTrees.set(i, tree)
    for (const [g, node] of this.upper) copy.upper.set(g, node)
    return copy
  }

  /** Every allocated page index, ascending. */
  pageIndices(): number[] {
    const out: number[] = []
    this.pages.forEach((page, i) => {
      if (page !== undefined) out.push(i)
    })
    return out
  }
}

/** Recomputes a memory root from a proof, as the on-chain verifier does (for tests and checks). */
export function rootFromProof(proof: Uint8Array, addr: number): Uint8Array {
  let node: Uint8Array = proof.slice(0, 32)
  const path = addr >>> 5
  for (let i = 0; i < MEMORY_TREE_DEPTH; i++) {
    const sibling = proof.slice(32 * (i + 1), 32 * (i + 2))
    node = ((path >>> i) & 1) === 0 ? hashPair(node, sibling) : hashPair(sibling, node)
  }
  return node
}
