/**
 * Writes contracts/test/vectors/mpt.json: `pnpm gen:mpt-vectors`.
 *
 * Reads and writes of deterministic pseudo-random Merkle–Patricia tries built with @ethereumjs/mpt, each
 * with the node list its witness holds (a read: createMerkleProof; a write: the generator's writeNodes)
 * and the library's answer, for contracts/src/evm/lib/Mpt.sol (contracts/test/Mpt.t.sol). Every vector
 * is also replayed on the checker's proofTrie, and a write's root is held to the root of the trie rebuilt
 * from scratch with the written key set, so the file holds only answers two ways agree on.
 *
 * Sequences of reads and writes on one node set (as a CALL's or a SELFDESTRUCT's witness): the node
 * list is the union of each operation's, taken as above on the trie as it evolves, less the nodes an
 * earlier write of the sequence created (the checker's trie holds them, as the library's set must), so
 * that it is what the witness must bring; each operation's answer is the full trie's, held as above,
 * and the checker's proofTrie replays the whole sequence on the one list, and again without each node
 * in turn, which gives where it stops.
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
import { WitnessError } from '../src/check/errors.ts'
import { type Account, decodeAccount, EMPTY_CODE_HASH, EMPTY_TRIE_ROOT, encodeAccount, proofTrie } from '../src/check/mpt.ts'
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

/** One operation of a sequence; fields in alphabetical order. */
interface Operation {
  key: string
  op: Op
  /** The root after it (a read: the root it reads). */
  post: string
  /** A put's value, a read's answer (empty: absent); a delete's is empty. */
  value: string
}

/** Operations run in turn on one node set, each on the root the one before leaves; fields in alphabetical order. */
interface Sequence {
  hashed: boolean
  /** What the sequence does (e.g. "a key deleted, then a sibling inserted"). */
  kind: string
  /** The witness item: the union of the operations' node lists on the trie as it evolves, less the nodes the sequence's writes created. */
  nodes: string
  ops: Operation[]
  root: string
  /** For each node of the list, the operation the checker stops at without it (ops.length: none does). */
  stopsAt: number[]
  trie: string
}

/** An operation to run: a read or a delete of a key, or a put of a key and value. */
type Planned = [Op, Uint8Array, Uint8Array?]

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
 * An account trie as deep as mainnet's on the paths of the addresses `deep`: the hash of each under full
 * branches at depths 0 … 5 and a branch of two at depth 6, its leaf the 8th node (the other keys are
 * chosen hashes, no addresses). Its read and write of address A are the gas figures, and a transfer
 * between A and B of the pair trie's (their paths part at the root).
 */
const DEEP_ACCOUNT = stream('accounts-deep-address').bytes(20)
const DEEP_PAIR = ((r) => {
  const a = r.bytes(20)
  let b = r.bytes(20)
  while (nibbles(H(b))[0] === nibbles(H(a))[0]) b = r.bytes(20)
  return [a, b]
})(stream('accounts-deep-pair-addresses'))
function deepAccounts(name: string, deep: Uint8Array[]): TrieSpec {
  const r = stream(name)
  const hashes: Uint8Array[] = []
  const under = (prefix: number[]) => {
    const tail = nibbles(r.bytes(32)).slice(prefix.length)
    const all = [...prefix, ...tail]
    return Uint8Array.from({ length: 32 }, (_, i) => ((all[2 * i] as number) << 4) | (all[2 * i + 1] as number))
  }
  for (const [i, a] of deep.entries()) {
    const path = nibbles(H(a))
    // The root is full after the first address.
    for (let d = i === 0 ? 0 : 1; d < 6; d++) for (let x = 0; x < 16; x++) if (x !== path[d]) hashes.push(under([...path.slice(0, d), x]))
    hashes.push(under([...path.slice(0, 6), ((path[6] as number) + 1) % 16]))
  }
  return {
    name,
    hashed: true,
    prehashed: true,
    entries: [...deep.map((a) => H(a)), ...hashes].map((h) => [h, randomAccount(r)]),
    present: deep,
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
    nodes = t.hashed && !t.prehashed ? await writeNodes(full, key, written) : await writeNodes(full, stored(t, key), written, false)
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
  deepAccounts('accounts-deep', [DEEP_ACCOUNT]),
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

const empty = new Uint8Array()
const sequenceCounts = new Map<string, number>()
/** Sequences with a write that leaves a root under 32 bytes (found by its hash all the same), and node removals that stop a later operation. */
let smallRoots = 0
let laterStops = 0

/**
 * The checker's answers (a read's value, a write's root) to the operations of `plan` on one proofTrie of
 * `nodes` from `root`, up to the one it stops at (a missing node, a WitnessError): as many as it answers.
 */
async function replay(t: TrieSpec, root: Uint8Array, nodes: Uint8Array[], plan: Planned[]) {
  const trie = await proofTrie(root, RLP.encode(nodes), t.name, t.hashed)
  const answers: string[] = []
  for (const [op, key, value] of plan) {
    try {
      answers.push(hex(op === 'get' ? ((await trie.get(key)) ?? empty) : await trie.set(key, value)))
    } catch (e) {
      if (!(e instanceof WitnessError)) throw e
      break
    }
  }
  return answers
}

const trieNodes = new WeakMap<MerklePatriciaTrie, Set<string>>()
/** Every node of the trie `t` built as `full` (each is on some key's path). */
async function nodesOf(t: TrieSpec, full: MerklePatriciaTrie): Promise<Set<string>> {
  let nodes = trieNodes.get(full)
  if (nodes === undefined) {
    nodes = new Set()
    for (const [k] of t.entries) for (const n of await createMerkleProof(full, k)) nodes.add(hex(n))
    trieNodes.set(full, nodes)
  }
  return nodes
}

/** The sequence `plan` on the trie `t` built as `full`, or undefined when ethereumjs's write disagrees with a rebuild. */
async function sequenceOf(t: TrieSpec, full: MerklePatriciaTrie, kind: string, plan: Planned[]): Promise<Sequence | undefined> {
  const before = await nodesOf(t, full)
  const trie = full.shallowCopy(false)
  const root = trie.root()
  const entries = new Map(t.entries.map(([k, v]) => [hex(k), [k, v] as [Uint8Array, Uint8Array]]))
  const nodes = new Map<string, Uint8Array>()
  const ops: Operation[] = []
  let small = false
  for (const [op, key, value] of plan) {
    const k = stored(t, key)
    const walks =
      op === 'get'
        ? await createMerkleProof(trie, k)
        : t.hashed && !t.prehashed
          ? await writeNodes(trie, key, value)
          : await writeNodes(trie, k, value, false)
    for (const n of walks) if (before.has(hex(n))) nodes.set(hex(n), n)
    if (op !== 'get') {
      if (value === undefined) entries.delete(hex(k))
      else entries.set(hex(k), [k, value])
      await trie.put(k, value ?? null)
      if (!equalsBytes((await build(t, entries.values())).root(), trie.root())) {
        disagreements.push(`${t.name} ${kind}: ${op} ${hex(key)}`)
        return undefined
      }
      small ||= !equalsBytes(trie.root(), EMPTY_TRIE_ROOT) && (await trie.lookupNode(trie.root())).serialize().length < 32
    }
    const answer = op === 'get' ? ((await trie.get(k)) ?? empty) : (value ?? empty)
    ops.push({ key: hex(key), op, post: hex(trie.root()), value: hex(answer) })
  }
  const expected = ops.map((o) => (o.op === 'get' ? o.value : o.post))
  const list = [...nodes.values()]
  const answers = await replay(t, root, list, plan)
  if (answers.join() !== expected.join()) throw new Error(`${t.name} ${kind}: the checker answers otherwise`)
  const stopsAt: number[] = []
  for (let i = 0; i < list.length; i++) {
    const partial = await replay(t, root, list.toSpliced(i, 1), plan)
    if (partial.some((a, j) => a !== expected[j])) throw new Error(`${t.name} ${kind}: without node ${i} the checker answers otherwise`)
    stopsAt.push(partial.length)
  }
  if (small) smallRoots++
  laterStops += stopsAt.filter((n) => n > 0 && n < plan.length).length
  sequenceCounts.set(kind, (sequenceCounts.get(kind) ?? 0) + 1)
  return { hashed: t.hashed, kind, nodes: hex(RLP.encode(list)), ops, root: hex(root), stopsAt, trie: t.name }
}

/** Nibbles the walk of `path` on `full` takes before its last node (where a key lands, or the walk leaves the trie). */
async function depthOf(full: MerklePatriciaTrie, path: Uint8Array): Promise<number> {
  if (equalsBytes(full.root(), EMPTY_TRIE_ROOT)) return 0
  const { stack } = await full.findPath(path)
  return stack.slice(0, -1).reduce((n, s) => n + (s instanceof BranchMPTNode ? 1 : s.keyLength()), 0)
}

/** At most this many nibbles of a ground key's hash are chosen (16^4 tries of keccak). */
const GRIND_NIBBLES = 4
/** Random operations per trie, besides the patterns. */
const RANDOM_SEQUENCES = 5

/** The sequences of `t`: each pattern the keys allow, then random ones of 2–5 operations. */
async function sequencesOf(t: TrieSpec): Promise<Sequence[]> {
  const r = stream(`sequences-${t.name}`)
  const full = await build(t, t.entries)
  const present = t.present ?? t.entries.map(([k]) => k)
  const value = t.newValue
  const fresh = () => (t.hashed ? r.bytes(20) : r.pick(t.absent))
  /** A key landing beside `key` on `trie`: in a secure trie, one whose hash shares the nibbles up to its slot. */
  const sibling = async (trie: MerklePatriciaTrie, key: Uint8Array) => {
    if (!t.hashed) return fresh()
    const depth = Math.min(GRIND_NIBBLES, (await depthOf(trie, H(key))) + 1)
    return grind(r, nibbles(H(key)).slice(0, depth))
  }
  const plans: [string, Planned[]][] = []
  const add = (kind: string, plan: Planned[]) => plans.push([kind, plan])
  const n1 = fresh()
  add('a new key written, then read back', [
    ['put', n1, value()],
    ['get', n1],
  ])
  add('the same new key written twice, then read', [
    ['put', n1, value()],
    ['put', n1, value()],
    ['get', n1],
  ])
  add('a key written, then deleted, then read', [
    ['put', n1, value()],
    ['delete', n1],
    ['get', n1],
  ])
  const after = await build(t, [...t.entries, [stored(t, n1), value()]])
  const n2 = await sibling(after, n1)
  add('two new keys sharing a branch written, then both read', [
    ['put', n1, value()],
    ['put', n2, value()],
    ['get', n1],
    ['get', n2],
  ])
  if (present.length > 0) {
    const p = r.pick(present)
    const s = await sibling(full, p)
    add('a present key rewritten twice, then read', [
      ['put', p, value()],
      ['put', p, value()],
      ['get', p],
    ])
    add('a key deleted, then a sibling inserted', [
      ['delete', p],
      ['put', s, value()],
      ['get', p],
      ['get', s],
    ])
    add('a key deleted, then written back', [
      ['delete', p],
      ['get', p],
      ['put', p, value()],
      ['get', p],
    ])
    const q = r.pick(present.filter((k) => k !== p).concat([fresh()]))
    add('a value transfer', [
      ['get', p],
      ['get', q],
      ['put', p, value()],
      ['put', q, value()],
    ])
    add('a selfdestruct to a beneficiary', [
      ['get', p],
      ['get', q],
      ['put', q, value()],
      ['delete', p],
      ['get', p],
    ])
  }
  if (present.length > 1) {
    // The two present keys whose hashes share the most nibbles: the second delete collapses their branch.
    const path = (k: Uint8Array) => nibbles(walked(t, k))
    const shared = (a: Uint8Array, b: Uint8Array) => path(a).findIndex((x, i) => x !== path(b)[i])
    const pairs = present.slice(0, 40).flatMap((a, i) => present.slice(i + 1, 40).map((b): [Uint8Array, Uint8Array] => [a, b]))
    const [a, b] = pairs.reduce((best, pair) => (shared(pair[0], pair[1]) > shared(best[0], best[1]) ? pair : best))
    add('two keys of a branch deleted in turn', [
      ['delete', a],
      ['delete', b],
      ['get', a],
      ['get', r.pick(present)],
    ])
  }
  if (present.length > 0 && present.length <= 3) {
    add('every key deleted, then one written', [...present.map((k): Planned => ['delete', k]), ['put', n1, value()], ['get', n1]])
  }
  for (let i = 0; i < RANDOM_SEQUENCES; i++) {
    const keys = [...present.slice(0, 20), fresh(), fresh()]
    const plan = Array.from({ length: 2 + r.int(4) }, (): Planned => {
      const op = r.pick(['get', 'get', 'put', 'put', 'delete'] as const)
      const key = r.pick(keys)
      return op === 'put' ? [op, key, value()] : [op, key]
    })
    add('random operations', plan)
  }
  const out: Sequence[] = []
  for (const [kind, plan] of plans) {
    const s = await sequenceOf(t, full, kind, plan)
    if (s !== undefined) out.push(s)
  }
  return out
}

/** Tries whose sequences would add no shape the others' have not (and would grow the file). */
const NO_SEQUENCES = ['secure-5', 'list-1', 'list-3', 'list-130', 'list-300']
const sequences: Sequence[] = []
for (const t of tries.filter((t) => !NO_SEQUENCES.includes(t.name))) sequences.push(...(await sequencesOf(t)))

/** The gas figure of a step's accounts (a CALL's transfer): A and B read, then A written, then B, on the deep pair trie. */
const pair = deepAccounts('accounts-deep-pair', DEEP_PAIR)
const pairTrie = await build(pair, pair.entries)
for (const a of DEEP_PAIR)
  if ((await pairTrie.findPath(H(a))).stack.length !== 8) throw new Error('a deep pair account is not the 8th node of its path')
const [from, to] = (await Promise.all(DEEP_PAIR.map(async (a) => decodeAccount((await pairTrie.get(H(a))) ?? undefined)))) as [
  Account,
  Account,
]
const [a, b] = DEEP_PAIR as [Uint8Array, Uint8Array]
const transfer = await sequenceOf(pair, pairTrie, 'a value transfer between two depth-7 accounts', [
  ['get', a],
  ['get', b],
  ['put', a, encodeAccount({ ...from, nonce: from.nonce + 1n, balance: from.balance / 2n })],
  ['put', b, encodeAccount({ ...to, balance: to.balance + from.balance - from.balance / 2n })],
])
if (transfer === undefined) throw new Error("the transfer's writes disagree with a rebuilt trie")

const lines = (xs: object[]) => xs.map((v) => JSON.stringify(v)).join(',\n')
const out = join(REPO_ROOT, OUT)
writeFileSync(
  out,
  `{"generatedBy":${JSON.stringify(REGENERATE)},\n"gas":${JSON.stringify(gas)},\n"transfer":${JSON.stringify(transfer)},\n"sequences":[\n${lines(sequences)}\n],\n"vectors":[\n${lines(vectors)}\n]}\n`,
)
for (const [kind, n] of [...counts].sort()) console.log(`${String(n).padStart(4)}  ${kind}`)
for (const [kind, n] of [...sequenceCounts].sort()) console.log(`${String(n).padStart(4)}  sequence: ${kind}`)
if (disagreements.length > 0) console.log(`left out, ethereumjs's write disagreeing with a rebuilt trie: ${disagreements.join('; ')}`)
console.log(
  `${sequences.length} sequences (${smallRoots} leaving a root under 32 bytes; ${laterStops} node removals stopping a later operation)`,
)
console.log(`${vectors.length} vectors, 2 gas vectors and the transfer sequence written to ${out}`)
