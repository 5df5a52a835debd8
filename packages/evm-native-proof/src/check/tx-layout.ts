/**
 * A transaction read in bounded windows (SPEC.md §6.1, version 9's piece 2): the scalar fields and
 * the places of everything long — the data, the access list, the authorisations, the signed range —
 * from at most four reads of `TX_WINDOW` bytes, whatever the transaction's size. In version 9 a step
 * takes these reads from the BytesOracle's tree of a long transactions-trie leaf; until then it is
 * held to `decodeTx` and to ethereumjs's decoding (`test/tx-layout.test.ts`). The access list and the
 * authorisations are spans whose interiors it does not read: the steps that walk them (a bounded
 * number of entries a step) read and check them, and a malformed entry makes the block invalid there.
 */
import { join, minimal, num, rlpHeader } from './layout.ts'
import { MalformedTransaction, type Tx } from './tx.ts'

/** The bytes one read of a transaction takes at most: every field the reader decodes lies in one window. */
export const TX_WINDOW = 512

/** `len` bytes of the transaction from `offset` (fewer at its end). */
export type TxRead = (offset: number, len: number) => Uint8Array

/** A range of the transaction's bytes. */
export interface Span {
  offset: number
  size: number
}

/** The fields a reader decodes as `decodeTx` does; the long ones are spans. */
export interface TxLayout
  extends Pick<
    Tx,
    | 'type'
    | 'chainId'
    | 'nonce'
    | 'gasLimit'
    | 'maxFeePerGas'
    | 'maxPriorityFeePerGas'
    | 'to'
    | 'value'
    | 'maxFeePerBlobGas'
    | 'blobHashes'
    | 'recovery'
    | 'r'
    | 's'
  > {
  /** The payloads of the data, the access list and the authorisation list (empty spans where a type has none). */
  data: Span
  accessList: Span
  authorizations: Span
  /** The signed message: `prefix ‖ bytes[signed] ‖ suffix`, hashed by keccak256. */
  signed: { prefix: Uint8Array; span: Span; suffix: Uint8Array }
  /** The windows read, in order (for the witness's size). */
  reads: Span[]
}

function fail(what: string): never {
  throw new MalformedTransaction(`the transaction: ${what}`)
}

/** One RLP item's header at `at` of `w` (window bytes from `base`): its payload's place and whether it is a list. */
export function header(w: Uint8Array, base: number, at: number, what: string): { list: boolean; offset: number; size: number } {
  const i = at - base
  const b = w[i]
  if (b === undefined) fail(`${what} is past the transaction's end or its window`)
  if (b < 0x80) return { list: false, offset: at, size: 1 }
  const list = b >= 0xc0
  const short = list ? b - 0xc0 : b - 0x80
  if (short <= 55) {
    if (!list && short === 1 && (w[i + 1] ?? 0x80) < 0x80) fail(`${what}: a single byte below 0x80 with a header`)
    return { list, offset: at + 1, size: short }
  }
  const lenOfLen = short - 55
  if (i + 1 + lenOfLen > w.length) fail(`${what}: a header past its window`)
  if (w[i + 1] === 0) fail(`${what}: a length with a leading zero`)
  let size = 0
  for (let k = 1; k <= lenOfLen; k++) size = size * 256 + (w[i + k] as number)
  if (size <= 55) fail(`${what}: a long header for a short payload`)
  return { list, offset: at + 1 + lenOfLen, size }
}

/** A sequential reader over windows: each `window(at)` is one read; every item decoded must lie in the current one. */
class Windows {
  reads: Span[] = []
  private w: Uint8Array = new Uint8Array()
  private base = 0
  constructor(
    private readonly read: TxRead,
    readonly end: number,
  ) {}

  window(at: number): void {
    const len = Math.min(TX_WINDOW, this.end - at)
    if (len < 0) fail('a field is past the transaction’s end')
    this.w = this.read(at, len)
    if (this.w.length !== len) throw new Error(`a transaction read of ${len} bytes at ${at} gave ${this.w.length}`)
    this.base = at
    this.reads.push({ offset: at, size: len })
  }

  /** The item at `at`: its header, and its payload when it is a string within the window. */
  item(at: number, what: string) {
    const h = header(this.w, this.base, at, what)
    const payload = () => {
      if (h.list) fail(`${what} is a list, not a string`)
      if (h.offset + h.size > this.base + this.w.length) fail(`${what} is past its window`)
      return this.w.slice(h.offset - this.base, h.offset - this.base + h.size)
    }
    return { ...h, next: h.offset + h.size, payload }
  }
}

const int = (b: Uint8Array, what: string): bigint => {
  if (b.length > 32 || (b.length > 0 && b[0] === 0)) fail(`${what} is not a minimal integer`)
  return num(b)
}

/** The layout of a transaction of `size` bytes (an EIP-2718 envelope or a legacy list), from reads of it. */
export function readTxLayout(read: TxRead, size: number): TxLayout {
  const w = new Windows(read, size)
  w.window(0)
  const first = w.item(0, 'the envelope')
  const typed = size > 0 && !first.list && first.size === 1 && first.offset === 0
  const type = typed ? (first.payload()[0] as number) : 0
  if (typed && ![1, 2, 3, 4].includes(type)) fail(`type ${type} is not known`)
  const outer = typed ? w.item(1, 'the payload') : first
  if (!outer.list) fail('the payload is not a list')
  if (outer.next !== size) fail('bytes after the payload')
  let at = outer.offset
  const field = (what: string) => {
    const it = w.item(at, what)
    if (it.next > outer.next) fail(`${what} runs past the payload`)
    at = it.next
    return it
  }
  const scalar = (what: string) => int(field(what).payload(), what)
  const address = (what: string) => {
    const b = field(what).payload()
    if (b.length !== 0 && b.length !== 20) fail(`${what} is not 20 bytes`)
    return b.length === 0 ? undefined : b
  }
  const stringSpan = (what: string): Span => {
    const it = field(what)
    if (it.list) fail(`${what} is not a byte string`)
    return { offset: it.offset, size: it.size }
  }
  const listSpan = (what: string): Span => {
    const it = field(what)
    if (!it.list) fail(`${what} is not a list`)
    return { offset: it.offset, size: it.size }
  }
  const none: Span = { offset: 0, size: 0 }
  const signature = () => {
    const v = scalar(type === 0 ? 'v' : 'y parity')
    const r = scalar('r')
    const s = scalar('s')
    if (at !== outer.next) fail('fields after the signature')
    return { v, r, s }
  }
  const fieldsStart = outer.offset
  if (type === 0) {
    const nonce = scalar('nonce')
    const gasPrice = scalar('gasPrice')
    const gasLimit = scalar('gasLimit')
    const to = address('to')
    const value = scalar('value')
    const data = stringSpan('data')
    const dataEnd = at
    w.window(at)
    const { v, r, s } = signature()
    const chainId = v === 27n || v === 28n ? undefined : (v - 35n) / 2n
    if (chainId !== undefined && v < 35n) fail(`v = ${v} is neither 27/28 nor EIP-155`)
    const span = { offset: fieldsStart, size: dataEnd - fieldsStart }
    return {
      type,
      chainId,
      nonce,
      gasLimit,
      maxFeePerGas: gasPrice,
      maxPriorityFeePerGas: gasPrice,
      to,
      value,
      data,
      accessList: none,
      authorizations: none,
      maxFeePerBlobGas: 0n,
      blobHashes: [],
      recovery: Number(chainId === undefined ? v - 27n : (v - 35n) % 2n),
      r,
      s,
      signed: { ...signedParts(0, chainId, span.size), span },
      reads: w.reads,
    }
  }
  const chainId = scalar('chainId')
  const nonce = scalar('nonce')
  const tip = type === 1 ? undefined : scalar('the priority fee')
  const feeCap = scalar(type === 1 ? 'gasPrice' : 'the fee cap')
  const gasLimit = scalar('gasLimit')
  const to = address('to')
  const value = scalar('value')
  const data = stringSpan('data')
  w.window(at)
  const accessList = listSpan('the access list')
  at = accessList.offset + accessList.size
  w.window(at)
  let maxFeePerBlobGas = 0n
  let blobHashes: Uint8Array[] = []
  let authorizations = none
  if (type === 3) {
    maxFeePerBlobGas = scalar('maxFeePerBlobGas')
    const blobs = listSpan('the blob hashes')
    // Nine is the most any fork allows (Prague); a longer list is refused without being read.
    if (blobs.size > 9 * 33) fail('more blob hashes than any fork allows')
    blobHashes = []
    for (at = blobs.offset; at < blobs.offset + blobs.size; ) blobHashes.push(field('a blob hash').payload())
    if (at !== blobs.offset + blobs.size) fail('a blob hash runs past its list')
  } else if (type === 4) {
    authorizations = listSpan('the authorisations')
    at = authorizations.offset + authorizations.size
    w.window(at)
  }
  const sigStart = at
  const { v, r, s } = signature()
  return {
    type,
    chainId,
    nonce,
    gasLimit,
    maxFeePerGas: feeCap,
    maxPriorityFeePerGas: tip ?? feeCap,
    to,
    value,
    data,
    accessList,
    authorizations,
    maxFeePerBlobGas,
    blobHashes,
    recovery: Number(v),
    r,
    s,
    signed: { ...signedParts(type, chainId, sigStart - fieldsStart), span: { offset: fieldsStart, size: sigStart - fieldsStart } },
    reads: w.reads,
  }
}

/**
 * What the signed message has around its range of the transaction (`size` bytes of fields): a typed
 * transaction's type and list header; a legacy one's list header, and for EIP-155 (`chainId` given)
 * the suffix `rlp(chainId) ‖ 0x80 ‖ 0x80`.
 */
export function signedParts(type: number, chainId: bigint | undefined, size: number): { prefix: Uint8Array; suffix: Uint8Array } {
  if (type !== 0) return { prefix: join([Uint8Array.of(type), rlpHeader(size, 0xc0)]), suffix: new Uint8Array() }
  const suffix = chainId === undefined ? new Uint8Array() : join([rlpOf(chainId), Uint8Array.of(0x80, 0x80)])
  return { prefix: rlpHeader(size + suffix.length, 0xc0), suffix }
}

/** An integer's RLP. */
function rlpOf(v: bigint): Uint8Array {
  const b = minimal(v)
  return b.length === 1 && (b[0] as number) < 0x80 ? b : join([rlpHeader(b.length, 0x80), b])
}
