import type { BlockHeader } from '@ethereumjs/block'
import { RLP } from '@ethereumjs/rlp'
import type { TypedTransaction } from '@ethereumjs/tx'
import { ChunkedBytes } from '../commit/bytes-tree.ts'
import { concat, H, uint, writeUint, ZERO32 } from '../commit/hash.ts'

/** A 20-byte address left-padded to a word. */
const word20 = (a: Uint8Array) => {
  const out = new Uint8Array(32)
  out.set(a, 12)
  return out
}

/**
 * SPEC.md §2's version byte: 8 (2 bound the block to its header; 3 binds BLOCKHASH's tree to the
 * chain, the block-hashes steps; 4 makes calldata, return data and outputs views, and splits the exit's copy;
 * 5 deepens the indexed maps to 24 levels; 6 warms the access list a bounded number of keys a step;
 * 7 hashes the block's requests as they come, a SHA-256 stream a type; 8 keeps the logs in a tree and
 * builds the receipts trie after the last transaction; 9 puts the transaction in a tree of its own, named
 * by txEnv with the places of its data and lists, read a part at a time by the set-up steps after tx-start).
 */
export const STATE_VERSION = 10

/** SPEC.md §2: the 352-byte machine state. */
export function stateData(s: {
  phase: number
  forkId: number
  chainId: bigint
  txIndex: number
  subIndex: number
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
}): Uint8Array {
  const head = new Uint8Array(32)
  head[0] = STATE_VERSION
  head[1] = s.phase
  writeUint(head, 2, s.txIndex, 4)
  writeUint(head, 6, s.subIndex, 4)
  head[10] = s.forkId
  writeUint(head, 11, s.chainId, 8)
  return concat([
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

/** SPEC.md §2.1: the 288-byte sub-state. */
export function substateData(s: {
  refund: bigint
  logsRoot: Uint8Array
  logsSize: number
  selfdestructMap: Uint8Array
  createdMap: Uint8Array
  touchedMap: Uint8Array
  bloomHash: Uint8Array
  requests: Uint8Array
  depositError: boolean
}): Uint8Array {
  return concat([
    uint(s.refund),
    s.logsRoot,
    uint(s.logsSize),
    s.selfdestructMap,
    s.createdMap,
    s.touchedMap,
    s.bloomHash,
    s.requests,
    uint(s.depositError ? 1 : 0),
  ])
}

/** What SPEC.md §2.3's frame is made of (the generator's call frame has these and more). */
export interface FrameFields {
  kind: number
  status: number
  isStatic: boolean
  depth: number
  pc: number
  gas: bigint
  stackSize: number
  memoryWords: number
  code: { code: Uint8Array; root(): Uint8Array } | undefined
  address: Uint8Array
  codeAddress: Uint8Array
  caller: Uint8Array
  value: bigint
  stack: { hash: Uint8Array }
  memory: { root(): Uint8Array }
  /** Views (SPEC.md §2.3): the caller's memory, the last child's output, this frame's RETURN or REVERT data. */
  calldata: FrameView
  returnData: FrameView
  output: FrameView
  retOffset: number
  retSize: number
  /** Bytes of a long copy already moved, or absorbed by the sponge (SPEC.md §6.1); absent or 0 when neither is under way. */
  progress?: number
  /** H(the Keccak-f state) of a hash over several steps (SPEC.md §6.1); absent or zero otherwise. */
  sponge?: Uint8Array
}

/** What a frame commits to of a view: its tree's root, the offset in it, its size. */
export interface FrameView {
  root: Uint8Array
  offset: number
  size: number
}

/** SPEC.md §2.3: the 448-byte frame. */
export function frameData(f: FrameFields): Uint8Array {
  // One buffer, written in place: the tracer encodes a frame at every step.
  const out = new Uint8Array(448)
  writeUint(out, 0, f.kind, 1)
  writeUint(out, 1, f.status, 1)
  out[2] = f.isStatic ? 1 : 0
  writeUint(out, 3, f.depth, 2)
  writeUint(out, 5, f.pc, 4)
  writeUint(out, 9, f.gas, 8)
  writeUint(out, 17, f.stackSize, 2)
  writeUint(out, 19, f.memoryWords, 4)
  writeUint(out, 23, f.code?.code.length ?? 0, 4)
  out.set(f.address, 32 + 12)
  out.set(f.codeAddress, 64 + 12)
  out.set(f.caller, 96 + 12)
  writeUint(out, 128, f.value, 32)
  out.set(f.code?.root() ?? ZERO32, 160)
  out.set(f.stack.hash, 192)
  out.set(f.memory.root(), 224)
  out.set(f.calldata.root, 256)
  out.set(f.returnData.root, 288)
  out.set(f.output.root, 320)
  for (const [i, v] of [f.calldata.size, f.returnData.size, f.output.size, f.retOffset, f.retSize, f.progress ?? 0].entries())
    writeUint(out, 352 + 4 * i, v, 4)
  for (const [i, v] of [f.calldata.offset, f.returnData.offset, f.output.offset].entries()) writeUint(out, 384 + 4 * i, v, 4)
  out.set(f.sponge ?? ZERO32, 416)
  return out
}

/** SPEC.md §3: the 448-byte block environment. */
export function blockEnvData(b: {
  forkId: number
  chainId: bigint
  header: BlockHeader
  blobBaseFee: bigint
  blockHashesRoot: Uint8Array
}): Uint8Array {
  const h = b.header
  return concat([
    uint(b.forkId),
    uint(b.chainId),
    uint(h.number),
    uint(h.timestamp),
    uint(h.gasLimit),
    uint(h.baseFeePerGas ?? 0n),
    uint(b.blobBaseFee),
    h.mixHash,
    word20(h.coinbase.bytes),
    h.parentHash,
    h.parentBeaconBlockRoot ?? ZERO32,
    h.transactionsTrie,
    h.withdrawalsRoot ?? ZERO32,
    b.blockHashesRoot,
  ])
}

const min = (a: bigint, b: bigint) => (a < b ? a : b)

/** The versioned blob hashes of a transaction, concatenated (SPEC.md §3 hashes them into txEnv). */
export function blobHashes(tx: TypedTransaction): Uint8Array {
  const hashes = (tx as { blobVersionedHashes?: (Uint8Array | string)[] }).blobVersionedHashes ?? []
  return concat(hashes.map((b) => (typeof b === 'string' ? Buffer.from(b.slice(2), 'hex') : b)))
}

/** EIP-7623's floor (Prague on): 21,000 + 10 a calldata token (a zero byte one token, any other four); 0 before Prague. */
export function floorGas(tx: TypedTransaction, forkId: number): bigint {
  if (forkId < 2) return 0n
  let tokens = 0n
  for (const b of tx.data) tokens += b === 0 ? 1n : 4n
  return 21000n + 10n * tokens
}

/** A range of a transaction's bytes. */
export interface TxSpan {
  offset: number
  size: number
}

/**
 * Where a transaction's data, access list, authorisation list and signed fields lie in its canonical
 * bytes (the payload of each list and string; `{0, 0}` where the type has none; the signed range from
 * the first field to the signature), from the RLP lengths of ethereumjs's fields.
 */
export function txSpans(tx: TypedTransaction): { data: TxSpan; accessList: TxSpan; authorizations: TxSpan; signed: TxSpan } {
  const fields = tx.raw() as unknown as (Uint8Array | unknown[])[]
  const encoded = fields.map((f) => RLP.encode(f as Uint8Array))
  const payload = encoded.reduce((n, e) => n + e.length, 0)
  const first = (tx.type === 0 ? 0 : 1) + RLP.encode(fields as Uint8Array[]).length - payload
  let at = first
  const starts: number[] = []
  const places = encoded.map((e, i) => {
    const f = fields[i] as Uint8Array | unknown[]
    const size = f instanceof Uint8Array ? f.length : f.reduce((n: number, x) => n + RLP.encode(x as Uint8Array).length, 0)
    starts.push(at)
    const span = { offset: at + e.length - size, size }
    at += e.length
    return span
  })
  const none = { offset: 0, size: 0 }
  const [data, accessList, authorizations] = tx.type === 0 ? [5] : tx.type === 1 ? [6, 7] : [7, 8, 9]
  // The signature is the last three fields (v, r, s; or y parity, r, s).
  const sigStart = starts[fields.length - 3] as number
  return {
    data: places[data as number] as TxSpan,
    accessList: accessList === undefined ? none : (places[accessList] as TxSpan),
    authorizations: authorizations === undefined || tx.type !== 4 ? none : (places[authorizations] as TxSpan),
    signed: { offset: first, size: sigStart - first },
  }
}

/** A set-up walk's place (SPEC.md §3, txEnv word 19): bytes walked, the current entry's slots' end and address (access list). */
export interface TxCursor {
  walked: number
  slotsEnd: number
  address: Uint8Array
}

/** SPEC.md §3's transaction environment, as the generator keeps it between the set-up steps. */
export interface TxEnvFields {
  origin: Uint8Array | undefined
  type: number
  gasLimit: bigint
  effectiveGasPrice: bigint
  maxFeePerGas: bigint
  maxPriorityFeePerGas: bigint
  to: Uint8Array | undefined
  value: bigint
  blobs: Uint8Array
  intrinsicGas: bigint
  floorGas: bigint
  authorizationCount: bigint
  accessListCount: bigint
  txRoot: Uint8Array
  chainId: bigint
  nonce: bigint
  txSize: number
  data: TxSpan
  accessList: TxSpan
  authorizations: TxSpan
  cursor: TxCursor | undefined
  maxFeePerBlobGas: bigint
  r: bigint
  s: bigint
  yParity: number
  eip155: boolean
  signed: TxSpan
  absorbed: number
  tokens: bigint
  sponge: Uint8Array
}

/** The 800 bytes of a TxEnvFields. */
export function txEnvBytes(f: TxEnvFields): Uint8Array {
  const spans = new Uint8Array(32)
  writeUint(spans, 0, f.txSize, 4)
  for (const [i, sp] of [f.data, f.accessList, f.authorizations].entries()) {
    writeUint(spans, 4 + 8 * i, sp.offset, 4)
    writeUint(spans, 8 + 8 * i, sp.size, 4)
  }
  const cursor = new Uint8Array(32)
  if (f.cursor !== undefined) {
    writeUint(cursor, 0, f.cursor.walked, 4)
    writeUint(cursor, 4, f.cursor.slotsEnd, 4)
    cursor.set(f.cursor.address, 12)
  }
  const payload = new Uint8Array(32)
  payload[0] = f.yParity
  payload[1] = f.eip155 ? 1 : 0
  writeUint(payload, 2, f.signed.offset, 4)
  writeUint(payload, 6, f.signed.size, 4)
  writeUint(payload, 10, f.absorbed, 4)
  writeUint(payload, 14, f.tokens, 8)
  return concat([
    f.origin === undefined ? ZERO32 : word20(f.origin),
    uint(f.type),
    uint(f.gasLimit),
    uint(f.effectiveGasPrice),
    uint(f.maxFeePerGas),
    uint(f.maxPriorityFeePerGas),
    f.to === undefined ? ZERO32 : word20(f.to),
    uint(f.to === undefined ? 1 : 0),
    uint(f.value),
    H(f.blobs),
    uint(f.blobs.length / 32),
    uint(f.intrinsicGas),
    uint(f.floorGas),
    uint(f.authorizationCount),
    uint(f.accessListCount),
    f.txRoot,
    uint(f.chainId),
    uint(f.nonce),
    spans,
    cursor,
    uint(f.maxFeePerBlobGas),
    uint(f.r),
    uint(f.s),
    payload,
    f.sponge,
  ])
}

/**
 * SPEC.md §3: the transaction environment as tx-start sets it (the effective gas price at the
 * block's base fee; the intrinsic gas's base; no sender yet), for a transaction whose canonical bytes
 * end the transactions-trie leaf node `leaf`.
 */
export function txEnvStart(tx: TypedTransaction, baseFee: bigint, leaf: Uint8Array): TxEnvFields {
  const t = tx as TypedTransaction & {
    maxFeePerGas?: bigint
    maxPriorityFeePerGas?: bigint
    gasPrice?: bigint
    maxFeePerBlobGas?: bigint
    chainId?: bigint
    yParity?: bigint
  }
  const valueOffset = leaf.length - tx.serialize().length
  const spans = txSpans(tx)
  const moved = (sp: TxSpan) => (sp.offset === 0 && sp.size === 0 ? sp : { offset: sp.offset + valueOffset, size: sp.size })
  // A legacy transaction names its chain in v (EIP-155: v = 35 + 2·chainId + parity), or none (27, 28).
  const v = tx.v ?? 0n
  const eip155 = tx.type === 0 && v >= 35n
  const creates = tx.to === undefined
  return {
    origin: undefined,
    type: tx.type,
    gasLimit: tx.gasLimit,
    effectiveGasPrice: t.gasPrice ?? min(t.maxFeePerGas ?? 0n, baseFee + (t.maxPriorityFeePerGas ?? 0n)),
    maxFeePerGas: t.maxFeePerGas ?? t.gasPrice ?? 0n,
    maxPriorityFeePerGas: t.maxPriorityFeePerGas ?? t.gasPrice ?? 0n,
    to: tx.to?.bytes,
    value: tx.value,
    blobs: blobHashes(tx),
    intrinsicGas: 21000n + (creates ? 32000n + 2n * BigInt(Math.ceil(tx.data.length / 32)) : 0n),
    floorGas: 0n,
    authorizationCount: 0n,
    accessListCount: 0n,
    txRoot: ChunkedBytes.root(leaf),
    chainId: tx.type === 0 ? (eip155 ? (v - 35n) / 2n : 0n) : (t.chainId ?? 0n),
    nonce: tx.nonce,
    txSize: leaf.length,
    data: moved(spans.data),
    accessList: moved(spans.accessList),
    authorizations: moved(spans.authorizations),
    cursor: undefined,
    maxFeePerBlobGas: t.maxFeePerBlobGas ?? 0n,
    r: tx.r ?? 0n,
    s: tx.s ?? 0n,
    yParity: Number(tx.type === 0 ? (eip155 ? (v - 35n) % 2n : v - 27n) : v),
    eip155,
    signed: moved(spans.signed),
    absorbed: 0,
    tokens: 0n,
    sponge: ZERO32,
  }
}

/**
 * A log's RLP, rlp([address, topics, data]), up to its data of `len` bytes (more than 55, as in a
 * hash over several steps, SPEC.md §6.1): what the sponge absorbs before the data.
 */
export function logHead(address: Uint8Array, topics: Uint8Array[], len: number): Uint8Array {
  const bytesOf = (n: number) => {
    const out: number[] = []
    for (let x = n; x > 0; x = Math.floor(x / 256)) out.unshift(x % 256)
    return Uint8Array.from(out)
  }
  const header = (n: number, base: number) =>
    n <= 55 ? Uint8Array.of(base + n) : concat([Uint8Array.of(base + 55 + bytesOf(n).length), bytesOf(n)])
  const body = concat([
    Uint8Array.of(0x94),
    address,
    header(33 * topics.length, 0xc0),
    ...topics.map((t) => concat([Uint8Array.of(0xa0), t])),
    header(len, 0x80),
  ])
  return concat([header(body.length + len, 0xc0), body])
}
