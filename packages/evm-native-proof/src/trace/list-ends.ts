/**
 * Where the block's lists end (SPEC.md §4; the checker's side is src/check/list-ends.ts): the
 * transactions and withdrawals tries keyed `rlp(index)`, whose ends the steps prove by exclusion.
 */
import { createMerkleProof, type MerklePatriciaTrie } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import { ChunkedBytes } from '../commit/bytes-tree.ts'
import { concat, H } from '../commit/hash.ts'
import { PHASE, PRAGUE } from './phases.ts'
import type { Tracing } from './state.ts'

/** A list-trie leaf longer than this is posted to the BytesOracle and named in the proof by its hash (SPEC.md §5). */
export const POSTED_LEAF_BYTES = 4096

/** A step's items and the byte strings it posts to the BytesOracle. */
export interface ListItems {
  items: Uint8Array[]
  bytes: Uint8Array[]
}

/**
 * A list trie's nodes on `key`, as the checker's walk reads them: each node's bytes, but a last node
 * that is a leaf longer than POSTED_LEAF_BYTES as `[hash]`, posted to the BytesOracle, with the first
 * two chunks of its tree (its list header and path) as the next item.
 */
export async function listProof(trie: MerklePatriciaTrie, key: Uint8Array): Promise<ListItems> {
  const nodes = await createMerkleProof(trie, key)
  const last = nodes[nodes.length - 1]
  const decoded = last === undefined ? undefined : (RLP.decode(last) as unknown[])
  const isLeaf = decoded?.length === 2 && decoded[0] instanceof Uint8Array && (decoded[0][0] ?? 0) >> 4 >= 2
  if (last === undefined || !isLeaf || last.length <= POSTED_LEAF_BYTES) return { items: [RLP.encode(nodes)], bytes: [] }
  const tree = new ChunkedBytes()
  tree.write(0, last)
  const head = tree.range(0, 1)
  return { items: [RLP.encode([...nodes.slice(0, -1), [H(last)]]), head.leaves, concat(head.siblings)], bytes: [last] }
}

/**
 * The list proofs that say what follows: the transactions trie's nodes on `rlp(nextTx)` (its
 * presence or absence), and where it is absent (and `nextWithdrawal` is given: tx-receipt leaves the
 * withdrawals to the receipts trie's last step) the withdrawals trie's on `rlp(nextWithdrawal)`. A
 * list ends where its next key is absent, so no count can end a block early.
 */
export async function listEndItems(t: Tracing, nextTx: number | undefined, nextWithdrawal?: number): Promise<ListItems> {
  const out: ListItems = { items: [], bytes: [] }
  const add = (p: ListItems) => {
    out.items.push(...p.items)
    out.bytes.push(...p.bytes)
  }
  if (nextTx !== undefined) {
    add(await listProof(await t.transactionsTrie(), RLP.encode(nextTx)))
    if (nextTx < t.block.transactions.length) return out
  }
  if (nextWithdrawal !== undefined) add(await listProof(await t.withdrawalsTrie(), RLP.encode(nextWithdrawal)))
  return out
}

/** After the last transaction (or none): the withdrawals, else the system calls (Prague on), else the block's end. */
export const afterTransactions = (t: Tracing): number => ((t.block.withdrawals?.length ?? 0) > 0 ? PHASE.WITHDRAWAL : afterWithdrawals(t))

/** After the last withdrawal (or none): the system calls from Prague on, else the block's end. */
export const afterWithdrawals = (t: Tracing): number => (t.forkId >= PRAGUE ? PHASE.SYSTEM_CALL : PHASE.BLOCK_FINALIZE)
