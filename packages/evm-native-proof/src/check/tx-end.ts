/**
 * The reference checker's transaction-end steps (SPEC.md §4): `tx-refund` (the refund cap, the
 * EIP-7623 floor, the unused gas back to the sender, the priority fee to the coinbase, the block's
 * gas), `tx-cleanup` (one self-destructed or touched account) and `tx-receipt` (the receipt from
 * the transaction's logs tree onto the receipts list, the block bloom, the transaction's state cleared).
 */
import { RLP } from '@ethereumjs/rlp'
import {
  BLOCK_ACC_BYTES,
  BLOCK_ENV_BYTES,
  be,
  CANCUN,
  FRAME_BYTES,
  INVALID,
  join,
  keccak,
  type MachineState,
  minimal,
  num,
  opened,
  readBlockAcc,
  readBlockEnv,
  readFrame,
  readSubstate,
  readTxEnv,
  rlpHeader,
  SUBSTATE_BYTES,
  TX_ENV_BYTES,
  writeBlockAcc,
} from './layout.ts'
import { type BytesOracle, listHas } from './list-ends.ts'
import { decodeAccount, emptyAccount, encodeAccount, isEmpty, proofTrie } from './mpt.ts'
import { PHASE } from './phases.ts'
import { emptyMapCommitment, emptySubstateHash, openMapCount, openMapKey, openMapLeafAt, openRange } from './trees.ts'
import { type ItemReader, WitnessError } from './witness-reader.ts'

/** EIP-4844: blob gas per blob. */
const GAS_PER_BLOB = 131072n
const ZERO = new Uint8Array(32)

/** The transaction's frame, halted and kept after its exit. */
function haltedTxFrame(r: ItemReader, s: MachineState) {
  const frame = readFrame(opened(r, 'frame', FRAME_BYTES, s.frameHash))
  if (frame.depth !== 0 || frame.status === 0) throw new WitnessError('the frame is not a halted transaction frame')
  return frame
}

type Trie = Awaited<ReturnType<typeof proofTrie>>

export async function credit(trie: Trie, address: Uint8Array, amount: bigint): Promise<Uint8Array> {
  const account = decodeAccount(await trie.get(address)) ?? emptyAccount()
  return trie.set(address, encodeAccount({ ...account, balance: account.balance + amount }))
}

export async function checkTxRefund(s: MachineState, r: ItemReader): Promise<MachineState> {
  const frame = haltedTxFrame(r, s)
  const tx = readTxEnv(opened(r, 'txEnv', TX_ENV_BYTES, s.txEnvHash))
  const block = readBlockEnv(opened(r, 'blockEnv', BLOCK_ENV_BYTES, s.blockEnvHash))
  const sub = readSubstate(opened(r, 'substate', SUBSTATE_BYTES, s.substateHash))
  const acc = readBlockAcc(opened(r, 'blockAcc', BLOCK_ACC_BYTES, s.blockAccHash))
  const destroyed = openMapCount(r, 'self-destruct map', sub.selfdestructMap)
  const touched = openMapCount(r, 'touched map', sub.touchedMap)
  const trie = await proofTrie(s.stateRoot, r.next('sender and coinbase proof'), 'sender and coinbase')
  r.done()
  // EIP-3529: the refund is capped at a fifth of the gas used; EIP-7623: the floor is paid at least.
  const usedBefore = tx.gasLimit - frame.gas
  const cap = usedBefore / 5n
  let used = usedBefore - (sub.refund < cap ? sub.refund : cap)
  if (used < tx.floorGas) used = tx.floorGas
  const coinbase = block.coinbase.subarray(12)
  let stateRoot = await credit(trie, tx.origin.subarray(12), (tx.gasLimit - used) * tx.effectiveGasPrice)
  const fee = used * (tx.effectiveGasPrice - block.baseFee)
  if (fee > 0n) stateRoot = await credit(trie, coinbase, fee)
  else {
    // No fee: the coinbase is left alone, unless it exists and is empty (EIP-161): then it goes.
    const account = decodeAccount(await trie.get(coinbase))
    if (account !== undefined && isEmpty(account)) stateRoot = await trie.set(coinbase, undefined)
  }
  const blockAcc = { ...acc, cumulativeGas: acc.cumulativeGas + used, blobGasUsed: acc.blobGasUsed + tx.blobCount * GAS_PER_BLOB }
  return {
    ...s,
    stateRoot,
    blockAccHash: keccak(writeBlockAcc(blockAcc)),
    phase: destroyed + touched > 2 ? 7 : 8,
    subIndex: 0,
  }
}

const accountKey = (tag: number, address: Uint8Array) => num(keccak(new Uint8Array([tag]), address))

/**
 * Account `subIndex` of the self-destruct map's leaves, then the touched map's (each in leaf order):
 * a self-destructed account goes (from Cancun only if it was created in this transaction, EIP-6780), a touched one if
 * it is empty (EIP-161).
 */
export async function checkTxCleanup(s: MachineState, r: ItemReader): Promise<MachineState> {
  const sub = readSubstate(opened(r, 'substate', SUBSTATE_BYTES, s.substateHash))
  const destroyed = openMapCount(r, 'self-destruct map', sub.selfdestructMap) - 1
  const total = destroyed + openMapCount(r, 'touched map', sub.touchedMap) - 1
  if (s.subIndex >= total) throw new WitnessError(`tx-cleanup ${s.subIndex}: the maps hold only ${total} accounts`)
  const address = r.next('address', 20)
  const selfdestructed = s.subIndex < destroyed
  const key = selfdestructed
    ? openMapLeafAt(r, 'self-destruct map', sub.selfdestructMap, s.subIndex + 1)
    : openMapLeafAt(r, 'touched map', sub.touchedMap, s.subIndex - destroyed + 1)
  if (key !== accountKey(selfdestructed ? 4 : 6, address)) throw new WitnessError('the address is not the map entry’s')
  // Before Cancun every self-destructed account goes; from Cancun only one created in this transaction (EIP-6780).
  const goesIfDestroyed =
    selfdestructed && (s.forkId < CANCUN || openMapKey(r, 'created map', sub.createdMap, accountKey(5, address)).value !== undefined)
  const trie = await proofTrie(s.stateRoot, r.next('account proof'), 'account')
  r.done()
  const account = decodeAccount(await trie.get(address))
  const goes = account !== undefined && (selfdestructed ? goesIfDestroyed : isEmpty(account))
  const stateRoot = goes ? await trie.set(address, undefined) : s.stateRoot
  const last = s.subIndex + 1 === total
  return { ...s, stateRoot, phase: last ? 8 : 7, subIndex: last ? 0 : s.subIndex + 1 }
}

/** The receipts list (SPEC.md §2.2): `T_16`, a leaf a transaction. */
export const RECEIPTS_LIST_DEPTH = 16

/**
 * A receipt's bytes before its logs (SPEC.md §5.4): the type (a typed transaction's), the list's
 * header, status, cumulative gas, the bloom and the logs list's header; the receipt is this ‖ the logs.
 */
export function receiptHead(txType: number, success: boolean, cumulativeGas: bigint, bloom: Uint8Array, logsSize: number): Uint8Array {
  const fields = join([
    RLP.encode(success ? Uint8Array.of(1) : new Uint8Array()),
    RLP.encode(minimal(cumulativeGas)),
    RLP.encode(bloom),
    rlpHeader(logsSize, 0xc0),
  ])
  return join([txType === 0 ? new Uint8Array() : Uint8Array.of(txType), rlpHeader(fields.length + logsSize, 0xc0), fields])
}

/** The receipts list's leaf of a receipt: `H(logsRoot ‖ logsSize ‖ head)`. */
export const receiptLeaf = (logsRoot: Uint8Array, logsSize: bigint, head: Uint8Array): Uint8Array => keccak(logsRoot, be(logsSize), head)

/**
 * The receipt (its head and the sub-state's logs tree) onto the receipts list, the transaction's
 * bloom into the block's, its deposits' streams into blockAcc's, the transaction's state cleared;
 * then the next transaction, or (none, proven by its absence) the receipts trie's steps.
 */
export async function checkTxReceipt(s: MachineState, r: ItemReader, oracle?: BytesOracle): Promise<MachineState> {
  const frame = haltedTxFrame(r, s)
  const tx = readTxEnv(opened(r, 'txEnv', TX_ENV_BYTES, s.txEnvHash))
  const block = readBlockEnv(opened(r, 'blockEnv', BLOCK_ENV_BYTES, s.blockEnvHash))
  const sub = readSubstate(opened(r, 'substate', SUBSTATE_BYTES, s.substateHash))
  const acc = readBlockAcc(opened(r, 'blockAcc', BLOCK_ACC_BYTES, s.blockAccHash))
  const bloom = opened(r, 'block bloom', 256, acc.bloomHash).slice()
  const txBloom = opened(r, 'transaction bloom', 256, sub.bloomHash)
  if (acc.receiptCount >= 2n ** BigInt(RECEIPTS_LIST_DEPTH)) throw new WitnessError('the receipts list is full')
  const head = receiptHead(tx.txType, frame.status === 1, acc.cumulativeGas, txBloom, Number(sub.logsSize))
  const list = openRange(r, 'receipts list', acc.receiptsList, Number(acc.receiptCount), Number(acc.receiptCount), RECEIPTS_LIST_DEPTH)
  const receiptsList = list.rootWith([receiptLeaf(sub.logsRoot, sub.logsSize, head)])
  const txIndex = s.txIndex + 1
  // The next transaction, else (its absence proven) the receipts trie.
  const phase = (await listHas(r, block.transactionsRoot, txIndex, 'transactions', oracle)) ? PHASE.TX_START : PHASE.RECEIPTS_TRIE
  r.done()
  // EIP-6110: a deposit log of another ABI layout makes the block invalid.
  if (sub.depositError) return { ...s, phase: INVALID }
  for (let i = 0; i < 256; i++) bloom[i] = (bloom[i] as number) | (txBloom[i] as number)
  const blockAcc = { ...acc, receiptsList, receiptCount: acc.receiptCount + 1n, bloomHash: keccak(bloom), requests: sub.requests }
  const emptyMap = emptyMapCommitment()
  return {
    ...s,
    phase,
    txIndex,
    subIndex: 0,
    txEnvHash: ZERO,
    accessMap: emptyMap,
    transientMap: emptyMap,
    substateHash: emptySubstateHash(sub.requests),
    blockAccHash: keccak(writeBlockAcc(blockAcc)),
    frameHash: ZERO,
  }
}
