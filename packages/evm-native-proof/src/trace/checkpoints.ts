import type { TypedTransaction } from '@ethereumjs/tx'
import { Account, Address } from '@ethereumjs/util'
import { runTx } from '@ethereumjs/vm'
import { equalBytes, H, ZERO32 } from '../commit/hash.ts'
import { emitWithdrawals, finalize, missingSystemContract, SYSTEM_CONTRACTS } from './block-end.ts'
import { PHASE, PRAGUE } from './phases.ts'
import { buildReceiptsTrie } from './receipts-trie.ts'
import { type ReceiptRecord, SYSTEM_ADDRESS, type Tracing } from './state.ts'
import type { NativeTrace } from './tracer.ts'
import { TxLogs } from './tx-logs.ts'

/**
 * The state before the step (stateData), the world-state root (its nodes stay in the run's node
 * store) and the preimages of the block accumulators (receipts so far, bloom, request items).
 */
export interface TxCheckpoint {
  /** The index of the step that follows: the transaction's tx-start, or the tail's first step. */
  step: number
  /** The transaction; the number of transactions for the tail's checkpoint. */
  txIndex: number
  stateData: Uint8Array
  cumulativeGas: bigint
  blobGasUsed: bigint
  /** The receipts as the steps hold them (each one's head and logs tree: the receipt is head ‖ logs). */
  records: ReceiptRecord[]
  bloom: Uint8Array
  requestItems: Uint8Array[]
}

/**
 * The bytes a block's checkpoints take stored together: each one's stateData, gas counters and bloom;
 * the receipts (each one's head and logs tree, its bytes to the furthest write: the logs, a
 * reverted frame's writes undone) and the request items once (each checkpoint holds the first
 * ones of the same lists, which share their items).
 */
export function checkpointBytes(checkpoints: readonly TxCheckpoint[]): number {
  const sum = (xs: readonly Uint8Array[]) => xs.reduce((n, x) => n + x.length, 0)
  const last = checkpoints[checkpoints.length - 1]
  return (
    checkpoints.reduce((n, c) => n + c.stateData.length + 64 + c.bloom.length, 0) +
    (last?.records ?? []).reduce((n, r) => n + r.head.length + r.logs.extent + 40, 0) +
    sum(last?.requestItems ?? [])
  )
}

/** A checkpoint at the state the last step left: before a transaction, or before the block's tail (after the last one). */
export function recordCheckpoint(t: Tracing): void {
  if (t.options.resume !== undefined) return
  t.checkpoints.push({
    step: t.steps.length,
    txIndex: t.txIndex,
    stateData: t.lastStateData,
    cumulativeGas: t.cumulativeGas,
    blobGasUsed: t.blobGasUsed,
    records: t.receiptRecords.slice(),
    bloom: t.bloom.slice(),
    requestItems: t.requestItems.slice(),
  })
}

/**
 * Traces transaction `c.txIndex` alone: the live structures rebuilt from the checkpoint (their
 * commitment must be the checkpoint's), the world state set back to its root, then ethereumjs's
 * runTx with the block's context. Steps before the checkpoint are placeholders.
 */
export async function resumeTransaction(t: Tracing, c: TxCheckpoint): Promise<NativeTrace> {
  const { block } = t
  const tail = c.txIndex === block.transactions.length
  t.headerBound = true
  t.phase = c.stateData[1] as number
  t.txIndex = c.txIndex
  t.stateRoot = c.stateData.slice(96, 128)
  t.txStartRoot = c.stateData.slice(128, 160)
  t.stateDirty = false
  t.cumulativeGas = c.cumulativeGas
  t.blobGasUsed = c.blobGasUsed
  for (const record of c.records) await t.addReceipt(record)
  t.bloom.set(c.bloom)
  t.bloomHash = H(t.bloom)
  for (const item of c.requestItems) t.foldRequest(item)
  // The sub-state between transactions: no logs, the block's request streams.
  t.logs = new TxLogs(t.requestStreams)
  const at = H(c.stateData)
  for (let k = 0; k < c.step; k++) t.steps.push({ kind: 'block-start', post: k === c.step - 1 ? at : ZERO32 })
  if (!equalBytes(await t.commitment(), at))
    throw new Error(`${t.trace.id}: the checkpoint of tx ${c.txIndex} does not rebuild its commitment`)
  await t.sm.setStateRoot(t.stateRoot)
  if (tail) await resumeTail(t)
  else {
    const tx = block.transactions[c.txIndex] as TypedTransaction
    try {
      await runTx(t.vm, { tx, block, blockGasUsed: t.cumulativeGas, skipHardForkValidation: true })
    } catch (e) {
      if (t.failure !== undefined) throw t.failure
      throw new Error(`${t.trace.id}: ethereumjs refused transaction ${c.txIndex} at its checkpoint (${(e as Error).message})`)
    }
    if (t.failure !== undefined) throw t.failure
  }
  return partialTrace(t, ZERO32)
}

/**
 * The block's tail from the checkpoint after its last transaction: the receipts trie, the withdrawals (computed by
 * the tracer), the system calls (ethereumjs's EVM called as runBlock calls it: from the system
 * address with 30,000,000 gas, the system account put back after), then block-finalize.
 */
async function resumeTail(t: Tracing): Promise<void> {
  const { sm } = t
  if (t.receiptCount > 0) await buildReceiptsTrie(t)
  // ethereumjs's runBlock would credit the withdrawals before the system calls: do it on its state.
  for (const w of t.block.withdrawals ?? []) {
    if (w.amount === 0n) continue
    const account = (await sm.getAccount(w.address)) ?? new Account()
    account.balance += w.amount * 1_000_000_000n
    await sm.putAccount(w.address, account)
  }
  await emitWithdrawals(t)
  if (t.forkId >= PRAGUE)
    for (const contract of SYSTEM_CONTRACTS) {
      const to = new Address(contract)
      if ((await sm.getAccount(to)) === undefined) continue
      const system = new Address(SYSTEM_ADDRESS)
      const before = await sm.getAccount(system)
      await t.vm.evm.runCall({ caller: system, gasLimit: 30_000_000n, to })
      if (before === undefined) await sm.deleteAccount(system)
      else await sm.putAccount(system, before)
    }
  if (t.failure !== undefined) throw t.failure
  await t.seal()
  if (t.phase === PHASE.SYSTEM_CALL) {
    await missingSystemContract(t)
    return
  }
  // A failed system call ended the proof at its exit (INVALID): there is no block end.
  if (t.endedInvalid === undefined) await finalize(t, undefined)
}

/** A run that stopped early or started late: the outcome as the tracer's own structures hold it, no checkpoints. */
export function partialTrace(t: Tracing, initial: Uint8Array): NativeTrace {
  return {
    initial,
    steps: t.steps,
    stateRoot: t.stateRoot,
    receiptsRoot: t.receiptsTrie.root(),
    gasUsed: t.cumulativeGas,
    logsBloom: t.bloom,
    seconds: (performance.now() - t.started) / 1000,
    witnesses: t.sealedWitnesses(),
    checkpoints: [],
    loaded: t.loaded,
  }
}
