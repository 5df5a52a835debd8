/**
 * Where the block's lists end (SPEC.md §4; the checker's side is src/check/list-ends.ts): the
 * transactions and withdrawals tries keyed `rlp(index)`, whose ends the steps prove by exclusion.
 */
import { createMerkleProof } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import { PHASE, PRAGUE } from './phases.ts'
import type { Tracing } from './state.ts'

/**
 * The list proofs that say what follows: the transactions trie's nodes on `rlp(nextTx)` (its
 * presence or absence), and where it is absent (and `nextWithdrawal` is given: tx-receipt leaves the
 * withdrawals to the receipts trie's last step) the withdrawals trie's on `rlp(nextWithdrawal)`. A
 * list ends where its next key is absent, so no count can end a block early.
 */
export async function listEndItems(t: Tracing, nextTx: number | undefined, nextWithdrawal?: number): Promise<Uint8Array[]> {
  const items: Uint8Array[] = []
  if (nextTx !== undefined) {
    items.push(RLP.encode(await createMerkleProof(await t.transactionsTrie(), RLP.encode(nextTx))))
    if (nextTx < t.block.transactions.length) return items
  }
  if (nextWithdrawal !== undefined) items.push(RLP.encode(await createMerkleProof(await t.withdrawalsTrie(), RLP.encode(nextWithdrawal))))
  return items
}

/** After the last transaction (or none): the withdrawals, else the system calls (Prague on), else the block's end. */
export const afterTransactions = (t: Tracing): number => ((t.block.withdrawals?.length ?? 0) > 0 ? PHASE.WITHDRAWAL : afterWithdrawals(t))

/** After the last withdrawal (or none): the system calls from Prague on, else the block's end. */
export const afterWithdrawals = (t: Tracing): number => (t.forkId >= PRAGUE ? PHASE.SYSTEM_CALL : PHASE.BLOCK_FINALIZE)
