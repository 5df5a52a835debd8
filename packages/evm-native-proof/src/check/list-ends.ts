/**
 * Where the block's lists end (SPEC.md §4; the generator's side is `listEndItems` in
 * src/trace/state.ts): the transactions and withdrawals tries keyed `rlp(index)`, whose ends are
 * proven by exclusion, so that no count the prover chooses can end a block early.
 */
import { RLP } from '@ethereumjs/rlp'
import type { BlockEnv } from './layout.ts'
import { proofTrie } from './mpt.ts'
import type { ItemReader } from './witness-reader.ts'

/** The phase after the withdrawals (or where there are none): the system calls from Prague on, else the block's end. */
const afterWithdrawals = (forkId: number) => (forkId >= 2 ? 10 : 11)

/** Whether entry `index` of a list trie (transactions, withdrawals: keyed `rlp(index)`) exists; the proof shows it or its absence. */
export async function listHas(r: ItemReader, root: Uint8Array, index: number, what: string): Promise<boolean> {
  const trie = await proofTrie(root, r.next(`${what} proof`), what, false)
  return (await trie.get(RLP.encode(index))) !== undefined
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
export async function afterTransaction(r: ItemReader, env: BlockEnv, txIndex: number, forkId: number): Promise<number> {
  return (await listHas(r, env.transactionsRoot, txIndex, 'transactions')) ? 1 : afterWithdrawal(r, env, 0, forkId)
}
