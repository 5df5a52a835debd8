/**
 * Where the block's lists end (SPEC.md §4; the generator's side is `listEndItems` in
 * src/trace/state.ts): the transactions and withdrawals tries keyed `rlp(index)`, whose ends are
 * proven by exclusion, so that no count the prover chooses can end a block early.
 */
import { RLP } from '@ethereumjs/rlp'
import { type BlockEnv, equal, keccak } from './layout.ts'
import { EMPTY_TRIE_ROOT } from './mpt.ts'
import { bytesRoot, readView } from './trees.ts'
import { type ItemReader, WitnessError } from './witness-reader.ts'

/**
 * The BytesOracle (SPEC.md §0, §5): byte strings posted before a step, each by its hash, as the tree
 * of its bytes and its size; a step reads only the ranges of it it needs. Here: trie leaves longer
 * than a step.
 */
export type BytesOracle = (hash: Uint8Array) => { root: Uint8Array; size: number } | undefined

/** The phase after the withdrawals (or where there are none): the system calls from Prague on, else the block's end. */
const afterWithdrawals = (forkId: number) => (forkId >= 2 ? 10 : 11)

type Node = Uint8Array | Node[]

/** The nibbles of a key, high first. */
export const nibbles = (b: Uint8Array): number[] => [...b].flatMap((x) => [x >> 4, x & 15])

/** A hex-prefix path (yellow paper, appendix C): its nibbles and whether it ends at a leaf. */
function hexPath(b: Uint8Array, what: string): { path: number[]; leaf: boolean } {
  const flag = (b[0] ?? 0xff) >> 4
  if (b.length === 0 || flag > 3 || (flag % 2 === 0 && ((b[0] as number) & 15) !== 0))
    throw new WitnessError(`${what}: a node's path is not hex-prefix encoded`)
  const all = nibbles(b)
  return { path: all.slice(flag % 2 === 1 ? 1 : 2), leaf: flag >= 2 }
}

const startsWith = (key: readonly number[], at: number, path: readonly number[]) => path.every((n, i) => key[at + i] === n)

/**
 * Whether entry `index` of a list trie (transactions, withdrawals: keyed `rlp(index)`, not hashed)
 * exists, walked by the checker itself from the proof item: an RLP list of the nodes on the key's
 * path, each by its bytes — or, for a leaf longer than a step, the list `[hash]` naming a leaf posted
 * to the BytesOracle, whose head (its path) the next item opens from the oracle's tree. Every node
 * must lie on the path.
 */
export async function listHas(r: ItemReader, root: Uint8Array, index: number, what: string, oracle?: BytesOracle): Promise<boolean> {
  return (await listLeaf(r, root, index, what, oracle)) !== undefined
}

/**
 * A present leaf of a list trie: the leaf node's bytes as a tree (`T_24`, its root and size), where
 * its value lies in them, and the node itself when the proof carried it inline (a step then reads
 * the value from it, not through the tree).
 */
export interface LeafPlace {
  root: Uint8Array
  size: number
  valueOffset: number
  valueSize: number
  node?: Uint8Array
}

/** listHas's walk: the leaf of `rlp(index)` where it is present, else undefined. */
export async function listLeaf(
  r: ItemReader,
  root: Uint8Array,
  index: number,
  what: string,
  oracle?: BytesOracle,
): Promise<LeafPlace | undefined> {
  let items: Node
  try {
    items = RLP.decode(r.next(`${what} proof`)) as Node
  } catch (e) {
    throw new WitnessError(`${what}: the node list is not RLP (${(e as Error).message})`)
  }
  if (!Array.isArray(items)) throw new WitnessError(`${what}: the proof is not a list of nodes`)
  const nodes = new Map<string, Uint8Array>()
  const posted = new Set<string>()
  for (const item of items) {
    const id =
      item instanceof Uint8Array
        ? Buffer.from(keccak(item)).toString('hex')
        : item.length === 1 && item[0] instanceof Uint8Array && item[0].length === 32
          ? Buffer.from(item[0]).toString('hex')
          : undefined
    if (id === undefined) throw new WitnessError(`${what}: a proof entry is neither a node nor a posted leaf's [hash]`)
    if (nodes.has(id) || posted.has(id)) throw new WitnessError(`${what}: the proof lists a node twice`)
    if (item instanceof Uint8Array) nodes.set(id, item)
    else posted.add(id)
  }
  if (equal(root, EMPTY_TRIE_ROOT)) {
    if (items.length > 0) throw new WitnessError(`${what}: the trie is empty, and the proof is not`)
    return undefined
  }
  const used = new Set<string>()
  const key = nibbles(RLP.encode(index))
  let at = 0
  let ref: Node = root
  for (;;) {
    let node: Node
    let raw: Uint8Array
    if (ref instanceof Uint8Array && ref.length === 32) {
      const id = Buffer.from(ref).toString('hex')
      used.add(id)
      if (posted.has(id)) return ended(used, nodes, posted, what, postedLeaf(r, ref, key.slice(at), what, oracle))
      const bytes = nodes.get(id)
      if (bytes === undefined) throw new WitnessError(`${what}: the proof misses a node on the path of key ${index}`)
      raw = bytes
      node = RLP.decode(raw) as Node
    } else {
      // An inline child (a node under 32 bytes); a proof may list it too (ethereumjs's does).
      node = ref
      raw = RLP.encode(ref)
      const id = Buffer.from(keccak(raw)).toString('hex')
      if (nodes.has(id)) used.add(id)
    }
    if (!Array.isArray(node)) throw new WitnessError(`${what}: a node is not a list`)
    let next: Node | undefined
    if (node.length === 17) {
      const child: Node | undefined = node[key[at] as number]
      at++
      if (key[at - 1] === undefined || child === undefined) throw new WitnessError(`${what}: a branch where the key has ended`)
      next = child instanceof Uint8Array && child.length === 0 ? undefined : child
    } else if (node.length === 2 && node[0] instanceof Uint8Array) {
      const { path, leaf } = hexPath(node[0], what)
      const matches = startsWith(key, at, path) && (leaf ? at + path.length === key.length : at + path.length < key.length)
      at += path.length
      next = matches && !leaf ? node[1] : undefined
      if (matches && leaf) {
        const head = leafHead(raw.subarray(0, 64), raw.length, what)
        return ended(used, nodes, posted, what, { root: bytesRoot(raw), size: raw.length, ...head.value, node: raw })
      }
    } else throw new WitnessError(`${what}: a node is neither a branch, an extension nor a leaf`)
    if (next === undefined) return ended(used, nodes, posted, what, undefined)
    ref = next
  }
}

function ended<T>(used: Set<string>, nodes: Map<string, Uint8Array>, posted: Set<string>, what: string, present: T): T {
  if (used.size !== nodes.size + posted.size) throw new WitnessError(`${what}: the proof has nodes off the key's path`)
  return present
}

/**
 * A posted leaf on the walk: the oracle's tree of its node, whose first chunks (the list's header and
 * the hex-prefix path) the next item opens; present when its path is the rest of the key.
 */
function postedLeaf(r: ItemReader, hash: Uint8Array, rest: number[], what: string, oracle: BytesOracle | undefined): LeafPlace | undefined {
  const leaf = oracle?.(hash)
  if (leaf === undefined) throw new WitnessError(`${what}: the leaf ${Buffer.from(hash).toString('hex')} is not posted to the bytes oracle`)
  const head = leafHead(readView(r, `${what} posted leaf`, { root: leaf.root, offset: 0, size: leaf.size }, 0n, 64n), leaf.size, what)
  if (!head.isLeaf) throw new WitnessError(`${what}: a posted node is not a leaf`)
  return head.nibs.length === rest.length && startsWith(rest, 0, head.nibs) ? { ...leaf, ...head.value } : undefined
}

/**
 * A leaf node `rlp([hp(path), value])` from its first 64 bytes (and its size): the path and where the
 * value lies. The value, a string, must end the node: a node of any other shape (a branch whose first
 * child's hash reads as a path) is refused, so that a posted node cannot stand for what it is not.
 */
function leafHead(head: Uint8Array, size: number, what: string) {
  const b = head[0] ?? 0
  let payloadStart: number
  let payload: number
  if (b >= 0xc0 && b <= 0xf7) [payloadStart, payload] = [1, b - 0xc0]
  else if (b > 0xf7 && b - 0xf7 <= 8) {
    payloadStart = 1 + (b - 0xf7)
    payload = 0
    for (let i = 1; i < payloadStart; i++) payload = payload * 256 + (head[i] as number)
  } else throw new WitnessError(`${what}: a leaf is not an RLP list`)
  if (payloadStart + payload !== size) throw new WitnessError(`${what}: a leaf's list header is not its size`)
  const at = payloadStart
  const first = head[at] as number
  const path = first < 0x80 ? head.subarray(at, at + 1) : first <= 0xa1 ? head.subarray(at + 1, at + 1 + first - 0x80) : undefined
  if (path === undefined || path.length === 0) throw new WitnessError(`${what}: a leaf's path is not a short string`)
  const { path: nibs, leaf: isLeaf } = hexPath(path, what)
  const q = at + (first < 0x80 ? 1 : 1 + path.length)
  const v = head[q] as number
  let valueOffset: number
  let valueSize: number
  if (v < 0x80) [valueOffset, valueSize] = [q, 1]
  else if (v <= 0xb7) [valueOffset, valueSize] = [q + 1, v - 0x80]
  else if (v <= 0xbf) {
    valueOffset = q + 1 + (v - 0xb7)
    valueSize = 0
    for (let i = 1; i <= v - 0xb7; i++) valueSize = valueSize * 256 + (head[q + i] as number)
  } else throw new WitnessError(`${what}: a leaf's value is not a string`)
  if (valueOffset + valueSize !== size) throw new WitnessError(`${what}: a node is not a leaf of two items`)
  return { nibs, isLeaf, value: { valueOffset, valueSize } }
}

/**
 * The phase after withdrawal `index − 1` (or before the first): WITHDRAWAL while `rlp(index)` is in
 * `withdrawalsRoot`, else the system calls or the block's end. The list's end is proven by exclusion,
 * so no count in blockEnv can end a block early.
 */
export async function afterWithdrawal(r: ItemReader, env: BlockEnv, index: number, forkId: number): Promise<number> {
  return (await listHas(r, env.withdrawalsRoot, index, 'withdrawals')) ? 9 : afterWithdrawals(forkId)
}

/**
 * The phase before the block's first transaction (after block-hashes): TX_START while `rlp(txIndex)` is in
 * `transactionsRoot`, else what follows the withdrawals' start. (After a transaction, tx-receipt reads
 * only the transactions trie: the receipts-trie steps come before the withdrawals.)
 */
export async function afterTransaction(
  r: ItemReader,
  env: BlockEnv,
  txIndex: number,
  forkId: number,
  oracle?: BytesOracle,
): Promise<number> {
  return (await listHas(r, env.transactionsRoot, txIndex, 'transactions', oracle)) ? 1 : afterWithdrawal(r, env, 0, forkId)
}
