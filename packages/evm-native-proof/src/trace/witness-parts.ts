/**
 * What several step kinds' witnesses are cut with (opcodes, frame exits, precompiles, the
 * transaction-level and block-end steps): the nodes a trie write walks, the items of a view's range,
 * a copy's part, EIP-684's collision. Apart from witness.ts so that the opcode classes' files can use
 * them without a cycle.
 */
import { createMerkleProof, createMPT, type MerklePatriciaTrie } from '@ethereumjs/mpt'
import { type Account, bytesToHex, equalsBytes, KECCAK256_NULL, KECCAK256_RLP } from '@ethereumjs/util'
import { type BytesView, viewRange } from '../commit/bytes-tree.ts'
import { concat, H } from '../commit/hash.ts'

/**
 * SPEC.md §6: the bytes one step of a copy moves; a longer copy goes on in more steps at the same pc
 * (the checker's COPY_CHUNK, written apart).
 */
export const COPY_CHUNK = 32 * 1024

/** The part `[from, from + n)` of a copy of `len` bytes that the step after `done` bytes moves (from the end for an MCOPY upwards). */
export function copyPart(len: bigint, done: number, backward: boolean): { from: bigint; n: bigint } {
  const left = len - BigInt(done)
  const n = left < BigInt(COPY_CHUNK) ? left : BigInt(COPY_CHUNK)
  return { from: backward ? left - n : BigInt(done), n }
}

/**
 * The nodes a write of `key` walks on a trie that has only them: the path, and the nodes a
 * deletion's branch collapse reads (found by running the write on a proof-only trie). `hashed`: a
 * secure trie (the state's); a list trie's keys are not hashed.
 */
export async function writeNodes(
  full: MerklePatriciaTrie,
  key: Uint8Array,
  value: Uint8Array | undefined,
  hashed = true,
): Promise<Uint8Array[]> {
  const nodes = await createMerkleProof(full, key)
  for (let round = 0; round < 16; round++) {
    const t = await createMPT({ useKeyHashing: hashed })
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
      for (const k of missing) {
        const node = await full.database().get(k)
        if (node === undefined) throw new Error(`the trie lacks node ${bytesToHex(k)}`)
        nodes.push(node as Uint8Array)
      }
    }
  }
  throw new Error('a trie write needed more than 16 rounds of nodes')
}

/** EIP-684 and EIP-7610: a create cannot land on an account with a nonce, code or storage. */
export function collides(a: Account | undefined): boolean {
  return a !== undefined && (a.nonce !== 0n || !equalsBytes(a.codeHash, KECCAK256_NULL) || !equalsBytes(a.storageRoot, KECCAK256_RLP))
}

/** The two items (leaves, siblings) of bytes `[from, from + len)` of a view, as the checker's `readView` reads them; none past its size. */
export function viewItems(v: BytesView, from: bigint, len: bigint): Uint8Array[] {
  const r = viewRange(v, from, len)
  return r === undefined ? [] : [r.leaves, concat(r.siblings)]
}
