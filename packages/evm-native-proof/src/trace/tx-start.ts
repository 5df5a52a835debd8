/**
 * A transaction's set-up (SPEC.md §4, phases 1–4; the checker's side is src/check/tx-start.ts):
 * tx-start, each EIP-7702 authorisation, each access-list entry, then tx-enter, the step into the
 * transaction's frame. ethereumjs has done all of the set-up by the time the transaction's first
 * message starts, so its root and warm set check the steps' end.
 */
import type { Message } from '@ethereumjs/evm'
import { createMerkleProof, type MerklePatriciaTrie } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import type { TypedTransaction } from '@ethereumjs/tx'
import {
  Account,
  Address,
  bytesToBigInt,
  bytesToHex,
  createAccountFromRLP,
  eoaCode7702RecoverAuthority,
  hexToBytes,
  MAX_UINT64,
  SECP256K1_ORDER_DIV_2,
} from '@ethereumjs/util'
import { ownView } from '../commit/bytes-tree.ts'
import { concat, equalBytes, H } from '../commit/hash.ts'
import { blobHashes, type TxCursor, txEnvData, txSpans, withTxCursor } from './encoding.ts'
import { mapKey } from './keys.ts'
import { PHASE, PRAGUE, TAG } from './phases.ts'
import { accountNodes, delegateOf, sortedKeys, type Tracing } from './state.ts'
import { TxLogs } from './tx-logs.ts'
import { collides, viewItems } from './witness-parts.ts'

/** Before a transaction's first message: its environment, and the transaction's sub-state from zero. */
export function beginTransaction(t: Tracing, tx: TypedTransaction): void {
  t.phase = PHASE.TX_START
  t.subIndex = 0
  // tx-start sets txEnvHash and txStartRoot (SPEC.md §4); its witness is cut from the state before.
  t.txEnv = txEnvData(tx, t.block.header.baseFeePerGas ?? 0n, t.forkId)
  t.txBytes = ownView(tx.serialize())
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
}

/** Each key's place in the access list's payload, from the RLP lengths of its entries. */
function accessListPlaces(entries: [Uint8Array, Uint8Array[]][]): KeyPlace[] {
  const out: KeyPlace[] = []
  let at = 0
  for (const [address, slots] of entries) {
    // The entry's header, the address (0x94 and 20 bytes), the slots' header, then 33 bytes a slot.
    const end = at + RLP.encode([address, slots]).length
    const slotsStart = end - 33 * slots.length
    out.push({ after: slotsStart, slotsEnd: slots.length === 0 ? 0 : end, address })
    for (const k of slots.keys()) {
      const after = slotsStart + 33 * (k + 1)
      out.push({ after, slotsEnd: after === end ? 0 : end, address })
    }
    at = end
  }
  return out
}

/**
 * tx-start, then each authorisation and each access-list entry (SPEC.md §4), one step at a time on
 * a copy of the trie from the transaction's start.
 */
export async function setUpTransaction(t: Tracing, tx: TypedTransaction, newAddress: Uint8Array | undefined): Promise<void> {
  const { block, access } = t
  const trie = t.stateTrie()
  const sender = tx.getSenderAddress().bytes
  const price = bytesToBigInt(t.txEnv.subarray(96, 128))
  const blobFee = BigInt(t.txBlobHashes.length / 32) * 131072n * (t.trace.fork === 'Shanghai' ? 0n : block.header.getBlobGasPrice())
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
  // tx-start: gas bought, nonce bumped; sender, recipient (or the created address), coinbase
  // (EIP-3651) and the precompiles warm.
  const senderRaw = (await trie.get(sender)) as Uint8Array
  await cutTxStart(t, trie, sender)
  t.txStartRoot = t.stateRoot
  t.txEnvHash = H(t.txEnv)
  const account = createAccountFromRLP(senderRaw)
  account.nonce++
  account.balance -= tx.gasLimit * price + blobFee
  await trie.put(sender, account.serialize())
  t.stateRoot = trie.root()
  t.stateDirty = false
  warm([
    mapKey(TAG.WARM_ADDRESS, sender),
    mapKey(TAG.WARM_ADDRESS, tx.to?.bytes ?? (newAddress as Uint8Array)),
    mapKey(TAG.WARM_ADDRESS, block.header.coinbase.bytes),
    ...[...t.precompiles].map((a) => mapKey(TAG.WARM_ADDRESS, hexToBytes(a as `0x${string}`))),
  ])
  t.phase = next(PHASE.TX_AUTHORIZATION)
  t.subIndex = 0
  await t.step('tx-start')
  // tx-authorization, one at a time (EIP-7702), on the state the ones before it left: the authority
  // warm once recovered; then, if it has no code or a delegation and the authorisation's nonce, its
  // refund (an existing account), its code (the delegation, or none) and its nonce.
  const spans = txSpans(tx)
  // Each walking step reads its part of the transaction's tree, from txEnv's cursor (SPEC.md §3).
  const part = (span: { offset: number }, walked: number, len: number) => viewItems(t.txBytes, BigInt(span.offset + walked), BigInt(len))
  const setCursor = (c: TxCursor | undefined) => {
    t.txEnv = withTxCursor(t.txEnv, c)
    t.txEnvHash = H(t.txEnv)
  }
  let walked = 0
  for (const [i, auth] of auths.entries()) {
    const authority = authorityOf(t, auth)
    const size = RLP.encode(auth).length
    await t.cutWitness('tx-authorization', async () => {
      const proof = [t.txEnv, ...part(spans.authorizations, walked, Math.min(AUTHORIZATION_WINDOW, spans.authorizations.size - walked))]
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
    setCursor(i + 1 < auths.length ? { walked, slotsEnd: 0, address: NO_ADDRESS } : undefined)
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
      const proof = [t.txEnv, ...part(spans.accessList, start, Math.min(ACCESS_WINDOW, spans.accessList.size - start))]
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
    const at = places[from + keys.length - 1] as KeyPlace
    setCursor(last ? undefined : { walked: at.after, slotsEnd: at.slotsEnd, address: at.slotsEnd === 0 ? NO_ADDRESS : at.address })
    await t.step('tx-access-list')
  }
  // What ethereumjs did at once must be what the steps did one by one.
  const theirs = await t.sm.getStateRoot()
  if (!equalBytes(theirs, t.stateRoot))
    throw t.diverged('the set-up steps reach another state root', { expected: theirs, actual: t.stateRoot })
  const before = access.commitment()
  t.syncAccess()
  if (!equalBytes(before, access.commitment())) throw t.diverged('ethereumjs warmed more than the set-up steps did')
}

/** tx-start's witness (SPEC.md §5.5): the block's environment and gas so far, the transaction in its inclusion proof, its sender. */
async function cutTxStart(t: Tracing, trie: MerklePatriciaTrie, sender: Uint8Array | undefined): Promise<void> {
  await t.cutWitness('tx-start', async () => {
    const path = t.keptSenderPath?.txIndex === t.txIndex ? t.keptSenderPath : await senderPath(t, trie, sender)
    return {
      codes: path.code.length > 0 ? [path.code] : [],
      proof: [
        t.blockEnv,
        t.blockAccBytes(),
        RLP.encode(await createMerkleProof(await t.transactionsTrie(), RLP.encode(t.txIndex))),
        RLP.encode(path.nodes),
      ],
    }
  })
}

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
 * Reads the sender path of transaction `index` ahead, for a block that may be refused there: while
 * the node store still holds it (ethereumjs's revert of the block drops it).
 */
export async function keepSenderPath(t: Tracing, index: number): Promise<void> {
  const sender = senderOf(t.block.transactions[index] as TypedTransaction)
  t.keptSenderPath = { txIndex: index, ...(await senderPath(t, t.stateTrie(), sender)) }
}

/**
 * A block expected invalid that ethereumjs rejected at transaction `txIndex`: its tx-start is the
 * last step, and ends in INVALID (SPEC.md §4). The checker decides the same from the witness alone.
 */
export async function rejectTransaction(t: Tracing): Promise<void> {
  const tx = t.block.transactions[t.txIndex] as TypedTransaction
  await cutTxStart(t, t.stateTrie(), senderOf(tx))
  t.phase = PHASE.INVALID
  await t.step('tx-start')
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
    const data = txSpans(tx).data
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
