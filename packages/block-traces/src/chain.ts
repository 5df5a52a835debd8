import { type Block, createBlock, createBlockHeader } from '@ethereumjs/block'
import type { Common } from '@ethereumjs/common'
import { MerkleStateManager } from '@ethereumjs/statemanager'
import { createTxFromRLP } from '@ethereumjs/tx'
import { createAccount, createAddressFromString, hexToBytes, setLengthLeft } from '@ethereumjs/util'
import { InputError } from './errors.ts'
import { commonFor, MAINNET_BLOB_SCHEDULE } from './forks.ts'
import { fromHex, type Hex, toHex } from './hex.ts'
import type { BlockTrace } from './trace.ts'
import { TraceChain } from './trace-chain.ts'

/** Everything ethereumjs needs to execute a trace's block: the chain rules, parent, block and pre-state. */
export interface LoadedTrace {
  common: Common
  blockchain: TraceChain
  stateManager: MerkleStateManager
  parent: Block
  block: Block
}

/** Refuses a trace whose blob schedule differs from the fork's mainnet schedule (ethereumjs fixes it per fork). */
function checkBlobSchedule(trace: BlockTrace, where: string): void {
  const schedule = trace.chainConfig.blobSchedule
  if (schedule === undefined) return
  for (const [fork, params] of Object.entries(schedule)) {
    const known = MAINNET_BLOB_SCHEDULE[fork as keyof typeof MAINNET_BLOB_SCHEDULE]
    if (known === undefined) continue
    if (known.target !== params.target || known.max !== params.max || known.baseFeeUpdateFraction !== params.baseFeeUpdateFraction) {
      throw new InputError(
        `${where}: chainConfig.blobSchedule.${fork} is ${JSON.stringify(params)}, but only the mainnet schedule ${JSON.stringify(known)} is supported`,
      )
    }
  }
}

/** Writes a trace's pre-state into a fresh state manager and checks it hashes to the parent's state root. */
export async function loadPreState(trace: BlockTrace, common: Common, where: string): Promise<MerkleStateManager> {
  const sm = await buildPreState(trace.pre, common)
  const root = toHex(await sm.getStateRoot())
  if (root !== trace.parent.stateRoot.toLowerCase()) {
    throw new InputError(
      `${where}: the pre-state hashes to ${root}, but parent.stateRoot is ${trace.parent.stateRoot}; the trace's pre-state is not the parent's state`,
    )
  }
  return sm
}

/** A state manager holding a trace's pre-state (accounts, code, non-zero storage), flushed. */
export async function buildPreState(pre: BlockTrace['pre'], common: Common): Promise<MerkleStateManager> {
  const sm = new MerkleStateManager({ common })
  for (const [addr, acct] of Object.entries(pre)) {
    const address = createAddressFromString(addr)
    await sm.putAccount(address, createAccount({ nonce: BigInt(acct.nonce), balance: BigInt(acct.balance) }))
    if (acct.code !== '0x') await sm.putCode(address, fromHex(acct.code))
    for (const [slot, value] of Object.entries(acct.storage)) {
      if (BigInt(value) === 0n) continue
      await sm.putStorage(address, setLengthLeft(hexToBytes(slot as Hex), 32), fromHex(toEvenHex(value)))
    }
  }
  await sm.flush()
  return sm
}

function toEvenHex(value: string): Hex {
  const digits = value.slice(2).replace(/^0+/, '')
  return `0x${digits.length % 2 === 1 ? `0${digits}` : digits}` as Hex
}

/** Decodes a trace's block (header, signed transactions, withdrawals) against `common`. */
export function decodeBlock(trace: BlockTrace, common: Common, where: string): Block {
  const transactions = trace.block.transactions.map((raw, i) => {
    try {
      return createTxFromRLP(fromHex(raw), { common })
    } catch (e) {
      throw new InputError(`${where}: block.transactions.${i} does not decode as a signed transaction (${(e as Error).message})`)
    }
  })
  try {
    return createBlock(
      {
        header: trace.block.header,
        transactions,
        withdrawals: trace.block.withdrawals?.map((w) => ({ ...w, amount: BigInt(w.amount) })),
      },
      { common },
    )
  } catch (e) {
    throw new InputError(`${where}: block does not decode (${(e as Error).message})`)
  }
}

/**
 * Prepares a trace for execution on ethereumjs: the fork's Common, a blockchain whose head is the
 * trace's parent (so header checks against the parent run for real), the decoded block and the pre-state.
 */
export async function loadTrace(
  trace: BlockTrace,
  where = trace.id,
  common = commonFor(trace.fork, BigInt(trace.chainId)),
): Promise<LoadedTrace> {
  checkBlobSchedule(trace, where)
  let parent: Block
  try {
    parent = createBlock({ header: createBlockHeader(trace.parent, { common }) }, { common })
  } catch (e) {
    throw new InputError(`${where}: parent header does not decode (${(e as Error).message})`)
  }
  const block = decodeBlock(trace, common, where)
  if (toHex(block.header.parentHash) !== toHex(parent.hash())) {
    throw new InputError(
      `${where}: block.header.parentHash is ${toHex(block.header.parentHash)}, but the parent header hashes to ${toHex(parent.hash())}`,
    )
  }
  const ancestors = (trace.ancestors ?? []).map((header, i) => {
    try {
      return createBlock({ header: createBlockHeader(header, { common }) }, { common })
    } catch (e) {
      throw new InputError(`${where}: ancestors.${i} does not decode (${(e as Error).message})`)
    }
  })
  const blockchain = new TraceChain(common, [...ancestors, parent])
  const stateManager = await loadPreState(trace, common, where)
  return { common, blockchain, stateManager, parent, block }
}
