/**
 * The checker's own reading and writing of SPEC.md §2's layouts (the generator's encoder is
 * src/trace/encoding.ts; the two agree only through the specification and the tests).
 */
import { keccak256 } from './keccak.ts'
import type { ItemReader } from './witness-reader.ts'
import { WitnessError } from './witness-reader.ts'

export const keccak = keccak256

export function join(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/** Big-endian bytes of `v` in `n` bytes. */
export function be(v: bigint | number, n = 32): Uint8Array {
  let x = BigInt(v)
  if (x < 0n || x >> BigInt(8 * n) !== 0n) throw new RangeError(`${v} does not fit in ${n} bytes`)
  const out = new Uint8Array(n)
  for (let i = n - 1; i >= 0 && x > 0n; i--, x >>= 8n) out[i] = Number(x & 0xffn)
  return out
}

/** Big-endian with no leading zeros, as RLP encodes integers (zero: no bytes). */
export function minimal(v: bigint): Uint8Array {
  if (v === 0n) return new Uint8Array()
  const hex = v.toString(16)
  return Uint8Array.from(Buffer.from(hex.length % 2 === 1 ? `0${hex}` : hex, 'hex'))
}

/** An RLP header of a string (`base` 0x80) or a list (0xc0) of `n` bytes. */
export function rlpHeader(n: bigint | number, base: number): Uint8Array {
  if (BigInt(n) <= 55n) return Uint8Array.of(base + Number(n))
  const len = minimal(BigInt(n))
  return join([Uint8Array.of(base + 55 + len.length), len])
}

export function num(b: Uint8Array): bigint {
  let v = 0n
  for (const x of b) v = (v << 8n) | BigInt(x)
  return v
}

/** The witness's next item, which must be `length` bytes and hash to `hash` (what the state commits to). */
export const opened = (r: ItemReader, what: string, length: number, hash: Uint8Array): Uint8Array => r.opened(what, length, hash, keccak)

export function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** The machine state of SPEC.md §2, field by field. */
export interface MachineState {
  version: number
  phase: number
  txIndex: number
  subIndex: number
  forkId: number
  /** The chain's id, fixed for the block like forkId (part of the public input). */
  chainId: bigint
  /** Before block-start the block's hash (the public input), then H(blockEnv). */
  blockEnvHash: Uint8Array
  txEnvHash: Uint8Array
  stateRoot: Uint8Array
  txStartRoot: Uint8Array
  accessMap: Uint8Array
  transientMap: Uint8Array
  substateHash: Uint8Array
  blockAccHash: Uint8Array
  frameStackHash: Uint8Array
  frameHash: Uint8Array
}

const word = (b: Uint8Array, i: number) => b.slice(i * 32, i * 32 + 32)

/** SPEC.md §4's terminal phase of a block that is not valid. */
export const INVALID = 13
/** SPEC.md's fork id of Cancun, where EIP-6780 (SELFDESTRUCT), EIP-4788 and blobs start. */
export const CANCUN = 1

/**
 * SPEC.md's machine-state version: 2 bound the block to its header (chainId in stateData, blockEnv
 * derived at block-start); 3 binds BLOCKHASH's tree to the chain (the block-hashes steps); 4 makes
 * calldata, return data and outputs views of the memory they come from, and splits the exit's copy;
 * 5 deepens the indexed maps from 16 levels to 24; 6 warms the access list 32 keys a step of the list
 * laid flat (§5.5); 7 hashes the block's requests as they come, one SHA-256 stream a type (§2.2); 8 keeps a
 * transaction's logs in a tree and builds the receipts trie after the last transaction (§5.4); 9 puts
 * the transaction in a tree of its own, named by txEnv with the places of its data and lists, so that
 * the set-up steps after tx-start read only their part of it and the calldata is a view of it (§3).
 */
export const VERSION = 10

export function readState(b: Uint8Array): MachineState {
  if (b.length !== 352) throw new WitnessError(`stateData is ${b.length} bytes, not 352`)
  if (b[0] !== VERSION) throw new WitnessError(`stateData has version ${b[0]}, this checker knows version ${VERSION}`)
  for (let i = 19; i < 32; i++) if (b[i] !== 0) throw new WitnessError('stateData has non-zero padding')
  return {
    version: VERSION,
    phase: b[1] as number,
    txIndex: Number(num(b.subarray(2, 6))),
    subIndex: Number(num(b.subarray(6, 10))),
    forkId: b[10] as number,
    chainId: num(b.subarray(11, 19)),
    blockEnvHash: word(b, 1),
    txEnvHash: word(b, 2),
    stateRoot: word(b, 3),
    txStartRoot: word(b, 4),
    accessMap: word(b, 5),
    transientMap: word(b, 6),
    substateHash: word(b, 7),
    blockAccHash: word(b, 8),
    frameStackHash: word(b, 9),
    frameHash: word(b, 10),
  }
}

export function writeState(s: MachineState): Uint8Array {
  const head = new Uint8Array(32)
  head[0] = s.version
  head[1] = s.phase
  head.set(be(s.txIndex, 4), 2)
  head.set(be(s.subIndex, 4), 6)
  head[10] = s.forkId
  head.set(be(s.chainId, 8), 11)
  return join([
    head,
    s.blockEnvHash,
    s.txEnvHash,
    s.stateRoot,
    s.txStartRoot,
    s.accessMap,
    s.transientMap,
    s.substateHash,
    s.blockAccHash,
    s.frameStackHash,
    s.frameHash,
  ])
}

/** The executing frame of SPEC.md §2.3. */
export interface FrameState {
  kind: number
  status: number
  isStatic: boolean
  depth: number
  pc: number
  gas: bigint
  stackSize: number
  memoryWords: number
  codeSize: number
  address: Uint8Array
  codeAddress: Uint8Array
  caller: Uint8Array
  value: bigint
  codeRoot: Uint8Array
  stackHash: Uint8Array
  memoryRoot: Uint8Array
  /** The calldata: a view of the caller's memory (a transaction's: of its data's own tree). */
  calldata: View
  /** The last child's output, as that child's frame held it. */
  returnData: View
  /** This frame's RETURN or REVERT data, a view of its own memory (a precompile's: of a tree of its output). */
  output: View
  retOffset: number
  retSize: number
  /** Bytes of the copy at pc already moved, or of the input the sponge has absorbed (SPEC.md §6.1); 0 when neither is under way. */
  progress: number
  /** H(the Keccak-f state) of a KECCAK256 or LOG hashing over several steps (SPEC.md §6.1); zero otherwise. */
  sponge: Uint8Array
}

const address = (w: Uint8Array) => {
  for (let i = 0; i < 12; i++) if (w[i] !== 0) throw new WitnessError('an address word has non-zero high bytes')
  return w.slice(12)
}

/**
 * SPEC.md §2.3's view: `size` bytes of a `T_24` tree from byte `offset` (the tree's other bytes are
 * not part of it). A view of no bytes is the empty tree's, at 0.
 */
export interface View {
  root: Uint8Array
  offset: number
  size: number
}

/** The size of SPEC.md §2.3's frame: fourteen words. */
export const FRAME_BYTES = 448

export function readFrame(b: Uint8Array): FrameState {
  if (b.length !== FRAME_BYTES) throw new WitnessError(`a frame is ${FRAME_BYTES} bytes, not ${b.length}`)
  const h = b.subarray(0, 32)
  const n = (from: number, len: number) => Number(num(h.subarray(from, from + len)))
  const sizes = b.subarray(352, 384)
  const s = (from: number) => Number(num(sizes.subarray(from, from + 4)))
  const offsets = b.subarray(384, 416)
  const sponge = word(b, 13)
  const o = (from: number) => Number(num(offsets.subarray(from, from + 4)))
  for (let i = 27; i < 32; i++) if (h[i] !== 0) throw new WitnessError('a frame header has non-zero padding')
  for (let i = 24; i < 32; i++) if (sizes[i] !== 0) throw new WitnessError('a frame’s sizes word has non-zero padding')
  for (let i = 12; i < 32; i++) if (offsets[i] !== 0) throw new WitnessError('a frame’s offsets word has non-zero padding')
  return {
    kind: n(0, 1),
    status: n(1, 1),
    isStatic: h[2] === 1,
    depth: n(3, 2),
    pc: n(5, 4),
    gas: num(h.subarray(9, 17)),
    stackSize: n(17, 2),
    memoryWords: n(19, 4),
    codeSize: n(23, 4),
    address: address(word(b, 1)),
    codeAddress: address(word(b, 2)),
    caller: address(word(b, 3)),
    value: num(word(b, 4)),
    codeRoot: word(b, 5),
    stackHash: word(b, 6),
    memoryRoot: word(b, 7),
    calldata: { root: word(b, 8), offset: o(0), size: s(0) },
    returnData: { root: word(b, 9), offset: o(4), size: s(4) },
    output: { root: word(b, 10), offset: o(8), size: s(8) },
    retOffset: s(12),
    retSize: s(16),
    progress: s(20),
    sponge,
  }
}

const pad = (a: Uint8Array) => join([new Uint8Array(12), a])

export function writeFrame(f: FrameState): Uint8Array {
  const header = join([
    be(f.kind, 1),
    be(f.status, 1),
    be(f.isStatic ? 1 : 0, 1),
    be(f.depth, 2),
    be(f.pc, 4),
    be(f.gas, 8),
    be(f.stackSize, 2),
    be(f.memoryWords, 4),
    be(f.codeSize, 4),
    new Uint8Array(5),
  ])
  const sizes = join([
    be(f.calldata.size, 4),
    be(f.returnData.size, 4),
    be(f.output.size, 4),
    be(f.retOffset, 4),
    be(f.retSize, 4),
    be(f.progress, 4),
    new Uint8Array(8),
  ])
  const offsets = join([be(f.calldata.offset, 4), be(f.returnData.offset, 4), be(f.output.offset, 4), new Uint8Array(20)])
  return join([
    header,
    pad(f.address),
    pad(f.codeAddress),
    pad(f.caller),
    be(f.value),
    f.codeRoot,
    f.stackHash,
    f.memoryRoot,
    f.calldata.root,
    f.returnData.root,
    f.output.root,
    sizes,
    offsets,
    f.sponge,
  ])
}

/** SPEC.md §2.1. */
export interface Substate {
  refund: bigint
  /** `T_24` of the transaction's logs so far, each `rlp([address, topics, data])`, end to end. */
  logsRoot: Uint8Array
  logsSize: bigint
  selfdestructMap: Uint8Array
  createdMap: Uint8Array
  touchedMap: Uint8Array
  /** H of the 256-byte bloom of the transaction's logs so far. */
  bloomHash: Uint8Array
  /** H of the block's request streams with the transaction's deposits so far (SPEC.md §2.2). */
  requests: Uint8Array
  /** A log of the deposit contract's DepositEvent whose data is not its ABI layout (EIP-6110): the block is invalid. */
  depositError: boolean
}

/** The size of SPEC.md §2.1's sub-state: nine words. */
export const SUBSTATE_BYTES = 288

export function readSubstate(b: Uint8Array): Substate {
  if (b.length !== SUBSTATE_BYTES) throw new WitnessError(`a sub-state is ${SUBSTATE_BYTES} bytes, not ${b.length}`)
  const flag = num(word(b, 8))
  if (flag > 1n) throw new WitnessError('the sub-state’s deposit-error word is neither 0 nor 1')
  return {
    refund: num(word(b, 0)),
    logsRoot: word(b, 1),
    logsSize: num(word(b, 2)),
    selfdestructMap: word(b, 3),
    createdMap: word(b, 4),
    touchedMap: word(b, 5),
    bloomHash: word(b, 6),
    requests: word(b, 7),
    depositError: flag === 1n,
  }
}

export function writeSubstate(s: Substate): Uint8Array {
  return join([
    be(s.refund),
    s.logsRoot,
    be(s.logsSize),
    s.selfdestructMap,
    s.createdMap,
    s.touchedMap,
    s.bloomHash,
    s.requests,
    be(s.depositError ? 1n : 0n),
  ])
}

/** SPEC.md §3's block environment, as block-start derives it from the header. */
export interface BlockEnv {
  forkId: bigint
  chainId: bigint
  number: bigint
  timestamp: bigint
  gasLimit: bigint
  baseFee: bigint
  blobBaseFee: bigint
  prevRandao: Uint8Array
  coinbase: Uint8Array
  parentHash: Uint8Array
  parentBeaconRoot: Uint8Array
  transactionsRoot: Uint8Array
  withdrawalsRoot: Uint8Array
  blockHashesRoot: Uint8Array
}

/** SPEC.md §3's block environment, the words the opcodes read. */
export function readBlockEnv(b: Uint8Array): BlockEnv {
  const w = (i: number) => word(b, i)
  return {
    forkId: num(w(0)),
    chainId: num(w(1)),
    number: num(w(2)),
    timestamp: num(w(3)),
    gasLimit: num(w(4)),
    baseFee: num(w(5)),
    blobBaseFee: num(w(6)),
    prevRandao: w(7),
    coinbase: w(8),
    parentHash: w(9),
    parentBeaconRoot: w(10),
    transactionsRoot: w(11),
    withdrawalsRoot: w(12),
    blockHashesRoot: w(13),
  }
}

/** The 448 bytes of a block environment. */
export function writeBlockEnv(e: BlockEnv): Uint8Array {
  return join([
    be(e.forkId),
    be(e.chainId),
    be(e.number),
    be(e.timestamp),
    be(e.gasLimit),
    be(e.baseFee),
    be(e.blobBaseFee),
    e.prevRandao,
    e.coinbase,
    e.parentHash,
    e.parentBeaconRoot,
    e.transactionsRoot,
    e.withdrawalsRoot,
    e.blockHashesRoot,
  ])
}

/** The size of SPEC.md §3's block environment. */
export const BLOCK_ENV_BYTES = 448

/** The size of SPEC.md §3's transaction environment: twenty-five words. */
export const TX_ENV_BYTES = 800

/** A range of a transaction's bytes (SPEC.md §3: txEnv's spans). */
export interface TxSpan {
  offset: number
  size: number
}

/**
 * Where a set-up walk stands (SPEC.md §3, txEnv word 19): bytes of the list walked so far; for the
 * access list, the end of the current entry's slots (from the list's start; 0 at an entry's start)
 * and that entry's address (zero at an entry's start).
 */
export interface TxCursor {
  walked: number
  slotsEnd: number
  address: Uint8Array
}

/** The signed message's hash under way (SPEC.md §3, txEnv word 23): tx-payload's state. */
export interface TxPayload {
  yParity: number
  /** A legacy transaction signed with EIP-155 (its message ends in rlp(chainId) ‖ 0x80 ‖ 0x80). */
  eip155: boolean
  /** The transaction's bytes the message holds, between its computed prefix and suffix. */
  signed: TxSpan
  /** Bytes of the message absorbed so far. */
  absorbed: number
  /** EIP-7623's calldata tokens of the data absorbed so far. */
  tokens: bigint
}

/** SPEC.md §3's transaction environment. */
export interface TxEnv {
  /** The sender, left-padded; zero until tx-payload's last step recovers it. */
  origin: Uint8Array
  txType: number
  gasLimit: bigint
  effectiveGasPrice: bigint
  maxFeePerGas: bigint
  maxPriorityFeePerGas: bigint
  /** The recipient; zero for a create. */
  to: Uint8Array
  isCreate: boolean
  value: bigint
  blobHashesHash: Uint8Array
  blobCount: bigint
  /** The intrinsic gas so far: tx-start's base, the data's bytes as tx-payload absorbs them, the lists' entries as they are walked. */
  intrinsicGas: bigint
  /** EIP-7623's floor, set by tx-payload's last step (0 before Prague, and before that step). */
  floorGas: bigint
  /** The authorisations and access-list entries walked so far (all of them once their walks end). */
  authorizationCount: bigint
  accessListCount: bigint
  /** `T_24` root of the transactions-trie leaf node that holds the transaction. */
  txRoot: Uint8Array
  chainId: bigint
  nonce: bigint
  /** The leaf node's size; the places below are in its bytes. */
  txSize: number
  data: TxSpan
  accessList: TxSpan
  authorizations: TxSpan
  cursor: TxCursor
  maxFeePerBlobGas: bigint
  r: bigint
  s: bigint
  payload: TxPayload
  /** H(the Keccak-f state) of the signed message's hash under way; zero otherwise. */
  sponge: Uint8Array
}

const u32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset + at, 4).getUint32(0)
const packed = (fields: [number | bigint, number][]): Uint8Array => {
  const out = new Uint8Array(32)
  let at = 0
  for (const [v, len] of fields) {
    out.set(be(v, len), at)
    at += len
  }
  return out
}

export function readTxEnv(b: Uint8Array): TxEnv {
  if (b.length !== TX_ENV_BYTES) throw new WitnessError(`a txEnv is ${TX_ENV_BYTES} bytes, not ${b.length}`)
  const w = (i: number) => word(b, i)
  const spans = w(18)
  const span = (i: number): TxSpan => ({ offset: u32(spans, 4 + 8 * i), size: u32(spans, 8 + 8 * i) })
  const cursor = w(19)
  const p = w(23)
  return {
    origin: w(0),
    txType: Number(num(w(1))),
    gasLimit: num(w(2)),
    effectiveGasPrice: num(w(3)),
    maxFeePerGas: num(w(4)),
    maxPriorityFeePerGas: num(w(5)),
    to: w(6).subarray(12),
    isCreate: num(w(7)) === 1n,
    value: num(w(8)),
    blobHashesHash: w(9),
    blobCount: num(w(10)),
    intrinsicGas: num(w(11)),
    floorGas: num(w(12)),
    authorizationCount: num(w(13)),
    accessListCount: num(w(14)),
    txRoot: w(15),
    chainId: num(w(16)),
    nonce: num(w(17)),
    txSize: u32(spans, 0),
    data: span(0),
    accessList: span(1),
    authorizations: span(2),
    cursor: { walked: u32(cursor, 0), slotsEnd: u32(cursor, 4), address: cursor.slice(12) },
    maxFeePerBlobGas: num(w(20)),
    r: num(w(21)),
    s: num(w(22)),
    payload: {
      yParity: p[0] as number,
      eip155: p[1] === 1,
      signed: { offset: u32(p, 2), size: u32(p, 6) },
      absorbed: u32(p, 10),
      tokens: num(p.subarray(14, 22)),
    },
    sponge: w(24),
  }
}

export function writeTxEnv(e: TxEnv): Uint8Array {
  const address = (a: Uint8Array) => join([new Uint8Array(12), a])
  const sp = [e.data, e.accessList, e.authorizations].flatMap((x): [number, number][] => [
    [x.offset, 4],
    [x.size, 4],
  ])
  const p = e.payload
  return join([
    e.origin,
    be(e.txType),
    be(e.gasLimit),
    be(e.effectiveGasPrice),
    be(e.maxFeePerGas),
    be(e.maxPriorityFeePerGas),
    address(e.to),
    be(e.isCreate ? 1 : 0),
    be(e.value),
    e.blobHashesHash,
    be(e.blobCount),
    be(e.intrinsicGas),
    be(e.floorGas),
    be(e.authorizationCount),
    be(e.accessListCount),
    e.txRoot,
    be(e.chainId),
    be(e.nonce),
    packed([[e.txSize, 4], ...sp]),
    join([be(e.cursor.walked, 4), be(e.cursor.slotsEnd, 4), new Uint8Array(4), e.cursor.address]),
    be(e.maxFeePerBlobGas),
    be(e.r),
    be(e.s),
    packed([
      [p.yParity, 1],
      [p.eip155 ? 1 : 0, 1],
      [p.signed.offset, 4],
      [p.signed.size, 4],
      [p.absorbed, 4],
      [p.tokens, 8],
    ]),
    e.sponge,
  ])
}

/** The cursor at a walk's start. */
export const CURSOR_START: TxCursor = { walked: 0, slotsEnd: 0, address: new Uint8Array(20) }

/** SPEC.md §2.2. */
export interface BlockAcc {
  cumulativeGas: bigint
  blobGasUsed: bigint
  /** The empty trie's root until the receipts-trie steps end; then the receipts root. */
  receiptsRoot: Uint8Array
  receiptCount: bigint
  requests: Uint8Array
  bloomHash: Uint8Array
  /** `T_16` of the receipts by transaction index, leaf `H(logsRoot ‖ logsSize ‖ head)`. */
  receiptsList: Uint8Array
  /** H of the receipts trie's unfinished branches (SPEC.md §5.4), H of no bytes outside the receipts-trie steps. */
  trieStack: Uint8Array
  /** Bytes of a receipt's leaf the sponge has absorbed, when it is hashed over several steps; 0 otherwise. */
  leafProgress: bigint
  /** H(the Keccak-f state) of that leaf's hash under way; zero otherwise. */
  leafSponge: Uint8Array
}

/** The size of SPEC.md §2.2's blockAcc: ten words. */
export const BLOCK_ACC_BYTES = 320

export function readBlockAcc(b: Uint8Array): BlockAcc {
  if (b.length !== BLOCK_ACC_BYTES) throw new WitnessError(`a blockAcc is ${BLOCK_ACC_BYTES} bytes, not ${b.length}`)
  return {
    cumulativeGas: num(word(b, 0)),
    blobGasUsed: num(word(b, 1)),
    receiptsRoot: word(b, 2),
    receiptCount: num(word(b, 3)),
    requests: word(b, 4),
    bloomHash: word(b, 5),
    receiptsList: word(b, 6),
    trieStack: word(b, 7),
    leafProgress: num(word(b, 8)),
    leafSponge: word(b, 9),
  }
}

export function writeBlockAcc(a: BlockAcc): Uint8Array {
  return join([
    be(a.cumulativeGas),
    be(a.blobGasUsed),
    a.receiptsRoot,
    be(a.receiptCount),
    a.requests,
    a.bloomHash,
    a.receiptsList,
    a.trieStack,
    be(a.leafProgress),
    a.leafSponge,
  ])
}
