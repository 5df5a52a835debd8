/**
 * Transactions as the reference checker reads them (EIP-2718 envelopes: legacy with or without
 * EIP-155, EIP-2930, EIP-1559, EIP-4844, EIP-7702): an authorisation's fields, a signature's signer,
 * and SPEC.md §3's txEnv as tx-start sets it. The steps read a transaction a window at a time
 * (src/check/tx-layout.ts) and sum its intrinsic gas part by part; `decodeTx`, `intrinsicGas` and
 * `floorGas`, over the whole transaction, are what the tests hold those parts to.
 */

import { RLP } from '@ethereumjs/rlp'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { be, CURSOR_START, join, keccak, num, type TxEnv } from './layout.ts'
import type { TxLayout } from './tx-layout.ts'

export interface Authorization {
  chainId: bigint
  address: Uint8Array
  nonce: bigint
  yParity: bigint
  r: bigint
  s: bigint
  /** The three fields as encoded, for the signed message. */
  raw: Uint8Array[]
}

export interface Tx {
  type: number
  chainId: bigint | undefined
  nonce: bigint
  gasLimit: bigint
  /** Legacy and EIP-2930: the gas price; from EIP-1559 on: the fee caps. */
  maxFeePerGas: bigint
  maxPriorityFeePerGas: bigint
  to: Uint8Array | undefined
  value: bigint
  data: Uint8Array
  accessList: [Uint8Array, Uint8Array[]][]
  maxFeePerBlobGas: bigint
  blobHashes: Uint8Array[]
  authorizations: Authorization[]
  /** The hash the sender signed and the signature. */
  signingHash: Uint8Array
  recovery: number
  r: bigint
  s: bigint
}

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n

/**
 * A transaction of the block that does not decode: its bytes are proven in `transactionsRoot`, so
 * the block, not the witness, is at fault, and tx-start ends in INVALID.
 */
export class MalformedTransaction extends Error {}

function fail(what: string): never {
  throw new MalformedTransaction(`the transaction: ${what}`)
}

const bytes = (v: unknown, what: string): Uint8Array => (v instanceof Uint8Array ? v : fail(`${what} is not a byte string`))
const list = (v: unknown, what: string): unknown[] => (Array.isArray(v) ? v : fail(`${what} is not a list`))
const int = (v: unknown, what: string): bigint => {
  const b = bytes(v, what)
  if (b.length > 32 || (b.length > 0 && b[0] === 0)) fail(`${what} is not a minimal integer`)
  return num(b)
}
const address = (v: unknown, what: string): Uint8Array => {
  const b = bytes(v, what)
  return b.length === 20 ? b : fail(`${what} is not 20 bytes`)
}

function accessList(v: unknown): [Uint8Array, Uint8Array[]][] {
  return list(v, 'the access list').map((e) => {
    const [a, slots] = list(e, 'an access-list entry') as [unknown, unknown]
    return [
      address(a, 'an access-list address'),
      list(slots, 'the slots').map((x) => {
        const slot = bytes(x, 'a slot')
        return slot.length === 32 ? slot : fail('a slot is not 32 bytes')
      }),
    ]
  })
}

/**
 * One EIP-7702 authorisation, `[chainId, address, nonce, yParity, r, s]`, decoded. Its nonce is a
 * 64-bit and its y parity an 8-bit integer (execution-specs' `U64` and `U8`, go-ethereum's `uint64`
 * and `uint8`, ethereumjs's verifyAuthorizationList): a wider one does not decode, and the
 * transaction with it is malformed (the block invalid), not an authorisation to skip.
 */
export function decodeAuthorization(a: unknown): Authorization {
  const t = list(a, 'an authorisation')
  if (t.length !== 6) fail('an authorisation has 6 fields')
  const sized = (v: unknown, bytesAtMost: number, what: string) => {
    const n = int(v, what)
    return n >> BigInt(8 * bytesAtMost) === 0n ? n : fail(`${what} is wider than ${8 * bytesAtMost} bits`)
  }
  return {
    chainId: int(t[0], 'an authorisation chain id'),
    address: address(t[1], 'an authorisation address'),
    nonce: sized(t[2], 8, 'an authorisation nonce'),
    yParity: sized(t[3], 1, 'an authorisation y parity'),
    r: int(t[4], 'an authorisation r'),
    s: int(t[5], 'an authorisation s'),
    raw: t.slice(0, 3) as Uint8Array[],
  }
}

/** Decodes a transaction's canonical bytes (as in the transactions trie). */
export function decodeTx(raw: Uint8Array): Tx {
  const typed = raw.length > 0 && (raw[0] as number) < 0x7f
  const type = typed ? (raw[0] as number) : 0
  // EIP-2718: a legacy transaction is not an envelope; a first byte of 0 names no type (go-ethereum: ErrTxTypeNotSupported).
  if (typed && type === 0) fail('type 0 is not an EIP-2718 envelope')
  let fields: unknown[]
  try {
    fields = list(RLP.decode(typed ? raw.subarray(1) : raw), 'the payload')
  } catch (e) {
    if (e instanceof MalformedTransaction) throw e
    fail(`not RLP (${(e as Error).message})`)
  }
  const counts: Record<number, number> = { 0: 9, 1: 11, 2: 12, 3: 14, 4: 13 }
  if (counts[type] === undefined) fail(`type ${type} is not known`)
  if (fields.length !== counts[type]) fail(`a type-${type} transaction has ${counts[type]} fields, not ${fields.length}`)
  const f = fields
  const to = (v: unknown) => (bytes(v, 'to').length === 0 ? undefined : address(v, 'to'))
  const signed = (n: number) => keccak(typed ? Uint8Array.of(type) : new Uint8Array(), RLP.encode(f.slice(0, n) as Uint8Array[]))
  if (type === 0) {
    const v = int(f[6], 'v')
    const chainId = v === 27n || v === 28n ? undefined : (v - 35n) / 2n
    if (chainId !== undefined && v < 35n) fail(`v = ${v} is neither 27/28 nor EIP-155`)
    const signingHash =
      chainId === undefined
        ? signed(6)
        : keccak(
            RLP.encode([
              ...(f.slice(0, 6) as Uint8Array[]),
              be(chainId).subarray(32 - minimalLength(chainId)),
              new Uint8Array(),
              new Uint8Array(),
            ]),
          )
    return {
      type,
      chainId,
      nonce: int(f[0], 'nonce'),
      maxFeePerGas: int(f[1], 'gasPrice'),
      maxPriorityFeePerGas: int(f[1], 'gasPrice'),
      gasLimit: int(f[2], 'gasLimit'),
      to: to(f[3]),
      value: int(f[4], 'value'),
      data: bytes(f[5], 'data'),
      accessList: [],
      maxFeePerBlobGas: 0n,
      blobHashes: [],
      authorizations: [],
      signingHash,
      recovery: Number(chainId === undefined ? v - 27n : (v - 35n) % 2n),
      r: int(f[7], 'r'),
      s: int(f[8], 's'),
    }
  }
  // Typed: chainId, nonce, then the fee fields (one gas price for type 1, two caps after), gasLimit, to, value, data, accessList…
  const fee = type === 1 ? 1 : 2
  const at = (i: number) => f[i + fee - 1]
  const sig = fields.length - 3
  const blobs = type === 3 ? list(f[10], 'the blob hashes').map((h) => bytes(h, 'a blob hash')) : []
  const auths = type === 4 ? list(f[9], 'the authorisations').map(decodeAuthorization) : []
  return {
    type,
    chainId: int(f[0], 'chainId'),
    nonce: int(f[1], 'nonce'),
    maxPriorityFeePerGas: int(f[2], 'the priority fee'),
    maxFeePerGas: int(at(2), 'the fee cap'),
    gasLimit: int(at(3), 'gasLimit'),
    to: to(at(4)),
    value: int(at(5), 'value'),
    data: bytes(at(6), 'data'),
    accessList: accessList(at(7)),
    maxFeePerBlobGas: type === 3 ? int(f[9], 'maxFeePerBlobGas') : 0n,
    blobHashes: blobs,
    authorizations: auths,
    signingHash: signed(sig),
    recovery: Number(int(f[sig], 'y parity')),
    r: int(f[sig + 1], 'r'),
    s: int(f[sig + 2], 's'),
  }
}

function minimalLength(v: bigint): number {
  let n = 0
  for (let x = v; x > 0n; x >>= 8n) n++
  return n
}

/** The signer of `hash` (EIP-2: s in the lower half), or undefined for an invalid signature. */
export function recoverAddress(hash: Uint8Array, recovery: number, r: bigint, s: bigint): Uint8Array | undefined {
  if (recovery > 1 || r === 0n || s === 0n || r >= SECP256K1_N || s > SECP256K1_N / 2n) return undefined
  try {
    const key = new secp256k1.Signature(r, s, recovery).recoverPublicKey(hash).toBytes(false)
    return keccak(key.subarray(1)).slice(12)
  } catch {
    return undefined
  }
}

/** EIP-7702: the authority that signed an authorisation, or undefined. */
export function authorityOf(a: Authorization): Uint8Array | undefined {
  return recoverAddress(keccak(Uint8Array.of(0x05), RLP.encode(a.raw)), Number(a.yParity), a.r, a.s)
}

/** The intrinsic gas: 21,000, calldata (4 a zero byte, 16 another), a create's 32,000 and EIP-3860 initcode words, the access list, EIP-7702's 25,000 an authorisation. */
export function intrinsicGas(tx: Tx): bigint {
  let gas = 21000n
  for (const b of tx.data) gas += b === 0 ? 4n : 16n
  if (tx.to === undefined) gas += 32000n + 2n * BigInt(Math.ceil(tx.data.length / 32))
  for (const [, slots] of tx.accessList) gas += 2400n + 1900n * BigInt(slots.length)
  return gas + 25000n * BigInt(tx.authorizations.length)
}

/** EIP-7623's floor (Prague on): 21,000 + 10 a calldata token (a zero byte one, another four). */
export function floorGas(tx: Tx, forkId: number): bigint {
  if (forkId < 2) return 0n
  let tokens = 0n
  for (const b of tx.data) tokens += b === 0 ? 1n : 4n
  return 21000n + 10n * tokens
}

/**
 * SPEC.md §3's txEnv as tx-start sets it: the transaction's fields, the places of its data, lists
 * and signed range in its leaf node (`leaf`), the intrinsic gas's base (21,000; a create's 32,000 and
 * EIP-3860's two a word of initcode), the sender, floor and counts left for later steps.
 */
export function txEnvOf(tx: TxLayout, leaf: { root: Uint8Array; size: number; valueOffset: number }, baseFee: bigint): TxEnv {
  // EIP-1559: the base fee plus the priority fee, capped at the fee cap (a legacy gas price is both).
  const capped = baseFee + tx.maxPriorityFeePerGas
  const effective = tx.type < 2 || tx.maxFeePerGas < capped ? tx.maxFeePerGas : capped
  const at = (sp: { offset: number; size: number }) =>
    sp.size === 0 && sp.offset === 0 ? sp : { ...sp, offset: sp.offset + leaf.valueOffset }
  const creates = tx.to === undefined
  return {
    origin: new Uint8Array(32),
    txType: tx.type,
    gasLimit: tx.gasLimit,
    effectiveGasPrice: effective,
    maxFeePerGas: tx.maxFeePerGas,
    maxPriorityFeePerGas: tx.maxPriorityFeePerGas,
    to: tx.to ?? new Uint8Array(20),
    isCreate: creates,
    value: tx.value,
    blobHashesHash: keccak(join(tx.blobHashes)),
    blobCount: BigInt(tx.blobHashes.length),
    intrinsicGas: 21000n + (creates ? 32000n + 2n * BigInt(Math.ceil(tx.data.size / 32)) : 0n),
    floorGas: 0n,
    authorizationCount: 0n,
    accessListCount: 0n,
    txRoot: leaf.root,
    chainId: tx.chainId ?? 0n,
    nonce: tx.nonce,
    txSize: leaf.size,
    data: at(tx.data),
    accessList: at(tx.accessList),
    authorizations: at(tx.authorizations),
    cursor: CURSOR_START,
    maxFeePerBlobGas: tx.maxFeePerBlobGas,
    r: tx.r,
    s: tx.s,
    payload: {
      yParity: tx.recovery,
      eip155: tx.type === 0 && tx.chainId !== undefined,
      signed: at(tx.signed.span),
      absorbed: 0,
      tokens: 0n,
    },
    sponge: new Uint8Array(32),
  }
}
