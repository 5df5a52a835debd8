/**
 * The reference checker's transaction-end steps (SPEC.md §4): `tx-refund` (the refund cap, the
 * EIP-7623 floor, the unused gas back to the sender, the priority fee to the coinbase, the block's
 * gas), `tx-cleanup` (one self-destructed or touched account) and `tx-receipt` (the receipt from
 * the transaction's logs into the receipts trie, the block bloom, the transaction's state cleared).
 */
import { RLP } from '@ethereumjs/rlp'
import {
  BLOCK_ENV_BYTES,
  be,
  CANCUN,
  equal,
  FRAME_BYTES,
  INVALID,
  join,
  keccak,
  type MachineState,
  num,
  opened,
  readBlockAcc,
  readBlockEnv,
  readFrame,
  readSubstate,
  readTxEnv,
  writeBlockAcc,
} from './layout.ts'
import { afterTransaction } from './list-ends.ts'
import { decodeAccount, emptyAccount, encodeAccount, isEmpty, proofTrie } from './mpt.ts'
import { absorbRequest, openStreams, writeStreams } from './requests.ts'
import { emptyMapCommitment, emptySubstateHash, openMapCount, openMapKey, openMapLeafAt } from './trees.ts'
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
  const tx = readTxEnv(opened(r, 'txEnv', 512, s.txEnvHash))
  const block = readBlockEnv(opened(r, 'blockEnv', BLOCK_ENV_BYTES, s.blockEnvHash))
  const sub = readSubstate(opened(r, 'substate', 192, s.substateHash))
  const acc = readBlockAcc(opened(r, 'blockAcc', 192, s.blockAccHash))
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
  const sub = readSubstate(opened(r, 'substate', 192, s.substateHash))
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

/** Sets the three bloom bits of `item` (the yellow paper's M3:2048). */
function addToBloom(bloom: Uint8Array, item: Uint8Array): void {
  const h = keccak(item)
  for (let i = 0; i < 6; i += 2) {
    const bit = (((h[i] as number) << 8) | (h[i + 1] as number)) & 2047
    bloom[255 - (bit >> 3)] = (bloom[255 - (bit >> 3)] as number) | (1 << (bit & 7))
  }
}

type Log = [Uint8Array, Uint8Array[], Uint8Array]

function decodeLog(item: Uint8Array, i: number): Log {
  let log: unknown
  try {
    log = RLP.decode(item)
  } catch (e) {
    throw new WitnessError(`log ${i} is not RLP (${(e as Error).message})`)
  }
  const ok =
    Array.isArray(log) &&
    log.length === 3 &&
    log[0] instanceof Uint8Array &&
    log[0].length === 20 &&
    Array.isArray(log[1]) &&
    log[1].length <= 4 &&
    log[1].every((t: unknown) => t instanceof Uint8Array && t.length === 32) &&
    log[2] instanceof Uint8Array
  if (!ok) throw new WitnessError(`log ${i} is not [address, topics, data]`)
  return log as Log
}

/** Big-endian with no leading zeros, as RLP encodes integers. */
function minimal(v: bigint): Uint8Array {
  const b = be(v)
  const first = b.findIndex((x) => x !== 0)
  return first < 0 ? new Uint8Array() : b.slice(first)
}

export async function checkTxReceipt(s: MachineState, r: ItemReader): Promise<MachineState> {
  const frame = haltedTxFrame(r, s)
  const tx = readTxEnv(opened(r, 'txEnv', 512, s.txEnvHash))
  const block = readBlockEnv(opened(r, 'blockEnv', BLOCK_ENV_BYTES, s.blockEnvHash))
  const sub = readSubstate(opened(r, 'substate', 192, s.substateHash))
  const acc = readBlockAcc(opened(r, 'blockAcc', 192, s.blockAccHash))
  const bloom = opened(r, 'block bloom', 256, acc.bloomHash).slice()
  const logs: Log[] = []
  let chain: Uint8Array = ZERO
  const txBloom = new Uint8Array(256)
  // EIP-6110 (Prague on): the deposit contract's DepositEvents become request data of type 0.
  const deposits: Uint8Array[] = []
  let invalid = false
  for (let i = 0n; i < sub.logCount; i++) {
    const item = r.next(`log ${i}`)
    chain = keccak(chain, keccak(item))
    const log = decodeLog(item, Number(i))
    logs.push(log)
    addToBloom(txBloom, log[0])
    for (const topic of log[1]) addToBloom(txBloom, topic)
    const deposit = s.forkId >= 2 ? depositRequest(log) : undefined
    if (deposit === 'invalid') invalid = true
    else if (deposit !== undefined) deposits.push(deposit)
  }
  if (!equal(chain, sub.logsHash)) throw new WitnessError('the logs do not hash to the sub-state’s')
  // The deposit stream is opened only when the receipt adds to it (and the block stays valid).
  let requests = acc.requests
  if (!invalid && deposits.length > 0)
    requests = keccak(writeStreams(deposits.reduce((streams, d) => absorbRequest(streams, 0, d), openStreams(r, acc.requests))))
  const body = RLP.encode([frame.status === 1 ? Uint8Array.of(1) : Uint8Array.of(), minimal(acc.cumulativeGas), txBloom, logs])
  // (A receipt can be hundreds of KB of log data: joined, not spread into arguments.)
  const receipt = tx.txType === 0 ? body : join([Uint8Array.of(tx.txType), body])
  const trie = await proofTrie(acc.receiptsRoot, r.next('receipts proof'), 'receipts', false)
  const receiptsRoot = await trie.set(RLP.encode(Number(acc.receiptCount)), receipt)
  const txIndex = s.txIndex + 1
  // The next transaction, else the withdrawals, else the system calls (Prague on), else the block's end.
  const phase = await afterTransaction(r, block, txIndex, s.forkId)
  r.done()
  for (let i = 0; i < 256; i++) bloom[i] = (bloom[i] as number) | (txBloom[i] as number)
  if (invalid) return { ...s, phase: INVALID }
  const blockAcc = { ...acc, receiptsRoot, receiptCount: acc.receiptCount + 1n, bloomHash: keccak(bloom), requests }
  const emptyMap = emptyMapCommitment()
  return {
    ...s,
    phase,
    txIndex,
    subIndex: 0,
    txEnvHash: ZERO,
    accessMap: emptyMap,
    transientMap: emptyMap,
    substateHash: emptySubstateHash(),
    blockAccHash: keccak(writeBlockAcc(blockAcc)),
    frameHash: ZERO,
  }
}

/** EIP-6110: the deposit contract and its DepositEvent topic. */
const DEPOSIT_CONTRACT = Uint8Array.from(Buffer.from('00000000219ab540356cbb839cbe05303d7705fa', 'hex'))
const DEPOSIT_TOPIC = Uint8Array.from(Buffer.from('649bbc62d0e31342afea4e5cd82d4049e7e1ee912fc0889aa790803be39038c5', 'hex'))
/** The event's five `bytes` fields: where each length word sits, and the length it must have. */
const DEPOSIT_FIELDS: [number, number][] = [
  [160, 48], // pubkey
  [256, 32], // withdrawal credentials
  [320, 8], // amount
  [384, 96], // signature
  [512, 8], // index
]

/**
 * The request data of a log (EIP-6110): `pubkey ‖ withdrawalCredentials ‖ amount ‖ signature ‖ index`
 * for a DepositEvent of the deposit contract; undefined for any other log; `'invalid'` for a deposit
 * log whose ABI layout is not the contract's (the block is invalid).
 */
export function depositRequest(log: [Uint8Array, Uint8Array[], Uint8Array]): Uint8Array | 'invalid' | undefined {
  const [address, topics, data] = log
  if (!equal(address, DEPOSIT_CONTRACT) || topics[0] === undefined || !equal(topics[0], DEPOSIT_TOPIC)) return undefined
  if (data.length !== 576) return 'invalid'
  const parts: Uint8Array[] = []
  for (const [i, [at, size]] of DEPOSIT_FIELDS.entries()) {
    if (num(data.subarray(32 * i, 32 * i + 32)) !== BigInt(at) || num(data.subarray(at, at + 32)) !== BigInt(size)) return 'invalid'
    parts.push(data.subarray(at + 32, at + 32 + size))
  }
  return Uint8Array.from(Buffer.concat(parts))
}
