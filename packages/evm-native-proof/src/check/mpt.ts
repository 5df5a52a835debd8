/**
 * Ethereum's Merkle–Patricia trie for the checker: a proof is the set of nodes a read or write walks;
 * reads and writes run on a trie that holds only those nodes (the @ethereumjs/mpt library, a trie
 * primitive like keccak). A node the walk needs and the witness lacks is a {@link WitnessError}.
 */
import { createMPT } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import { keccak, minimal } from './layout.ts'
import { WitnessError } from './witness-reader.ts'

/** A trie at `root` that knows only the witness's nodes (an RLP list of nodes); `hashed` for a secure trie (keys hashed), as the state's are. */
export async function proofTrie(root: Uint8Array, nodesRlp: Uint8Array, what: string, hashed = true) {
  let nodes: Uint8Array[]
  try {
    nodes = RLP.decode(nodesRlp) as Uint8Array[]
  } catch (e) {
    throw new WitnessError(`${what}: the node list is not RLP (${(e as Error).message})`)
  }
  if (!Array.isArray(nodes) || nodes.some((n) => !(n instanceof Uint8Array)))
    throw new WitnessError(`${what}: the node list is not a list of byte strings`)
  const trie = await createMPT({ useKeyHashing: hashed })
  const db = trie.database()
  for (const n of nodes) await db.put(keccak(n), n)
  trie.root(root)
  const empty = () => trie.root().every((b, i) => b === EMPTY_TRIE_ROOT[i])
  const guard = async <T>(f: () => Promise<T>): Promise<T> => {
    try {
      return await f()
    } catch (e) {
      throw new WitnessError(`${what}: the proof misses a node the walk needs (${(e as Error).message})`)
    }
  }
  return {
    // throwIfMissing: without it the library reads a missing node as an absent key.
    get: (key: Uint8Array) => guard(async () => (empty() ? undefined : ((await trie.get(key, true)) ?? undefined))),
    /** Writes (or, for undefined, deletes) and returns the new root; the key's whole path must be in the proof. */
    set: (key: Uint8Array, value: Uint8Array | undefined) =>
      guard(async () => {
        if (!empty()) await trie.get(key, true)
        if (value === undefined) await trie.del(key)
        else await trie.put(key, value)
        return trie.root()
      }),
  }
}

export const EMPTY_TRIE_ROOT = keccak(RLP.encode(new Uint8Array()))
export const EMPTY_CODE_HASH = keccak(new Uint8Array())

/** An account as the state trie holds it (absent: undefined). */
export interface Account {
  nonce: bigint
  balance: bigint
  storageRoot: Uint8Array
  codeHash: Uint8Array
}

const toNum = (b: Uint8Array) => {
  let v = 0n
  for (const x of b) v = (v << 8n) | BigInt(x)
  return v
}

export function decodeAccount(rlp: Uint8Array | undefined): Account | undefined {
  if (rlp === undefined) return undefined
  const f = RLP.decode(rlp) as Uint8Array[]
  return {
    nonce: toNum(f[0] as Uint8Array),
    balance: toNum(f[1] as Uint8Array),
    storageRoot: f[2] as Uint8Array,
    codeHash: f[3] as Uint8Array,
  }
}

export function encodeAccount(a: Account): Uint8Array {
  return RLP.encode([minimal(a.nonce), minimal(a.balance), a.storageRoot, a.codeHash])
}

/** A storage value as the storage trie holds it: RLP of the minimal big-endian bytes; zero is absent. */
export function encodeSlot(v: bigint): Uint8Array | undefined {
  return v === 0n ? undefined : RLP.encode(minimal(v))
}

export function decodeSlot(rlp: Uint8Array | undefined): bigint {
  return rlp === undefined ? 0n : toNum(RLP.decode(rlp) as Uint8Array)
}

/** An account that does not exist yet, as it is when a write creates it. */
export const emptyAccount = (): Account => ({ nonce: 0n, balance: 0n, storageRoot: EMPTY_TRIE_ROOT, codeHash: EMPTY_CODE_HASH })

/** EIP-161: no nonce, no balance, no code. */
export function isEmpty(a: Account | undefined): boolean {
  return a === undefined || (a.nonce === 0n && a.balance === 0n && a.codeHash.every((b, i) => b === EMPTY_CODE_HASH[i]))
}
