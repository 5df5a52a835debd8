/**
 * Writes contracts/test/vectors/mpt.json: `pnpm gen:mpt-vectors`.
 *
 * Reads and writes of deterministic pseudo-random Merkle–Patricia tries built with @ethereumjs/mpt, each
 * with the node list its witness holds (a read: createMerkleProof; a write: the generator's writeNodes)
 * and the library's answer, for contracts/src/evm/lib/Mpt.sol (contracts/test/Mpt.t.sol). Every vector
 * is also replayed on the checker's proofTrie, and a write's root is held to the root of the trie rebuilt
 * from scratch with the written key set, so the file holds only answers two ways agree on.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  BranchMPTNode,
  createMerkleProof,
  createMPT,
  ExtensionMPTNode,
  LeafMPTNode,
  type MerklePatriciaTrie,
  type MPTNode,
} from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import { bytesToHex, equalsBytes } from '@ethereumjs/util'
import { REPO_ROOT } from '@stepproof/block-traces'
import { EMPTY_CODE_HASH, EMPTY_TRIE_ROOT, encodeAccount, proofTrie } from '../src/check/mpt.ts'
import { H } from '../src/commit/hash.ts'
import { writeNodes } from '../src/trace/witness-parts.ts'

const OUT = 'contracts/test/vectors/mpt.json'
const REGENERATE = 'pnpm gen:mpt-vectors'
/** At most this many vectors of one kind from one trie. */
const PER_KIND = 5

type Op = 'get' | 'put' | 'delete'

/** One read or write; fields in alphabetical order, as forge's vm.parseJson decodes objects. */
interface Vector {
  hashed: boolean
  key: string
  /** What the operation meets on its walk (e.g. "put: a new key splits a leaf"). */
  kind: string
  /** The witness item: the RLP list of the nodes the operation walks. */
  nodes: string
  op: Op
  /** The root after a write (a read: the root). */
  post: string
  root: string
  trie: string
  /** A put's value, a read's answer (empty: absent); a delete's is empty. */
  value: string
}

/** A trie to build: its entries, and the keys the operations try that it lacks. */
interface TrieSpec {
  name: string
  /** Keyed by keccak256(key) (a secure trie, as the state's). */
  hashed: boolean
  /** Built on keccak256(key) directly, for a trie whose other keys are chosen hashes (no preimage). */
  prehashed?: boolean
  /** The trie's keys as the library stores them (a prehashed trie's: the hashes) and values. */
  entries: [Uint8Array, Uint8Array][]
  /** The keys of entries the operations try (default: the first 12). */
  present?: Uint8Array[]
  absent: Uint8Array[]
  newValue: () => Uint8Array
}

/** Deterministic bytes: keccak256 of a label and a counter. */
function stream(label: string) {
  let n = 0
  const seed = new TextEncoder().encode(label)
  const next = (len: number): Uint8Array => {
    const out = new Uint8Array(len)
    for (let at = 0; at < len; at += 32) {
      const counter = new Uint8Array(8)
      new DataView(counter.buffer).setBigUint64(0, BigInt(n++))
      out.set(H(seed, counter).subarray(0, Math.min(32, len - at)), at)
    }
    return out
  }
  const int = (below: number) => Number(new DataView(next(4).buffer).getUint32(0) % below)
  return { bytes: next, int, pick: <T>(xs: readonly T[]): T => xs[int(xs.length)] as T }
}

const nibbles = (b: Uint8Array) => Array.from(b).flatMap((x) => [x >> 4, x & 15])
const hex = (b: Uint8Array) => bytesToHex(b)

/** A key whose keccak256 starts with the nibbles `prefix` and whose next nibble is not `not`. */
function grind(r: ReturnType<typeof stream>, prefix: number[], not?: number): Uint8Array {
  for (;;) {
    const key = r.bytes(20)
    const n = nibbles(H(key))
    if (prefix.every((x, i) => n[i] === x) && n[prefix.length] !== not) return key
  }
}

function randomAccount(r: ReturnType<typeof stream>): Uint8Array {
  const contract = r.int(3) === 0
  return encodeAccount({
    nonce: BigInt(r.int(4) === 0 ? 0 : r.int(100_000)),
    balance: r.int(5) === 0 ? 0n : BigInt(hex(r.bytes(1 + r.int(12)))),
    storageRoot: contract ? r.bytes(32) : EMPTY_TRIE_ROOT,
    codeHash: contract ? r.bytes(32) : EMPTY_CODE_HASH,
  })
}

/** Values of lengths that make some leaves inline (under 32 bytes with their path) and some not. */
const randomValues = (r: ReturnType<typeof stream>) => () => r.bytes(r.pick([1, 1, 2, 3, 5, 10, 20, 33, 64, 120]))

function secure(n: number): TrieSpec {
  const r = stream(`secure-${n}`)
  const value = randomValues(r)
  return {
    name: `secure-${n}`,
    hashed: true,
    entries: Array.from({ length: n }, () => [r.bytes(r.pick([20, 32])), value()]),
    absent: Array.from({ length: 8 }, () => r.bytes(32)),
    newValue: value,
  }
}

/**
 * A secure trie whose keys' hashes share prefixes, for extensions: under a, one leaf of ab and a branch of
 * abc (an extension b above them); under 5, a leaf of 51 and an extension 7 over two keys of 527.
 */
function clustered(): TrieSpec {
  const r = stream('secure-clustered')
  const value = randomValues(r)
  const keys = [
    grind(r, [0xa, 0xb], 0xc),
    ...Array.from({ length: 3 }, () => grind(r, [0xa, 0xb, 0xc])),
    grind(r, [5, 1]),
    ...Array.from({ length: 2 }, () => grind(r, [5, 2, 7])),
    ...Array.from({ length: 5 }, () => r.bytes(20)),
  ]
  return {
    name: 'secure-clustered',
    hashed: true,
    entries: keys.map((k) => [k, value()]),
    absent: [
      ...Array.from({ length: 3 }, () => grind(r, [0xa], 0xb)),
      ...Array.from({ length: 2 }, () => grind(r, [5, 2], 7)),
      grind(r, [0xa, 0xb, 0xd]),
      grind(r, [5, 3]),
    ],
    newValue: value,
  }
}

function accounts(n: number): TrieSpec {
  const r = stream(`accounts-${n}`)
  return {
    name: `accounts-${n}`,
    hashed: true,
    entries: Array.from({ length: n }, () => [r.bytes(20), randomAccount(r)]),
    absent: Array.from({ length: 8 }, () => r.bytes(20)),
    newValue: () => randomAccount(r),
  }
}

/**
 * An account trie as deep as mainnet's on one path: the hash of address A under full branches at depths
 * 0 … 5 and a branch of two at depth 6, its leaf the 8th node (the other keys are chosen hashes, no
 * addresses). Its read and write of A are the gas figures.
 */
const DEEP_ACCOUNT = stream('accounts-deep-address').bytes(20)
function deepAccounts(): TrieSpec {
  const r = stream('accounts-deep')
  const path = nibbles(H(DEEP_ACCOUNT))
  const hashes: Uint8Array[] = []
  const under = (prefix: number[]) => {
    const tail = nibbles(r.bytes(32)).slice(prefix.length)
    const all = [...prefix, ...tail]
    return Uint8Array.from({ length: 32 }, (_, i) => ((all[2 * i] as number) << 4) | (all[2 * i + 1] as number))
  }
  for (let d = 0; d < 6; d++) for (let x = 0; x < 16; x++) if (x !== path[d]) hashes.push(under([...path.slice(0, d), x]))
  hashes.push(under([...path.slice(0, 6), ((path[6] as number) + 1) % 16]))
  return {
    name: 'accounts-deep',
    hashed: true,
    prehashed: true,
    entries: [H(DEEP_ACCOUNT), ...hashes].map((h) => [h, randomAccount(r)]),
    present: [DEEP_ACCOUNT],
    absent: [r.bytes(20), r.bytes(20)],
    newValue: () => randomAccount(r),
  }
}

/** A transaction- or receipt-like list trie: keys rlp(index), not hashed. */
function list(n: number): TrieSpec {
  const r = stream(`list-${n}`)
  const value = randomValues(r)
  return {
    name: `list-${n}`,
    hashed: false,
    entries: Array.from({ length: n }, (_, i) => [RLP.encode(i), value()]),
    absent: [n, n + 1, n + 7, n + 16, n + 40, 2 * n + 3, 1000, 70_000].map((i) => RLP.encode(i)).concat([r.bytes(2), r.bytes(3)]),
    newValue: value,
  }
}

/** Keys some of which are prefixes of others, for a branch's own value (no Ethereum trie has one). */
function prefixKeys(): TrieSpec {
  const r = stream('prefix-keys')
  const value = randomValues(r)
  const alphabet = [0x01, 0x12, 0x13, 0x21]
  const word = () => Uint8Array.from({ length: 1 + r.int(3) }, () => r.pick(alphabet))
  const keys = new Map<string, Uint8Array>()
  while (keys.size < 14) {
    const k = word()
    keys.set(hex(k), k)
  }
  const absent = new Map<string, Uint8Array>()
  while (absent.size < 8) {
    const k = word()
    if (!keys.has(hex(k))) absent.set(hex(k), k)
  }
  return {
    name: 'prefix-keys',
    hashed: false,
    entries: [...keys.values()].map((k) => [k, value()]),
    absent: [...absent.values()],
    newValue: value,
  }
}

/** The key the ethereumjs trie is keyed by, and the one its walk (findPath) follows. */
const stored = (t: TrieSpec, key: Uint8Array) => (t.prehashed ? H(key) : key)
const walked = (t: TrieSpec, key: Uint8Array) => (t.hashed ? H(key) : key)

async function build(t: TrieSpec, entries: Iterable<[Uint8Array, Uint8Array]>): Promise<MerklePatriciaTrie> {
  const trie = await createMPT({ useKeyHashing: t.hashed && !t.prehashed })
  for (const [k, v] of entries) await trie.put(k, v)
  return trie
}

/** writeNodes for a trie whose keys are not hashed by the library (it builds a key-hashing trie). */
async function plainWriteNodes(full: MerklePatriciaTrie, key: Uint8Array, value: Uint8Array | undefined): Promise<Uint8Array[]> {
  const nodes = await createMerkleProof(full, key)
  for (let round = 0; round < 16; round++) {
    const t = await createMPT({ useKeyHashing: false })
    const db = t.database()
    for (const n of nodes) await db.put(H(n), n)
    t.root(full.root())
    const missing: Uint8Array[] = []
    const get = db.get.bind(db)
    db.get = async (k: Uint8Array) => {
      const v = await get(k)
      if (v === undefined) missing.push(k)
      return v
    }
    try {
      if (value === undefined) await t.del(key)
      else await t.put(key, value)
      return nodes
    } catch (e) {
      if (missing.length === 0) throw e
      for (const k of missing) nodes.push((await full.database().get(k)) as Uint8Array)
    }
  }
  throw new Error('a trie write needed more than 16 rounds of nodes')
}

/** What the operation meets on its walk of `full`. */
async function kindOf(full: MerklePatriciaTrie, path: Uint8Array, op: Op): Promise<string> {
  if (equalsBytes(full.root(), EMPTY_TRIE_ROOT)) return `${op}: the empty trie`
  const { node, stack } = await full.findPath(path)
  const last = stack[stack.length - 1] as MPTNode
  const at = last instanceof BranchMPTNode ? 'at a branch' : last instanceof ExtensionMPTNode ? 'in an extension' : 'at a leaf'
  if (op === 'get') return node ? 'get: a present key' : `get: an absent key, diverging ${at}`
  if (op === 'put') {
    if (node) return 'put: replaces a value'
    if (last instanceof BranchMPTNode) return 'put: a new key at a branch'
    return `put: a new key splits ${last instanceof ExtensionMPTNode ? 'an extension' : 'a leaf'}`
  }
  if (!node) return 'delete: an absent key'
  if (stack.length === 1) return 'delete: the last key'
  if (node instanceof BranchMPTNode) return 'delete: a branch value'
  const parent = stack[stack.length - 2] as BranchMPTNode
  const nibble = nibbles(path)[stack.slice(0, -2).reduce((n, s) => n + (s instanceof BranchMPTNode ? 1 : s.keyLength()), 0)]
  const others = parent.getChildren().filter(([i]) => i !== nibble)
  const merged = stack[stack.length - 3] instanceof ExtensionMPTNode ? ', merged into the extension above' : ''
  if (others.length + (parent.value() === null ? 0 : 1) > 1) return 'delete: the branch keeps its other children'
  if (others.length === 0) return `delete: the branch collapses into a leaf of its value${merged}`
  const sibling = await full.lookupNode((others[0] as [number, Uint8Array | Uint8Array[]])[1])
  const into = sibling instanceof LeafMPTNode ? 'a leaf' : sibling instanceof ExtensionMPTNode ? 'an extension (joined)' : 'an extension'
  return `delete: the branch collapses into ${into}${merged}`
}

const counts = new Map<string, number>()
const disagreements: string[] = []

/** The vector of `op` on `key` (and `value`) of the trie `t` built as `full`, or undefined when ethereumjs disagrees with a rebuild. */
async function vector(t: TrieSpec, full: MerklePatriciaTrie, op: Op, key: Uint8Array, value?: Uint8Array): Promise<Vector | undefined> {
  const kind = await kindOf(full, walked(t, key), op)
  const root = full.root()
  let nodes: Uint8Array[]
  let post = root
  let answer = value ?? new Uint8Array()
  const checker = async (ns: Uint8Array[]) => proofTrie(root, RLP.encode(ns), t.name, t.hashed)
  if (op === 'get') {
    nodes = await createMerkleProof(full, stored(t, key))
    answer = (await full.get(stored(t, key))) ?? new Uint8Array()
    const got = await (await checker(nodes)).get(key)
    if (!equalsBytes(got ?? new Uint8Array(), answer)) throw new Error(`${t.name}: the checker reads ${hex(key)} otherwise`)
  } else {
    const written = op === 'put' ? value : undefined
    nodes = t.hashed && !t.prehashed ? await writeNodes(full, key, written) : await plainWriteNodes(full, stored(t, key), written)
    const copy = full.shallowCopy(false)
    if (written === undefined) await copy.del(stored(t, key))
    else await copy.put(stored(t, key), written)
    post = copy.root()
    const entries = new Map(t.entries.map(([k, v]) => [hex(k), [k, v] as [Uint8Array, Uint8Array]]))
    const k = stored(t, key)
    if (written === undefined) entries.delete(hex(k))
    else entries.set(hex(k), [k, written])
    const rebuilt = (await build(t, entries.values())).root()
    if (!equalsBytes(rebuilt, post)) {
      disagreements.push(`${t.name} ${kind} ${hex(key)}`)
      return undefined
    }
    const got = await (await checker(nodes)).set(key, written)
    if (!equalsBytes(got, post)) throw new Error(`${t.name}: the checker writes ${hex(key)} otherwise`)
  }
  return {
    hashed: t.hashed,
    key: hex(key),
    kind,
    nodes: hex(RLP.encode(nodes)),
    op,
    post: hex(post),
    root: hex(root),
    trie: t.name,
    value: hex(answer),
  }
}

/** Up to PER_KIND vectors of each kind of every operation on `t`'s trie. */
async function vectorsOf(t: TrieSpec): Promise<Vector[]> {
  const full = await build(t, t.entries)
  const present = t.present ?? t.entries.slice(0, 12).map(([k]) => k)
  const ops: [Op, Uint8Array, Uint8Array?][] = [
    ...present.map((k): [Op, Uint8Array] => ['get', k]),
    ...t.absent.map((k): [Op, Uint8Array] => ['get', k]),
    ...t.absent.map((k): [Op, Uint8Array, Uint8Array] => ['put', k, t.newValue()]),
    ...present.map((k): [Op, Uint8Array, Uint8Array] => ['put', k, t.newValue()]),
    ...present.map((k): [Op, Uint8Array] => ['delete', k]),
    ...t.absent.slice(0, 3).map((k): [Op, Uint8Array] => ['delete', k]),
  ]
  const taken = new Map<string, number>()
  const out: Vector[] = []
  for (const [op, key, value] of ops) {
    const v = await vector(t, full, op, key, value)
    if (v === undefined || (taken.get(v.kind) ?? 0) >= PER_KIND) continue
    taken.set(v.kind, (taken.get(v.kind) ?? 0) + 1)
    counts.set(v.kind, (counts.get(v.kind) ?? 0) + 1)
    out.push(v)
  }
  return out
}

const tries = [
  ...[0, 1, 2, 3, 5, 16, 64, 300].map(secure),
  clustered(),
  accounts(300),
  deepAccounts(),
  ...[1, 2, 3, 16, 130, 300].map(list),
  prefixKeys(),
]
const vectors: Vector[] = []
for (const t of tries) vectors.push(...(await vectorsOf(t)))

const deep = tries.find((t) => t.name === 'accounts-deep') as TrieSpec
const deepTrie = await build(deep, deep.entries)
const gas = [
  await vector(deep, deepTrie, 'get', DEEP_ACCOUNT),
  await vector(deep, deepTrie, 'put', DEEP_ACCOUNT, randomAccount(stream('accounts-deep-write'))),
] as Vector[]

const lines = vectors.map((v) => JSON.stringify(v))
const out = join(REPO_ROOT, OUT)
writeFileSync(out, `{"generatedBy":${JSON.stringify(REGENERATE)},\n"gas":${JSON.stringify(gas)},\n"vectors":[\n${lines.join(',\n')}\n]}\n`)
for (const [kind, n] of [...counts].sort()) console.log(`${String(n).padStart(4)}  ${kind}`)
if (disagreements.length > 0) console.log(`left out, ethereumjs's write disagreeing with a rebuilt trie: ${disagreements.join('; ')}`)
console.log(`${vectors.length} vectors and 2 gas vectors written to ${out}`)
