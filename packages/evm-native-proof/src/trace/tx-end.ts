/**
 * A transaction's end (SPEC.md §4, phases 6–8; the checker's side is src/check/tx-end.ts):
 * tx-refund, a tx-cleanup step for each self-destructed and each touched account, tx-receipt (after
 * the last transaction, the receipts-trie steps of src/trace/receipts-trie.ts). The
 * steps write on a copy of the trie one at a time; ethereumjs did all of it at once, so its root
 * checks theirs.
 */

import { RLP } from '@ethereumjs/rlp'
import type { TypedTransaction } from '@ethereumjs/tx'
import { bytesToBigInt, createAccountFromRLP } from '@ethereumjs/util'
import { type AfterTxEvent, encodeReceipt } from '@ethereumjs/vm'
import { concat, equalBytes, H, ZERO32 } from '../commit/hash.ts'
import { recordCheckpoint } from './checkpoints.ts'
import { floorGas, frameData } from './encoding.ts'
import { mapKey } from './keys.ts'
import { listEndItems } from './list-ends.ts'
import { CANCUN, PHASE, TAG } from './phases.ts'
import { buildReceiptsTrie } from './receipts-trie.ts'
import { accountNodes, credit, type Tracing } from './state.ts'
import { TxLogs } from './tx-logs.ts'
import { keepSenderPath } from './tx-start.ts'
import { writeNodes } from './witness-parts.ts'

/** ethereumjs's afterTx: the transaction-end steps. */
export async function endTransaction(t: Tracing, event: AfterTxEvent): Promise<void> {
  const tx = event.transaction as TypedTransaction
  const { block, selfdestructs, touched, created } = t
  await t.seal()
  const done = t.kept
  if (done === undefined || t.phase !== PHASE.TX_REFUND) throw new Error(`tx ${t.txIndex}: the transaction ended without its frame's exit`)
  const header = block.header
  const baseFee = header.baseFeePerGas ?? 0n
  const price = bytesToBigInt(t.txEnv.subarray(96, 128))
  // tx-refund (SPEC.md §4): the refund capped at a fifth of the gas used, the EIP-7623 floor, the
  // unused gas back to the sender, the priority fee to the coinbase.
  const usedBefore = tx.gasLimit - done.frame.gas
  const cap = usedBefore / 5n
  let used = usedBefore - (done.refund < cap ? done.refund : cap)
  const floor = floorGas(tx, t.forkId)
  if (used < floor) used = floor
  if (used !== event.totalGasSpent) throw t.diverged('the native gas used is another', { expected: event.totalGasSpent, actual: used })
  const sender = tx.getSenderAddress().bytes
  const coinbase = header.coinbase.bytes
  const trie = t.stateTrie()
  // tx-refund and tx-receipt open the same five first (SPEC.md §5.4).
  const txEndItems = () => [frameData(done.frame), t.txEnv, t.blockEnv, t.substateBytes(), t.blockAccBytes()]
  await t.cutWitness('tx-refund', async () => ({
    codes: [],
    proof: [...txEndItems(), selfdestructs.countItem(), touched.countItem(), RLP.encode(await accountNodes(trie, [sender, coinbase]))],
  }))
  await credit(trie, sender, (tx.gasLimit - used) * price)
  const fee = used * (price - baseFee)
  if (fee > 0n) await credit(trie, coinbase, fee)
  else {
    // No fee: the coinbase is left alone, unless it exists and is empty (EIP-161), then it goes.
    const raw = await trie.get(coinbase)
    if (raw !== null && createAccountFromRLP(raw).isEmpty()) await trie.del(coinbase)
  }
  t.stateRoot = trie.root()
  t.stateDirty = false
  t.cumulativeGas += used
  t.blobGasUsed += event.blobGasUsed ?? 0n
  // tx-cleanup: the self-destructed accounts (from Cancun only those created in this transaction, EIP-6780),
  // then the touched accounts (deleted when empty, EIP-161), each map in leaf order.
  const cleanup = [
    ...Array.from({ length: selfdestructs.count - 1 }, (_, i) => ({ map: selfdestructs, index: i + 1 })),
    ...Array.from({ length: touched.count - 1 }, (_, i) => ({ map: touched, index: i + 1 })),
  ]
  t.phase = cleanup.length > 0 ? PHASE.TX_CLEANUP : PHASE.TX_RECEIPT
  t.subIndex = 0
  await t.step('tx-refund')
  for (const { map, index } of cleanup) {
    const address = t.addressOfKey.get(map.keyAt(index)) as Uint8Array
    const destroyedHere = map === selfdestructs
    await t.cutWitness('tx-cleanup', async () => {
      const proof = [t.substateBytes(), selfdestructs.countItem(), touched.countItem(), address, map.witnessAt(index)]
      if (destroyedHere && t.forkId >= CANCUN) proof.push(...created.witness(mapKey(TAG.CREATED, address)))
      proof.push(RLP.encode(await writeNodes(trie, address, undefined)))
      return { codes: [], proof }
    })
    const raw = await trie.get(address)
    const account = raw === null ? undefined : createAccountFromRLP(raw)
    // Before Cancun every self-destructed account goes; from Cancun only one created in this transaction (EIP-6780).
    const goes =
      account !== undefined && (destroyedHere ? t.forkId < CANCUN || created.has(mapKey(TAG.CREATED, address)) : account.isEmpty())
    if (goes) {
      await trie.del(address)
      t.stateRoot = trie.root()
    }
    t.subIndex++
    if (t.subIndex === cleanup.length) {
      t.phase = PHASE.TX_RECEIPT
      t.subIndex = 0
    }
    await t.step('tx-cleanup')
  }
  // What ethereumjs did at once (refund, fees, its own clean-up) must be what the steps did one by one.
  const theirs = await t.sm.getStateRoot()
  if (!equalBytes(theirs, t.stateRoot))
    throw t.diverged('the transaction-end steps reach another state root', { expected: theirs, actual: t.stateRoot })
  // tx-receipt: the receipt onto the receipts list, the block bloom, the transaction's state cleared.
  const logs = t.logs
  const receipt = encodeReceipt(event.receipt, tx.type)
  const head = receipt.subarray(0, receipt.length - logs.size)
  // The receipt is its head (what the checker computes from the step's words) ‖ the logs tree's bytes.
  if (!equalBytes(receipt.subarray(head.length), logs.tree.bytes.subarray(0, logs.size)))
    throw t.diverged('the logs tree does not hold the receipt’s logs')
  if (!equalBytes(logs.bloom, event.bloom.bitvector)) throw t.diverged('the transaction bloom is another')
  await t.cutWitness('tx-receipt', async () => {
    const next = await listEndItems(t, t.txIndex + 1)
    return {
      codes: [],
      bytes: next.bytes,
      proof: [
        ...txEndItems(),
        t.bloom.slice(),
        logs.bloom.slice(),
        t.receiptsList.leaf(t.receiptCount),
        concat(t.receiptsList.rangeProof(t.receiptCount, t.receiptCount)),
        ...next.items,
      ],
    }
  })
  // EIP-6110: a deposit log of another ABI layout makes the block invalid; the proof ends here
  // (ethereumjs runs on and refuses the block at its end).
  if (logs.depositError) {
    t.phase = PHASE.INVALID
    await t.step('tx-receipt')
    t.endedInvalid = { reason: `tx ${t.txIndex}: a deposit log whose ABI layout is not the deposit contract's`, ethereumjsAccepts: false }
    return
  }
  await t.addReceipt({ head, logs: logs.tree, logsRoot: logs.root, logsSize: logs.size })
  // EIP-6110: the deposit contract's logs become request items (type 0), in log order: the block's
  // streams then are the transaction's.
  for (const deposit of logs.deposits) t.foldRequest(concat([Uint8Array.of(0), deposit]))
  if (!equalBytes(t.requestsWord, logs.requestsWord))
    throw t.diverged("the transaction's request streams are not the block's with its deposits")
  for (let i = 0; i < 256; i++) t.bloom[i] = (t.bloom[i] as number) | (logs.bloom[i] as number)
  t.bloomHash = H(t.bloom)
  // The transaction's maps and sub-state end with it.
  for (const m of [t.access, t.transient, selfdestructs, created, touched]) m.revert(0)
  t.logs = new TxLogs(t.requestStreams)
  t.txEnvHash = ZERO32
  t.kept = undefined
  t.authRefund = 0n
  t.txIndex++
  const last = t.txIndex === block.transactions.length
  t.phase = last ? PHASE.RECEIPTS_TRIE : PHASE.TX_START
  await t.step('tx-receipt')
  if (last) {
    recordCheckpoint(t)
    await buildReceiptsTrie(t)
  }
  // A block expected invalid may be refused at the next transaction: its sender's path is read
  // now, while the node store still holds it (ethereumjs's revert of the block drops it).
  if (t.trace.expected.invalid !== undefined && t.txIndex < block.transactions.length) await keepSenderPath(t, t.txIndex)
}
