/**
 * The checker's tree arithmetic for SPEC.md §1: ranges of leaves against a root (one multi-proof for
 * a contiguous range), `T_d` of a byte string, the code tree, and indexed-map lookups and writes.
 * Written apart from src/commit; shares only keccak256 with it.
 */
import { be, equal, type FrameState, join, keccak, num, type View, writeSubstate } from './layout.ts'
import { type ItemReader, WitnessError } from './witness-reader.ts'

const zeros: Uint8Array[] = [new Uint8Array(32)]
/** Root of an all-zero subtree of height h. */
export function zeroRoot(h: number): Uint8Array {
  while (zeros.length <= h) {
    const z = zeros[zeros.length - 1] as Uint8Array
    zeros.push(keccak(z, z))
  }
  return zeros[h] as Uint8Array
}

/**
 * The root over leaves `lo … lo + leaves.length − 1` of a depth-`depth` tree, with the siblings
 * the range needs, in SPEC.md §5's order: level by level from the leaves, at each level the left
 * neighbour when the range starts at an odd index, then the right one when it ends at an even one.
 */
export function rangeRoot(leaves: readonly Uint8Array[], lo: number, depth: number, siblings: readonly Uint8Array[]): Uint8Array {
  let level = leaves.slice()
  let start = lo
  let used = 0
  const sibling = () => {
    const s = siblings[used++]
    if (s === undefined) throw new WitnessError('a range proof has too few siblings')
    return s
  }
  for (let h = 0; h < depth; h++) {
    const end = start + level.length - 1
    if (start % 2 === 1) {
      level.unshift(sibling())
      start--
    }
    if (end % 2 === 0) level.push(sibling())
    const up: Uint8Array[] = []
    for (let i = 0; i < level.length; i += 2) up.push(keccak(level[i] as Uint8Array, level[i + 1] as Uint8Array))
    level = up
    start /= 2
  }
  if (used !== siblings.length) throw new WitnessError(`a range proof has ${siblings.length - used} sibling(s) too many`)
  return level[0] as Uint8Array
}

/** How many siblings a range needs (to size the item before folding). */
export function rangeSiblingCount(lo: number, hi: number, depth: number): number {
  let n = 0
  for (let h = 0; h < depth; h++, lo = Math.floor(lo / 2), hi = Math.floor(hi / 2)) n += (lo % 2) + (hi % 2 === 0 ? 1 : 0)
  return n
}

/**
 * A proven range of a chunk tree: reads the leaves item and the siblings item, checks them against
 * `root`, and returns the leaves and a function giving the root after replacing them.
 */
export function openRange(
  r: ItemReader,
  what: string,
  root: Uint8Array,
  lo: number,
  hi: number,
  depth: number,
  leafBytes = 32,
): { leaves: Uint8Array[]; rootWith(leaves: readonly Uint8Array[]): Uint8Array } {
  const count = hi - lo + 1
  const raw = r.next(`${what} leaves ${lo}–${hi}`, count * leafBytes)
  const siblings = r.words(`${what} range proof`, rangeSiblingCount(lo, hi, depth))
  const leaves = Array.from({ length: count }, (_, i) => raw.slice(i * leafBytes, (i + 1) * leafBytes))
  const hashLeaf = (l: Uint8Array) => (leafBytes === 32 ? l : keccak(l))
  if (!equal(rangeRoot(leaves.map(hashLeaf), lo, depth, siblings), root))
    throw new WitnessError(`${what} leaves ${lo}–${hi} are not in the committed tree`)
  return { leaves, rootWith: (next) => rangeRoot(next.map(hashLeaf), lo, depth, siblings) }
}

/**
 * Writes `bytes` at byte `at` of the `T_24` tree `root`: the leaves they lie in are opened from the
 * witness (their other bytes kept); returns the new root.
 */
export function writeBytes(r: ItemReader, what: string, root: Uint8Array, at: number, bytes: Uint8Array): Uint8Array {
  if (bytes.length === 0) return root
  if (at + bytes.length > 32 * 2 ** 24) throw new WitnessError(`${what}: bytes ${at}–${at + bytes.length} are past a tree of 2^24 leaves`)
  const lo = Math.floor(at / 32)
  const hi = Math.floor((at + bytes.length - 1) / 32)
  const range = openRange(r, what, root, lo, hi, 24)
  const all = join(range.leaves)
  all.set(bytes, at - lo * 32)
  return range.rootWith(Array.from({ length: hi - lo + 1 }, (_, i) => all.subarray(i * 32, i * 32 + 32)))
}

/** `T_d(bytes)`: the whole tree of a byte string, for outputs and initcode. */
export function bytesRoot(bytes: Uint8Array, depth = 24): Uint8Array {
  let level: Uint8Array[] = []
  for (let i = 0; i < bytes.length; i += 32) {
    const c = new Uint8Array(32)
    c.set(bytes.subarray(i, i + 32))
    level.push(c)
  }
  for (let h = 0; h < depth; h++) {
    if (level.length % 2 === 1) level.push(zeroRoot(h))
    const up: Uint8Array[] = []
    for (let i = 0; i < level.length; i += 2) up.push(keccak(level[i] as Uint8Array, level[i + 1] as Uint8Array))
    level = up
  }
  return level[0] ?? zeroRoot(depth)
}

// ---- views (SPEC.md §2.3) ----

/** The view of no bytes. */
export const emptyView = (): View => ({ root: bytesRoot(new Uint8Array()), offset: 0, size: 0 })

/** `size` bytes of the tree `root` from byte `offset`; the view of no bytes when `size` is 0 (wherever it points). */
export const viewOf = (root: Uint8Array, offset: bigint, size: bigint): View =>
  size === 0n ? emptyView() : { root, offset: Number(offset), size: Number(size) }

/** A view of a whole byte string, in a tree of its own (a transaction's data, a precompile's output). */
export const ownView = (bytes: Uint8Array): View => viewOf(bytesRoot(bytes), 0n, BigInt(bytes.length))

/**
 * Bytes `[from, from + len)` of a view, those past its size zero: the leaves they lie in are opened
 * from the witness (none when every byte asked for is past the size).
 */
export function readView(r: ItemReader, what: string, v: View, from: bigint, len: bigint): Uint8Array {
  const out = new Uint8Array(Number(len))
  if (len === 0n || from >= BigInt(v.size)) return out
  const end = from + len < BigInt(v.size) ? from + len : BigInt(v.size)
  const [start, stop] = [BigInt(v.offset) + from, BigInt(v.offset) + end]
  const lo = Number(start / 32n)
  const hi = Number((stop - 1n) / 32n)
  const bytes = join(openRange(r, what, v.root, lo, hi, 24).leaves)
  out.set(bytes.subarray(Number(start) - lo * 32, Number(stop) - lo * 32))
  return out
}

/** The code tree `C(code)`: leaf i = H(chunk ‖ mask), jump destinations found by this checker's own scan. */
export function codeRoot(code: Uint8Array): Uint8Array {
  const dest = new Uint8Array(code.length)
  for (let pc = 0; pc < code.length; pc++) {
    const op = code[pc] as number
    if (op === 0x5b) dest[pc] = 1
    if (op >= 0x60 && op <= 0x7f) pc += op - 0x5f
  }
  const leaves: Uint8Array[] = []
  for (let i = 0; i * 32 < code.length; i++) {
    const leaf = new Uint8Array(36)
    leaf.set(code.subarray(i * 32, i * 32 + 32))
    for (let j = 0; j < 32; j++) if (dest[i * 32 + j] === 1) (leaf[32 + (j >> 3)] as number) |= 0x80 >> (j & 7)
    leaves.push(keccak(leaf))
  }
  let level = leaves
  for (let h = 0; h < 16; h++) {
    if (level.length % 2 === 1) level.push(zeroRoot(h))
    const up: Uint8Array[] = []
    for (let i = 0; i < level.length; i += 2) up.push(keccak(level[i] as Uint8Array, level[i + 1] as Uint8Array))
    level = up
  }
  return level[0] ?? zeroRoot(16)
}

// ---- indexed maps (SPEC.md §1) ----

const MAP_DEPTH = 24

interface MapLeaf {
  index: number
  key: bigint
  value: bigint
  nextKey: bigint
  siblings: Uint8Array[]
}

const mapLeafHash = (key: bigint, value: bigint, nextKey: bigint) => keccak(be(key), be(value), be(nextKey))

function fold(leaf: Uint8Array, index: number, siblings: readonly Uint8Array[]): Uint8Array {
  let node = leaf
  for (let h = 0, i = index; h < siblings.length; h++, i >>= 1)
    node = i % 2 === 0 ? keccak(node, siblings[h] as Uint8Array) : keccak(siblings[h] as Uint8Array, node)
  return node
}

/** A map item: count (32) ‖ index (4) ‖ key ‖ value ‖ nextKey ‖ 24 siblings. */
function readMapLeaf(r: ItemReader, what: string): MapLeaf & { count: number } {
  const b = r.next(what, 32 + 4 + 96 + MAP_DEPTH * 32)
  const at = (i: number) => b.subarray(36 + i * 32, 68 + i * 32)
  return {
    count: Number(num(b.subarray(0, 32))),
    index: Number(num(b.subarray(32, 36))),
    key: num(at(0)),
    value: num(at(1)),
    nextKey: num(at(2)),
    siblings: Array.from({ length: MAP_DEPTH }, (_, i) => b.slice(132 + i * 32, 164 + i * 32)),
  }
}

/**
 * A key's entry in an indexed map, from one map item: its value (or absence), and a function that
 * writes a value for it (reading the second path an insert needs) and returns the new commitment.
 */
export function openMapKey(
  r: ItemReader,
  what: string,
  commitment: Uint8Array,
  key: bigint,
): { value: bigint | undefined; write(value: bigint): Uint8Array } {
  const l = readMapLeaf(r, what)
  const count = l.count
  const root = fold(mapLeafHash(l.key, l.value, l.nextKey), l.index, l.siblings)
  if (l.index >= count || !equal(keccak(root, be(count)), commitment)) throw new WitnessError(`${what}: the leaf is not in the map`)
  const present = l.key === key
  if (!present && !(l.key < key && (l.nextKey > key || l.nextKey === 0n)))
    throw new WitnessError(`${what}: leaf ${l.index} neither holds the key nor sits just below it`)
  return {
    value: present ? l.value : undefined,
    write(value: bigint): Uint8Array {
      if (present) return keccak(fold(mapLeafHash(key, value, l.nextKey), l.index, l.siblings), be(count))
      if (count >= 2 ** MAP_DEPTH) throw new WitnessError(`${what} is full`)
      const lowRoot = fold(mapLeafHash(l.key, l.value, key), l.index, l.siblings)
      const path = r.words(`${what} insert path`, MAP_DEPTH)
      if (!equal(fold(new Uint8Array(32), count, path), lowRoot))
        throw new WitnessError(`${what}: the insert path is not the next free leaf's`)
      return keccak(fold(mapLeafHash(key, value, l.nextKey), count, path), be(count + 1))
    },
  }
}

/** The number of leaves of a map (the sentinel included), from its commitment's preimage `treeRoot ‖ count`. */
export function openMapCount(r: ItemReader, what: string, commitment: Uint8Array): number {
  const b = r.next(`${what} root and count`, 64)
  if (!equal(keccak(b), commitment)) throw new WitnessError(`${what}: the root and count do not hash to the map`)
  return Number(num(b.subarray(32, 64)))
}

/** The key of leaf `index` of a map (a map item at that index). */
export function openMapLeafAt(r: ItemReader, what: string, commitment: Uint8Array, index: number): bigint {
  const l = readMapLeaf(r, what)
  const root = fold(mapLeafHash(l.key, l.value, l.nextKey), l.index, l.siblings)
  if (l.index !== index || l.index >= l.count || !equal(keccak(root, be(l.count)), commitment))
    throw new WitnessError(`${what}: the item is not leaf ${index} of the map`)
  return l.key
}

/**
 * The hash of a sub-state with nothing in it (SPEC.md §2.1): no refund, no logs (the empty tree, the
 * empty bloom), the three maps empty, no deposit error; its request streams the block's (`requests`).
 */
export function emptySubstateHash(requests: Uint8Array): Uint8Array {
  const empty = emptyMapCommitment()
  return keccak(
    writeSubstate({
      refund: 0n,
      logsRoot: zeroRoot(24),
      logsSize: 0n,
      selfdestructMap: empty,
      createdMap: empty,
      touchedMap: empty,
      bloomHash: keccak(new Uint8Array(256)),
      requests,
      depositError: false,
    }),
  )
}

/** The commitment of an empty map: the sentinel alone. */
export function emptyMapCommitment(): Uint8Array {
  let node: Uint8Array = mapLeafHash(0n, 0n, 0n)
  let zero: Uint8Array = new Uint8Array(32)
  for (let h = 0; h < MAP_DEPTH; h++) {
    node = keccak(node, zero)
    zero = keccak(zero, zero)
  }
  return keccak(node, be(1n))
}

/** The commitment of a map holding exactly `keys` (value 1), inserted in ascending order (SPEC.md §1). */
export function mapCommitmentOf(keys: readonly bigint[]): Uint8Array {
  const sorted = [...new Set(keys)].sort((a, b) => (a < b ? -1 : 1))
  if (sorted.includes(0n)) throw new Error('a map key cannot be 0')
  const chain = [0n, ...sorted]
  let level: Uint8Array[] = chain.map((k, i) => mapLeafHash(k, i === 0 ? 0n : 1n, chain[i + 1] ?? 0n))
  let zero: Uint8Array = new Uint8Array(32)
  for (let h = 0; h < MAP_DEPTH; h++) {
    const up: Uint8Array[] = []
    for (let i = 0; i < level.length; i += 2) up.push(keccak(level[i] as Uint8Array, level[i + 1] ?? zero))
    level = up
    zero = keccak(zero, zero)
  }
  return keccak(level[0] as Uint8Array, be(chain.length))
}

/** A frame entering its code: pc 0, running, nothing on its stack, in its memory, returned or output yet, no calldata unless given. */
export function freshFrame(
  f: Pick<FrameState, 'kind' | 'depth' | 'gas' | 'address' | 'codeAddress' | 'caller' | 'value' | 'codeRoot' | 'codeSize'> &
    Partial<FrameState>,
): FrameState {
  return {
    status: 0,
    isStatic: false,
    pc: 0,
    stackSize: 0,
    memoryWords: 0,
    stackHash: new Uint8Array(32),
    memoryRoot: bytesRoot(new Uint8Array()),
    calldata: emptyView(),
    returnData: emptyView(),
    output: emptyView(),
    retOffset: 0,
    retSize: 0,
    progress: 0,
    sponge: new Uint8Array(32),
    ...f,
  }
}
