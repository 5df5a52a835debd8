/**
 * A generated block sealed again by ethereumjs's block builder with fewer transactions or another
 * pre-state: what `stepproof minimise` shrinks a fuzzed block with. The parent keeps its header but
 * for the state root of the new pre-state, the ancestry stays, and the new block has the old one's
 * timestamp, coinbase, mixHash, gas limit, beacon root and withdrawals; its roots are ethereumjs's
 * (with the zero withdrawals its builder leaves out settled: withdrawals.ts).
 */
import { createBlock, createBlockHeader } from '@ethereumjs/block'
import { createTxFromRLP } from '@ethereumjs/tx'
import { createAddressFromString } from '@ethereumjs/util'
import { buildBlock, createVM } from '@ethereumjs/vm'
import { buildPreState } from '../chain.ts'
import { commonFor } from '../forks.ts'
import { expectedFromHeader, headerToTrace } from '../header.ts'
import { fromHex, type Hex, toHex } from '../hex.ts'
import { type BlockTrace, type BlockTraceInput, parseBlockTrace } from '../trace.ts'
import { TraceChain } from '../trace-chain.ts'
import { settleZeroWithdrawals } from './withdrawals.ts'

/** What a resealed block changes: its transactions (signed, in order) and its pre-state. */
export interface Reseal {
  transactions?: readonly Hex[]
  pre?: BlockTrace['pre']
}

/** The block sealed again; `included` the transactions the builder took (one it refuses is left out). */
export async function resealBlock(trace: BlockTrace, change: Reseal): Promise<{ trace: BlockTrace; included: number }> {
  const common = commonFor(trace.fork, BigInt(trace.chainId))
  const pre = change.pre ?? trace.pre
  const stateManager = await buildPreState(pre, common)
  const parent = createBlock(
    { header: createBlockHeader({ ...trace.parent, stateRoot: toHex(await stateManager.getStateRoot()) }, { common }) },
    { common },
  )
  const ancestors = (trace.ancestors ?? []).map((h) => createBlock({ header: createBlockHeader(h, { common }) }, { common }))
  const vm = await createVM({ common, blockchain: new TraceChain(common, [...ancestors, parent]), stateManager })
  const old = trace.block.header
  const withdrawals = (trace.block.withdrawals ?? []).map((w) => ({
    index: BigInt(w.index),
    validatorIndex: BigInt(w.validatorIndex),
    address: createAddressFromString(w.address),
    amount: BigInt(w.amount),
  }))
  const builder = await buildBlock(vm, {
    parentBlock: parent,
    headerData: {
      timestamp: old.timestamp,
      coinbase: old.coinbase,
      mixHash: old.mixHash,
      gasLimit: old.gasLimit,
      ...(old.parentBeaconBlockRoot === undefined ? {} : { parentBeaconBlockRoot: old.parentBeaconBlockRoot }),
    },
    withdrawals,
    blockOpts: { putBlockIntoBlockchain: false, calcDifficultyFromHeader: parent.header },
  })
  let included = 0
  for (const raw of change.transactions ?? trace.block.transactions) {
    try {
      // A blob transaction comes without its blobs (the block has only their versioned hashes).
      await builder.addTransaction(createTxFromRLP(fromHex(raw), { common }), { allowNoBlobs: true })
      included++
    } catch {
      // No longer valid in this block (a nonce, the sender's balance): left out, as a builder would.
    }
  }
  await settleZeroWithdrawals(vm, withdrawals)
  const { block } = await builder.build()
  const header = headerToTrace(block.header)
  const next: BlockTraceInput = {
    ...trace,
    parent: headerToTrace(parent.header),
    block: { header, transactions: block.transactions.map((tx) => toHex(tx.serialize())), withdrawals: trace.block.withdrawals ?? [] },
    pre,
    expected: expectedFromHeader(header),
  }
  return { trace: parseBlockTrace(next, trace.id), included }
}
