/**
 * A transaction's set-up (SPEC.md §4, phases 1–4 and 16; the checker's side is src/check/tx-start.ts):
 * tx-start, the signed message's tx-payload steps, each EIP-7702 authorisation, each access-list
 * part, then tx-enter, the step into the transaction's frame. ethereumjs has done all of the set-up by the time the transaction's first
 * message starts, so its root and warm set check the steps' end.
 */
import type { Message } from '@ethereumjs/evm'
import { createMerkleProof, createMPT, type MerklePatriciaTrie } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import type { TypedTransaction } from '@ethereumjs/tx'
import {
  Account,
  Address,
  bigIntToUnpaddedBytes,
  bytesToBigInt,
  bytesToHex,
  bytesToUnprefixedHex,
  createAccountFromRLP,
  eoaCode7702RecoverAuthority,
  generateAddress,
  hexToBytes,
  MAX_UINT64,
  MapDB,
  SECP256K1_ORDER_DIV_2,
} from '@ethereumjs/util'
import { ownView } from '../commit/bytes-tree.ts'
import { concat, equalBytes, H, ZERO32 } from '../commit/hash.ts'
import { KECCAK_CHUNK, spongeStates } from '../commit/sponge.ts'
import { blobHashes, floorGas, type TxEnvFields, type TxSpan, txEnvBytes, txEnvStart } from './encoding.ts'
import { mapKey } from './keys.ts'
import { listProof } from './list-ends.ts'
import { OSAKA, PHASE, PRAGUE, TAG } from './phases.ts'
import { accountNodes, delegateOf, sortedKeys, type Tracing } from './state.ts'
import { TxLogs } from './tx-logs.ts'
import { collides, viewItems } from './witness-parts.ts'

/** Before a transaction's first message: its environment as tx-start sets it, and the transaction's sub-state from zero. */
export async function beginTransaction(t: Tracing, tx: TypedTransaction): Promise<void> {
  t.phase = PHASE.TX_START
  t.subIndex = 0
  // tx-start sets txEnvHash (SPEC.md §4); its witness is cut from the state before. The transaction's
  // tree is its leaf node's in the transactions trie: the transaction ends it.
  const nodes = await createMerkleProof(await t.transactionsTrie(), RLP.encode(t.txIndex))
  const leaf = nodes[nodes.length - 1] as Uint8Array
  if (!equalBytes(leaf.subarray(leaf.length - tx.serialize().length), tx.serialize()))
    throw t.diverged('the transactions trie’s leaf does not end in the transaction')
  t.txBytes = ownView(leaf)
  t.txFields = txEnvStart(tx, t.block.header.baseFeePerGas ?? 0n, leaf)
  t.txEnv = txEnvBytes(t.txFields)
  t.txBlobHashes = blobHashes(tx)
  t.logs = new TxLogs(t.requestStreams)
  t.authRefund = 0n
}

/** The access-list keys a `tx-access-list` step warms at most (SPEC.md §5.5). */
export const ACCESS_KEYS_STEP = 32

/** The list bytes a tx-access-list step reads (SPEC.md §5.5): 33 a key at most. */
const ACCESS_WINDOW = ACCESS_KEYS_STEP * 33

/** The bytes of an authorisation list a tx-authorization step reads (SPEC.md §5.5). */
const AUTHORIZATION_WINDOW = 256

const NO_ADDRESS = new Uint8Array(20)

/** Where a key of the access list laid flat ends: the list's bytes up to it, and its entry's slots' end (0 once the entry ends). */
interface KeyPlace {
  after: number
  slotsEnd: number
  address: Uint8Array
  /** The key is an entry's address (2,400 gas), not a slot (1,900). */
  entry: boolean
}

/** Each key's place in the access list's payload, from the RLP lengths of its entries. */
function accessListPlaces(entries: [Uint8Array, Uint8Array[]][]): KeyPlace[] {
  const out: KeyPlace[] = []
  let at = 0
  for (const [address, slots] of entries) {
    // The entry's header, the address (0x94 and 20 bytes), the slots' header, then 33 bytes a slot.
    const end = at + RLP.encode([address, slots]).length
    const slotsStart = end - 33 * slots.length
    out.push({ after: slotsStart, slotsEnd: slots.length === 0 ? 0 : end, address, entry: true })
    for (const k of slots.keys()) {
      const after = slotsStart + 33 * (k + 1)
      out.push({ after, slotsEnd: after === end ? 0 : end, address, entry: false })
    }
    at = end
  }
  return out
}

/** The set-up step at which a transaction is invalid (SPEC.md §4's order of the rules), or undefined. */
export type RefusedAt = 'tx-start' | 'tx-payload' | 'tx-enter'

/**
 * tx-start, the signed message's tx-payload steps, each authorisation and each access-list part
 * (SPEC.md §4), one step at a time on a copy of the trie from the transaction's start; for a
 * transaction ethereumjs refused, up to the step whose rule it breaks (`refused.at`), on `refused.trie`.
 */
export async function setUpTransaction(
  t: Tracing,
  tx: TypedTransaction,
  newAddress: Uint8Array | undefined,
  refused?: { at: RefusedAt; trie: MerklePatriciaTrie },
): Promise<void> {
  const { block, access } = t
  const trie = refused?.trie ?? t.stateTrie()
  const sender = senderOf(tx)
  const f = t.txFields as TxEnvFields
  const setEnv = (more: Partial<TxEnvFields>) => {
    Object.assign(f, more)
    t.txEnv = txEnvBytes(f)
    t.txEnvHash = H(t.txEnv)
  }
  await cutTxStart(t)
  if (refused?.at === 'tx-start') return invalidAt(t, 'tx-start')
  setEnv({})
  t.phase = PHASE.TX_PAYLOAD
  t.subIndex = 0
  await t.step('tx-start')
  // tx-payload: the signed message KECCAK_CHUNK bytes a step, the data's bytes counted as they pass.
  const message = signedMessage(t, tx, f)
  const states = spongeStates(message.bytes)
  for (let k = 0; k <= states.length; k++) {
    const from = k * KECCAK_CHUNK
    const to = Math.min(message.bytes.length, from + KECCAK_CHUNK)
    const [a, b] = [clampTo(from - message.prefix, f.signed.size), clampTo(to - message.prefix, f.signed.size)]
    const last = k === states.length
    const path = last ? (t.keptSenderPath?.txIndex === t.txIndex ? t.keptSenderPath : await senderPath(t, trie, sender)) : undefined
    await t.cutWitness('tx-payload', async () => ({
      codes: path !== undefined && path.code.length > 0 ? [path.code] : [],
      proof: [
        t.txEnv,
        ...(k > 0 ? [states[k - 1] as Uint8Array] : []),
        ...(b > a ? viewItems(t.txBytes, BigInt(f.signed.offset + a), BigInt(b - a)) : []),
        ...(path !== undefined ? [t.blockEnv, RLP.encode(path.nodes)] : []),
      ],
    }))
    // The data's bytes among the transaction's [a, b) of the signed range.
    const lo = Math.max(f.data.offset, f.signed.offset + a)
    const hi = Math.min(f.data.offset + f.data.size, f.signed.offset + b)
    let zeros = 0
    for (let i = lo; i < hi; i++) if (t.txBytes.tree.bytes[i] === 0) zeros++
    const others = Math.max(0, hi - lo) - zeros
    const counted = {
      intrinsicGas: f.intrinsicGas + 4n * BigInt(zeros) + 16n * BigInt(others),
      tokens: f.tokens + BigInt(zeros) + 4n * BigInt(others),
    }
    if (!last) {
      setEnv({ ...counted, absorbed: to, sponge: H(states[k] as Uint8Array) })
      t.subIndex = k + 1
      await t.step('tx-payload')
    } else Object.assign(f, counted)
  }
  if (refused?.at === 'tx-payload') return invalidAt(t, 'tx-payload')
  // The last tx-payload step: the sender; gas bought, nonce bumped; sender, recipient (or the created
  // address), coinbase (EIP-3651) and the precompiles warm.
  if (sender === undefined) throw t.diverged('a transaction past its signature’s rule has no sender')
  const senderRaw = await trie.get(sender)
  const account = senderRaw === null ? new Account() : createAccountFromRLP(senderRaw)
  const blobFee = BigInt(f.blobs.length / 32) * 131072n * (t.forkId === 0 ? 0n : block.header.getBlobGasPrice())
  t.txStartRoot = t.stateRoot
  account.nonce++
  account.balance -= tx.gasLimit * f.effectiveGasPrice + blobFee
  await trie.put(sender, account.serialize())
  t.stateRoot = trie.root()
  t.stateDirty = false
  const auths = ((tx as { authorizationList?: Uint8Array[][] }).authorizationList ?? []) as Uint8Array[][]
  const entries = ((tx as { accessList?: [Uint8Array, Uint8Array[]][] }).accessList ?? []) as [Uint8Array, Uint8Array[]][]
  const next = (from: number) =>
    from <= PHASE.TX_AUTHORIZATION && auths.length > 0
      ? PHASE.TX_AUTHORIZATION
      : from <= PHASE.TX_ACCESS_LIST && entries.length > 0
        ? PHASE.TX_ACCESS_LIST
        : PHASE.TX_ENTER
  const warm = (keys: bigint[]) => {
    for (const k of sortedKeys(keys)) if (!access.has(k)) access.set(k, 1n)
  }
  const recipient = tx.to?.bytes ?? newAddress ?? generateAddress(sender, bigIntToUnpaddedBytes(tx.nonce))
  warm([
    mapKey(TAG.WARM_ADDRESS, sender),
    mapKey(TAG.WARM_ADDRESS, recipient),
    mapKey(TAG.WARM_ADDRESS, block.header.coinbase.bytes),
    ...[...t.precompiles].map((a) => mapKey(TAG.WARM_ADDRESS, hexToBytes(a as `0x${string}`))),
  ])
  setEnv({ origin: sender, floorGas: t.forkId >= PRAGUE ? 21000n + 10n * f.tokens : 0n, absorbed: 0, tokens: 0n, sponge: ZERO32 })
  t.phase = next(PHASE.TX_AUTHORIZATION)
  t.subIndex = 0
  await t.step('tx-payload')
  // tx-authorization, one at a time (EIP-7702), on the state the ones before it left: the authority
  // warm once recovered; then, if it has no code or a delegation and the authorisation's nonce, its
  // refund (an existing account), its code (the delegation, or none) and its nonce. Each walking
  // step reads its part of the transaction's tree, from txEnv's cursor (SPEC.md §3).
  const part = (span: TxSpan, walked: number, len: number) => viewItems(t.txBytes, BigInt(span.offset + walked), BigInt(len))
  let walked = 0
  for (const [i, auth] of auths.entries()) {
    const authority = authorityOf(t, auth)
    const size = RLP.encode(auth).length
    await t.cutWitness('tx-authorization', async () => {
      const proof = [t.txEnv, ...part(f.authorizations, walked, Math.min(AUTHORIZATION_WINDOW, f.authorizations.size - walked))]
      const codes: Uint8Array[] = []
      if (authority !== undefined) {
        proof.push(
          ...access.witness(mapKey(TAG.WARM_ADDRESS, authority), true),
          t.substateBytes(),
          RLP.encode(await createMerkleProof(trie, authority)),
        )
        const code = await t.codeAt(trie, authority)
        if (code.length > 0) codes.push(code)
      }
      return { proof, codes }
    })
    if (authority !== undefined) {
      warm([mapKey(TAG.WARM_ADDRESS, authority)])
      const raw = await trie.get(authority)
      const a = raw === null ? new Account() : createAccountFromRLP(raw)
      const code = await t.codeAt(trie, authority)
      // ethereumjs's test (the tracer follows it): code that starts with the designator's prefix. The
      // checker takes execution-specs' `is_valid_delegation` (exactly 23 bytes); no deployable code
      // tells them apart (EIP-3541 refuses code starting with 0xEF), and a pre-state that did would
      // be a step the checker rejects, not one it accepts wrongly.
      const delegated = code.length >= 3 && code[0] === 0xef && code[1] === 0x01 && code[2] === 0x00
      if ((code.length === 0 || delegated) && a.nonce === bytesToBigInt(auth[2] as Uint8Array)) {
        if (raw !== null) t.authRefund += 12500n
        a.nonce++
        const delegate = auth[1] as Uint8Array
        const designator = delegate.every((b) => b === 0) ? new Uint8Array() : concat([Uint8Array.of(0xef, 0x01, 0x00), delegate])
        a.codeHash = H(designator)
        t.codeByHash.set(bytesToHex(a.codeHash), designator)
        await trie.put(authority, a.serialize())
        t.stateRoot = trie.root()
      }
    }
    walked += size
    t.subIndex = i + 1 < auths.length ? i + 1 : 0
    t.phase = i + 1 < auths.length ? PHASE.TX_AUTHORIZATION : next(PHASE.TX_ACCESS_LIST)
    // EIP-7702's 25,000 an authorisation, counted as it is walked.
    setEnv({
      intrinsicGas: f.intrinsicGas + 25000n,
      authorizationCount: f.authorizationCount + 1n,
      cursor: i + 1 < auths.length ? { walked, slotsEnd: 0, address: NO_ADDRESS } : undefined,
    })
    await t.step('tx-authorization')
  }
  // tx-access-list, ACCESS_KEYS_STEP keys at a time of the list laid flat (each entry's address,
  // then its slots, in the transaction's order): each key warm, the ones met before already so. Each
  // key's place: the bytes of the list after it, and where its entry's slots end.
  const flat = entries.flatMap(([address, slots]) => [
    mapKey(TAG.WARM_ADDRESS, address),
    ...slots.map((slot) => mapKey(TAG.WARM_SLOT, address, slot)),
  ])
  const places = accessListPlaces(entries)
  for (let from = 0; from < flat.length; from += ACCESS_KEYS_STEP) {
    const keys = flat.slice(from, from + ACCESS_KEYS_STEP)
    const start = from === 0 ? 0 : (places[from - 1] as KeyPlace).after
    await t.cutWitness('tx-access-list', async () => {
      // Each key's item against the map as the keys before it left it (the inserts are undone).
      const proof = [t.txEnv, ...part(f.accessList, start, Math.min(ACCESS_WINDOW, f.accessList.size - start))]
      const mark = access.mark()
      for (const k of keys) {
        proof.push(...access.witness(k, true))
        if (!access.has(k)) access.set(k, 1n)
      }
      access.revert(mark)
      return { proof, codes: [] }
    })
    for (const k of keys) if (!access.has(k)) access.set(k, 1n)
    const last = from + ACCESS_KEYS_STEP >= flat.length
    t.subIndex = last ? 0 : from / ACCESS_KEYS_STEP + 1
    t.phase = last ? PHASE.TX_ENTER : PHASE.TX_ACCESS_LIST
    const these = places.slice(from, from + keys.length)
    const at = these[these.length - 1] as KeyPlace
    // EIP-2930's 2,400 an entry and 1,900 a slot, counted as they are walked.
    const newEntries = BigInt(these.filter((x) => x.entry).length)
    setEnv({
      intrinsicGas: f.intrinsicGas + 2400n * newEntries + 1900n * (BigInt(these.length) - newEntries),
      accessListCount: f.accessListCount + newEntries,
      cursor: last ? undefined : { walked: at.after, slotsEnd: at.slotsEnd, address: at.slotsEnd === 0 ? NO_ADDRESS : at.address },
    })
    await t.step('tx-access-list')
  }
  if (refused !== undefined) {
    // tx-enter: the intrinsic gas or the floor above the gas limit.
    await t.cutWitness('tx-enter', async () => ({ proof: [t.txEnv], codes: [] }))
    return invalidAt(t, 'tx-enter')
  }
  if (f.intrinsicGas !== tx.getIntrinsicGas())
    throw t.diverged('the set-up steps count another intrinsic gas', { expected: tx.getIntrinsicGas(), actual: f.intrinsicGas })
  // What ethereumjs did at once must be what the steps did one by one.
  const theirs = await t.sm.getStateRoot()
  if (!equalBytes(theirs, t.stateRoot))
    throw t.diverged('the set-up steps reach another state root', { expected: theirs, actual: t.stateRoot })
  const before = access.commitment()
  t.syncAccess()
  if (!equalBytes(before, access.commitment())) throw t.diverged('ethereumjs warmed more than the set-up steps did')
}

const clampTo = (x: number, hi: number) => Math.min(hi, Math.max(0, x))

/** A refused transaction's last step: its witness is cut; the proof ends in INVALID. */
async function invalidAt(t: Tracing, kind: RefusedAt | 'tx-start'): Promise<void> {
  t.phase = PHASE.INVALID
  await t.step(kind)
}

/**
 * The message a transaction's signature signs (ethereumjs's), and where the transaction's signed
 * range lies in it: after `prefix` bytes, before the suffix (EIP-155's rlp(chainId) ‖ 0x80 ‖ 0x80).
 */
function signedMessage(t: Tracing, tx: TypedTransaction, f: TxEnvFields): { bytes: Uint8Array; prefix: number } {
  const m = tx.getMessageToSign() as Uint8Array | Uint8Array[]
  const bytes = m instanceof Uint8Array ? m : RLP.encode(m)
  const suffix = f.eip155 ? RLP.encode(m[6] as Uint8Array).length + 2 : 0
  const prefix = bytes.length - f.signed.size - suffix
  const range = t.txBytes.tree.bytes.subarray(f.signed.offset, f.signed.offset + f.signed.size)
  if (prefix < 0 || !equalBytes(bytes.subarray(prefix, prefix + f.signed.size), range))
    throw t.diverged('the signed message does not hold the transaction’s fields where txEnv says')
  return { bytes, prefix }
}

/**
 * tx-start's witness (SPEC.md §5.5): the block's environment and gas so far, the transactions trie's
 * nodes on `rlp(txIndex)` as the checker walks them (a leaf over 4 KiB posted, its head and the
 * windows the reader takes read from its tree).
 */
async function cutTxStart(t: Tracing): Promise<void> {
  await t.cutWitness('tx-start', async () => {
    const list = await listProof(await t.transactionsTrie(), RLP.encode(t.txIndex))
    const tx = t.block.transactions[t.txIndex] as TypedTransaction
    const valueOffset = t.txBytes.size - tx.serialize().length
    const windows =
      list.bytes.length === 0
        ? []
        : txWindows(t.txFields as TxEnvFields, valueOffset).flatMap((w) => viewItems(t.txBytes, BigInt(w.offset), BigInt(w.size)))
    return { codes: [], bytes: list.bytes, proof: [t.blockEnv, t.blockAccBytes(), ...list.items, ...windows] }
  })
}

/** The windows of TX_WINDOW bytes the checker's reader takes of a transaction (src/check/tx-layout.ts), in the leaf's bytes: at its start, after the data, after the access list, after the authorisations. */
function txWindows(f: TxEnvFields, valueOffset: number): TxSpan[] {
  const end = f.txSize
  const at = [valueOffset, f.data.offset + f.data.size]
  if (f.type !== 0) at.push(f.accessList.offset + f.accessList.size)
  if (f.type === 4) at.push(f.authorizations.offset + f.authorizations.size)
  return at.map((offset) => ({ offset, size: Math.min(TX_WINDOW, end - offset) }))
}

/** The reads of a transaction's bytes a window takes at most (the checker's TX_WINDOW). */
const TX_WINDOW = 512
/** The sender's path in the state trie and its code (none for a sender that does not recover). */
async function senderPath(
  t: Tracing,
  trie: MerklePatriciaTrie,
  sender: Uint8Array | undefined,
): Promise<{ nodes: Uint8Array[]; code: Uint8Array }> {
  if (sender === undefined) return { nodes: [], code: new Uint8Array() }
  return { nodes: await createMerkleProof(trie, sender), code: await t.codeAt(trie, sender) }
}

/**
 * For a block that may be refused at transaction `index`: the state trie as that transaction finds
 * it, copied node by node while the node store still holds it (ethereumjs's revert of the block
 * drops the nodes the block's earlier transactions made), and the sender's path in it.
 */
export async function keepSenderPath(t: Tracing, index: number): Promise<void> {
  const sender = senderOf(t.block.transactions[index] as TypedTransaction)
  const live = t.stateTrie()
  const db = new MapDB<string, Uint8Array>()
  await live.walkAllNodes(async (node) => {
    const bytes = node.serialize()
    await db.put(bytesToUnprefixedHex(H(bytes)), bytes)
  })
  const trie = await createMPT({ db, root: t.stateRoot, useKeyHashing: true })
  t.keptSenderPath = { txIndex: index, trie, ...(await senderPath(t, trie, sender)) }
}

/**
 * The set-up step at which a transaction is invalid, by the generator's own rules in SPEC.md §4's
 * order (ethereumjs only says that it refuses it): tx-start's need neither the sender nor the lists,
 * tx-payload's last step has the sender's, tx-enter the intrinsic gas and the floor.
 */
async function refusedAt(t: Tracing, tx: TypedTransaction, trie: MerklePatriciaTrie): Promise<RefusedAt | undefined> {
  const { header } = t.block
  const x = tx as TypedTransaction & {
    chainId?: bigint
    maxFeePerGas?: bigint
    maxPriorityFeePerGas?: bigint
    gasPrice?: bigint
    maxFeePerBlobGas?: bigint
    blobVersionedHashes?: (Uint8Array | string)[]
    authorizationList?: unknown[]
  }
  const v = tx.v ?? 0n
  const chainId = tx.type === 0 ? (v >= 35n ? (v - 35n) / 2n : t.chainId) : x.chainId
  const blobs = blobHashes(tx).length / 32
  const maxBlobs = [0, 6, 9, 6][t.forkId] ?? 0
  const baseFee = header.baseFeePerGas ?? 0n
  const maxFee = x.maxFeePerGas ?? x.gasPrice ?? 0n
  const start =
    chainId !== t.chainId ||
    tx.nonce >= MAX_UINT64 ||
    t.cumulativeGas + tx.gasLimit > header.gasLimit ||
    (t.forkId >= OSAKA && tx.gasLimit > 2n ** 24n) ||
    maxFee < baseFee ||
    (x.maxPriorityFeePerGas ?? 0n) > maxFee ||
    (tx.to === undefined && tx.data.length > 49152) ||
    ((tx.type === 3 || tx.type === 4) && tx.to === undefined) ||
    (tx.type === 4 && (x.authorizationList?.length ?? 0) === 0) ||
    (tx.type === 3 &&
      (blobs === 0 ||
        blobs > maxBlobs ||
        blobHashes(tx).some((b, i) => i % 32 === 0 && b !== 0x01) ||
        (x.maxFeePerBlobGas ?? 0n) < header.getBlobGasPrice()))
  if (start) return 'tx-start'
  const sender = senderOf(tx)
  if (sender === undefined) return 'tx-payload'
  const raw = await trie.get(sender)
  const account = raw === null ? new Account() : createAccountFromRLP(raw)
  const code = await t.codeAt(trie, sender)
  const delegated = code.length === 23 && code[0] === 0xef && code[1] === 0x01 && code[2] === 0x00
  const maxCost = tx.gasLimit * maxFee + tx.value + BigInt(blobs) * 131072n * (x.maxFeePerBlobGas ?? 0n)
  if ((code.length > 0 && !delegated) || account.nonce !== tx.nonce || account.balance < maxCost) return 'tx-payload'
  if (tx.gasLimit < tx.getIntrinsicGas() || tx.gasLimit < floorGas(tx, t.forkId)) return 'tx-enter'
  return undefined
}

/**
 * A block expected invalid that ethereumjs rejected at transaction `txIndex`: the set-up steps up to
 * the one whose rule the transaction breaks, which ends in INVALID (SPEC.md §4). The checker decides
 * the same from the witnesses alone.
 */
export async function rejectTransaction(t: Tracing): Promise<void> {
  const tx = t.block.transactions[t.txIndex] as TypedTransaction
  const kept = t.keptSenderPath?.txIndex === t.txIndex ? t.keptSenderPath.trie : t.stateTrie()
  await beginTransaction(t, tx)
  const at = await refusedAt(t, tx, kept)
  if (at === undefined) throw t.diverged('ethereumjs refused a transaction that breaks none of the set-up steps’ rules')
  await setUpTransaction(t, tx, undefined, { at, trie: kept })
}

/** EIP-7702: the authority an authorisation names, once its chain id, nonce bound and signature pass; else none. */
function authorityOf(t: Tracing, auth: Uint8Array[]): Uint8Array | undefined {
  const [chainId, , nonce, yParity, , s] = auth as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array]
  const chain = bytesToBigInt(chainId)
  if (chain !== 0n && chain !== t.chainId) return undefined
  if (bytesToBigInt(nonce) >= MAX_UINT64 || bytesToBigInt(s) > SECP256K1_ORDER_DIV_2 || bytesToBigInt(yParity) > 1n) return undefined
  try {
    return eoaCode7702RecoverAuthority(auth as never).bytes
  } catch {
    return undefined
  }
}

/**
 * tx-enter's witness (SPEC.md §5.5): txEnv, the transaction, the accounts the value moves between
 * (and a 7702 delegate), then the map items the entry writes: the delegate warm, the recipient
 * touched when it is left empty, a create's address in the created map.
 */
export async function cutTxEnter(t: Tracing, message: Message, newAddress: Uint8Array | undefined): Promise<void> {
  const tx = t.block.transactions[t.txIndex] as TypedTransaction
  await t.cutWitness('tx-enter', async () => {
    const trie = t.stateTrie()
    const sender = tx.getSenderAddress().bytes
    const target = newAddress ?? (tx.to as Address).bytes
    const code = await t.codeAt(trie, target)
    const delegate = t.forkId >= PRAGUE ? delegateOf(code) : undefined
    const accounts = [sender, target, ...(delegate === undefined ? [] : [delegate])]
    // A create's initcode from the transaction's tree; a call's data is a view of it, not read here.
    const data = (t.txFields as TxEnvFields).data
    const initcode = newAddress === undefined ? [] : viewItems(t.txBytes, BigInt(data.offset), BigInt(data.size))
    const proof = [t.txEnv, ...initcode, RLP.encode(await accountNodes(trie, accounts))]
    const codes = [code, ...(delegate === undefined ? [] : [await t.codeAt(trie, delegate)])].filter((c) => c.length > 0)
    if (newAddress !== undefined) {
      if (!collides(await t.sm.getAccount(new Address(newAddress))))
        proof.push(t.substateBytes(), ...t.created.witness(mapKey(TAG.CREATED, newAddress), true))
    } else {
      if (delegate !== undefined) proof.push(...t.access.witness(mapKey(TAG.WARM_ADDRESS, delegate), true))
      const raw = await trie.get(target)
      const before = raw === null ? undefined : createAccountFromRLP(raw)
      const self = equalBytes(target, sender)
      if ((before === undefined || before.isEmpty()) && (message.value === 0n || self))
        proof.push(t.substateBytes(), ...t.touched.witness(mapKey(TAG.TOUCHED, target), true))
    }
    return { proof, codes }
  })
}

/** A transaction's sender, or undefined when its signature does not recover (the block is then invalid). */
export function senderOf(tx: TypedTransaction): Uint8Array | undefined {
  try {
    return tx.getSenderAddress().bytes
  } catch {
    return undefined
  }
}
