/**
 * The reference checker's transaction set-up steps (SPEC.md §4): `tx-start` (the transaction's leaf,
 * its fields, the rules that need no sender, txEnv), `tx-payload` (the signed message hashed a part
 * a step, the data's bytes counted; at the last the sender, its rules, the gas bought, the nonce
 * bumped, the warm set), `tx-authorization` (one EIP-7702 authorisation), `tx-access-list` (32 keys)
 * and `tx-enter` (the intrinsic gas and the floor checked, the transaction's frame).
 */
import { RLP } from '@ethereumjs/rlp'
import {
  BLOCK_ACC_BYTES,
  BLOCK_ENV_BYTES,
  type BlockEnv,
  be,
  CURSOR_START,
  equal,
  type FrameState,
  INVALID,
  join,
  keccak,
  type MachineState,
  num,
  opened,
  readBlockAcc,
  readBlockEnv,
  readSubstate,
  readTxEnv,
  SUBSTATE_BYTES,
  TX_ENV_BYTES,
  type TxCursor,
  type TxEnv,
  type TxSpan,
  type View,
  writeFrame,
  writeSubstate,
  writeTxEnv,
} from './layout.ts'
import { type BytesOracle, listLeaf } from './list-ends.ts'
import { decodeAccount, EMPTY_CODE_HASH, emptyAccount, encodeAccount, isEmpty, proofTrie } from './mpt.ts'
import { type CodeOracle, collides } from './opcode/step.ts'
import { PHASE } from './phases.ts'
import { absorb, emptySponge, KECCAK_CHUNK, SPONGE_BYTES, squeeze } from './sponge.ts'
import { codeRoot, emptyMapCommitment, emptySubstateHash, freshFrame, mapCommitmentOf, openMapKey, readView, viewOf } from './trees.ts'
import { authorityOf, decodeAuthorization, MalformedTransaction, recoverAddress, txEnvOf } from './tx.ts'
import { header, readTxLayout, signedParts, type TxLayout } from './tx-layout.ts'
import { type ItemReader, WitnessError } from './witness-reader.ts'

const GAS_PER_BLOB = 131072n
/** Blobs a transaction may carry: the block's maximum through Prague, then EIP-7594's six a transaction (Osaka). */
const MAX_BLOBS: Record<number, number> = { 1: 6, 2: 9, 3: 6 }
/** EIP-7825 (Osaka): no transaction may ask for more gas than 2^24. */
const OSAKA_TX_GAS_CAP = 2n ** 24n
const ZERO = new Uint8Array(32)
const addressKey = (a: Uint8Array) => num(keccak(Uint8Array.of(1), a))
const slotKey = (a: Uint8Array, slot: Uint8Array) => num(keccak(Uint8Array.of(2), a, slot))

/** The precompile addresses of a fork by SPEC.md's id. */
function precompiles(forkId: number): Uint8Array[] {
  const last = forkId === 0 ? 0x09 : forkId === 1 ? 0x0a : 0x11
  const ids = Array.from({ length: last }, (_, i) => i + 1)
  if (forkId >= 3) ids.push(0x100)
  return ids.map((id) => be(id, 20))
}

/** The phase after the set-up step `from` (2 authorisations, 3 access list): the next list with bytes, else tx-enter. */
const nextPhase = (from: number, env: TxEnv) =>
  from <= 2 && env.authorizations.size > 0 ? 2 : from <= 3 && env.accessList.size > 0 ? 3 : 4

const isDelegation = (code: { delegate?: Uint8Array } | undefined) => code?.delegate !== undefined

/**
 * Why a transaction cannot be in the block, by what tx-start reads (SPEC.md §4: the block is then
 * invalid): every rule that needs neither the sender nor the lists' interiors. The sender's rules are
 * tx-payload's (senderInvalidity), the intrinsic gas and the floor tx-enter's.
 */
export function startInvalidity(tx: TxLayout, env: BlockEnv, cumulativeGas: bigint, forkId: number): string | undefined {
  if (tx.type >= 1 && tx.chainId !== env.chainId) return 'wrong chain id'
  if (tx.type === 0 && tx.chainId !== undefined && tx.chainId !== env.chainId) return 'wrong chain id'
  if ((tx.type === 3 && forkId < 1) || (tx.type === 4 && forkId < 2)) return `type ${tx.type} is not in this fork`
  if (tx.nonce >= 2n ** 64n - 1n) return 'nonce at 2^64 − 1 (EIP-2681)'
  if (cumulativeGas + tx.gasLimit > env.gasLimit) return 'gas limit above what the block has left'
  if (forkId >= 3 && tx.gasLimit > OSAKA_TX_GAS_CAP) return 'gas limit above 2^24 (EIP-7825)'
  if (tx.type >= 2 && (tx.maxFeePerGas < env.baseFee || tx.maxPriorityFeePerGas > tx.maxFeePerGas)) return 'fee caps'
  if (tx.type < 2 && tx.maxFeePerGas < env.baseFee) return 'gas price below the base fee'
  if (tx.to === undefined && tx.data.size > 49152) return 'initcode above 49,152 bytes (EIP-3860)'
  if ((tx.type === 3 || tx.type === 4) && tx.to === undefined) return 'a blob or set-code transaction creates'
  if (tx.type === 4 && tx.authorizations.size === 0) return 'no authorisations'
  if (tx.type === 3) {
    if (tx.blobHashes.length === 0 || tx.blobHashes.length > (MAX_BLOBS[forkId] ?? 0)) return 'blob count'
    if (tx.blobHashes.some((h) => h.length !== 32 || h[0] !== 0x01)) return 'blob hash version'
    if (tx.maxFeePerBlobGas < env.blobBaseFee) return 'blob fee cap below the blob base fee'
  }
  return undefined
}

/** The sender's rules (tx-payload's last step): no code but a delegation (EIP-3607, EIP-7702), its nonce, the balance for the maximum cost. */
export function senderInvalidity(
  env: TxEnv,
  account: { nonce: bigint; balance: bigint; codeHash: Uint8Array },
  code: CodeOracle,
): string | undefined {
  if (!equal(account.codeHash, EMPTY_CODE_HASH)) {
    const known = code(account.codeHash)
    if (known === undefined) throw new WitnessError('the sender’s code is not in the CodeOracle')
    if (!isDelegation(known)) return 'the sender has code (EIP-3607)'
  }
  if (account.nonce !== env.nonce) return 'wrong nonce'
  const blobGas = env.blobCount * GAS_PER_BLOB
  if (account.balance < env.gasLimit * env.maxFeePerGas + env.value + blobGas * env.maxFeePerBlobGas)
    return 'balance below the maximum cost'
  return undefined
}

/**
 * tx-start: the transaction's leaf in the transactions trie (walked by the checker, a leaf over 4 KiB
 * read from the BytesOracle), its fields read in at most four windows (src/check/tx-layout.ts), the
 * rules that need no sender; txEnv with the places of its data, lists and signed message. Nothing of
 * the state is read or written: the sender is tx-payload's.
 */
export async function checkTxStart(s: MachineState, r: ItemReader, _code: CodeOracle, bytes: BytesOracle): Promise<MachineState> {
  const block = readBlockEnv(opened(r, 'blockEnv', BLOCK_ENV_BYTES, s.blockEnvHash))
  const acc = readBlockAcc(opened(r, 'blockAcc', BLOCK_ACC_BYTES, s.blockAccHash))
  const leaf = await listLeaf(r, block.transactionsRoot, s.txIndex, 'transactions', bytes)
  if (leaf === undefined) throw new WitnessError(`the block has no transaction number ${s.txIndex}`)
  // An inline leaf is read where it is; a posted one through its tree, a window at a time.
  const node = leaf.node
  const view = { root: leaf.root, offset: 0, size: leaf.size }
  const read = (offset: number, len: number) =>
    node !== undefined
      ? node.slice(leaf.valueOffset + offset, leaf.valueOffset + offset + len)
      : readView(r, 'transaction', view, BigInt(leaf.valueOffset + offset), BigInt(len))
  let tx: TxLayout
  try {
    tx = readTxLayout(read, leaf.valueSize)
  } catch (e) {
    if (!(e instanceof MalformedTransaction)) throw e
    // Its bytes are in transactionsRoot: the block is invalid.
    r.done()
    return { ...s, phase: INVALID }
  }
  r.done()
  if (startInvalidity(tx, block, acc.cumulativeGas, s.forkId) !== undefined) return { ...s, phase: INVALID }
  const env = txEnvOf(tx, leaf, block.baseFee)
  // The sub-state starts empty, its requests the block's so far.
  return { ...s, phase: PHASE.TX_PAYLOAD, subIndex: 0, txEnvHash: keccak(writeTxEnv(env)), substateHash: emptySubstateHash(acc.requests) }
}

/**
 * tx-payload: the next `KECCAK_CHUNK` bytes of the signed message (its computed prefix, the
 * transaction's range, its suffix) through the sponge, the data's zero and non-zero bytes among them
 * counted into the intrinsic gas and EIP-7623's tokens. The last step squeezes the signing hash,
 * recovers the sender and makes the sender's rules; then gas bought, nonce bumped, the warm set of
 * exactly the sender, the recipient (or the created address), the coinbase (EIP-3651) and the
 * precompiles, the transient map empty (tx-start emptied the sub-state).
 */
export async function checkTxPayload(s: MachineState, r: ItemReader, code: CodeOracle): Promise<MachineState> {
  const { env } = setUpEnv(r, s)
  const p = env.payload
  const { prefix, suffix } = signedParts(env.txType, p.eip155 ? env.chainId : undefined, p.signed.size)
  const total = prefix.length + p.signed.size + suffix.length
  const from = p.absorbed
  if (from >= total) throw new WitnessError(`tx-payload: the signed message has no bytes past ${from} of ${total}`)
  const to = Math.min(total, from + KECCAK_CHUNK)
  let state = emptySponge()
  if (from > 0) {
    state = r.next('sponge state', SPONGE_BYTES)
    if (!equal(keccak(state), env.sponge)) throw new WitnessError('tx-payload: the sponge state is not the one txEnv names')
  }
  // The message's [from, to): the prefix's part, then the transaction's, then the suffix's.
  const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x))
  const [a, b] = [clamp(from - prefix.length, 0, p.signed.size), clamp(to - prefix.length, 0, p.signed.size)]
  const middle = b > a ? readView(r, 'signed message', txView(env), BigInt(p.signed.offset + a), BigInt(b - a)) : new Uint8Array()
  const tail = prefix.length + p.signed.size
  const part = join([prefix.subarray(from, to), middle, suffix.subarray(Math.max(0, from - tail), Math.max(0, to - tail))])
  // The data's bytes in the transaction's range just read: EIP-2028's 4 or 16 gas, EIP-7623's 1 or 4 tokens.
  let zeros = 0
  let others = 0
  const lo = Math.max(env.data.offset, p.signed.offset + a)
  const hi = Math.min(env.data.offset + env.data.size, p.signed.offset + b)
  for (let i = lo; i < hi; i++) middle[i - p.signed.offset - a] === 0 ? zeros++ : others++
  const counted = {
    ...env,
    intrinsicGas: env.intrinsicGas + 4n * BigInt(zeros) + 16n * BigInt(others),
    payload: { ...p, absorbed: to, tokens: p.tokens + BigInt(zeros) + 4n * BigInt(others) },
  }
  if (to < total) {
    r.done()
    const next = absorb(state, part)
    return { ...s, subIndex: s.subIndex + 1, txEnvHash: keccak(writeTxEnv({ ...counted, sponge: keccak(next) })) }
  }
  const signingHash = squeeze(state, part)
  const block = readBlockEnv(opened(r, 'blockEnv', BLOCK_ENV_BYTES, s.blockEnvHash))
  const sender = recoverAddress(signingHash, p.yParity, env.r, env.s)
  const trie = await proofTrie(s.stateRoot, r.next('sender proof'), 'sender')
  if (sender === undefined) {
    r.done()
    return { ...s, phase: INVALID }
  }
  // A sender with no account is an empty one: valid when the transaction costs nothing.
  const account = decodeAccount(await trie.get(sender)) ?? emptyAccount()
  r.done()
  if (senderInvalidity(env, account, code) !== undefined) return { ...s, phase: INVALID }
  const done: TxEnv = {
    ...counted,
    origin: join([new Uint8Array(12), sender]),
    floorGas: s.forkId >= 2 ? 21000n + 10n * counted.payload.tokens : 0n,
    payload: { ...counted.payload, absorbed: 0, tokens: 0n },
    sponge: new Uint8Array(32),
  }
  const blobFee = env.blobCount * GAS_PER_BLOB * block.blobBaseFee
  const stateRoot = await trie.set(
    sender,
    encodeAccount({ ...account, nonce: account.nonce + 1n, balance: account.balance - env.gasLimit * env.effectiveGasPrice - blobFee }),
  )
  const recipient = env.isCreate ? keccak(RLP.encode([sender, env.nonce])).slice(12) : env.to
  const warm = [sender, recipient, block.coinbase.subarray(12), ...precompiles(s.forkId)].map(addressKey)
  return {
    ...s,
    phase: nextPhase(2, done),
    subIndex: 0,
    txEnvHash: keccak(writeTxEnv(done)),
    stateRoot,
    txStartRoot: s.stateRoot,
    accessMap: mapCommitmentOf(warm),
    transientMap: emptyMapCommitment(),
  }
}

/** The transaction environment of a set-up step after tx-start: its bytes and fields. */
function setUpEnv(r: ItemReader, s: MachineState): { env: TxEnv } {
  return { env: readTxEnv(opened(r, 'txEnv', TX_ENV_BYTES, s.txEnvHash)) }
}

/** txEnv with the walk's cursor moved (to the start when the walk ends). */
const moved = (env: TxEnv, cursor: TxCursor | undefined, more: Partial<TxEnv> = {}) =>
  keccak(writeTxEnv({ ...env, ...more, cursor: cursor ?? CURSOR_START }))

/** The transaction's bytes as a view of its tree (txEnv's root and size). */
const txView = (env: TxEnv): View => ({ root: env.txRoot, offset: 0, size: env.txSize })

/**
 * `len` bytes (at most) of a list span from `walked` bytes into it, read from the transaction's tree:
 * the window a walking step parses, with the place its first byte has in the transaction.
 */
function spanWindow(r: ItemReader, what: string, env: TxEnv, span: TxSpan, walked: number, len: number) {
  if (walked >= span.size) throw new WitnessError(`${what}: the list has no entry past byte ${walked} of its ${span.size}`)
  const base = span.offset + walked
  const w = readView(r, what, txView(env), BigInt(base), BigInt(Math.min(len, span.size - walked)))
  /** The item at `at` (a place in the transaction): its header, and its bytes when it is a string of `size` bytes. */
  const item = (at: number, what: string) => header(w, base, at, what)
  const bytesAt = (at: number, size: number, what: string) => {
    if (at - base + size > w.length) throw new MalformedTransaction(`${what} is past the step's window`)
    return w.slice(at - base, at - base + size)
  }
  return { base, w, item, bytesAt }
}

/** A walking step that meets a malformed entry: the block is invalid (its bytes are in transactionsRoot). */
function malformed<T>(s: MachineState, r: ItemReader, walk: () => T): T | MachineState {
  try {
    return walk()
  } catch (e) {
    if (!(e instanceof MalformedTransaction)) throw e
    r.done()
    return { ...s, phase: INVALID }
  }
}

/** The bytes of an authorisation a tx-authorization step reads at most: a list header and six fields of at most 33 bytes. */
export const AUTHORIZATION_WINDOW = 256

/** EIP-7702: authorisation `subIndex` — the authority warm once recovered; if valid, its refund, delegation and nonce. */
export async function checkTxAuthorization(s: MachineState, r: ItemReader, code: CodeOracle): Promise<MachineState> {
  const { env } = setUpEnv(r, s)
  const span = env.authorizations
  const walked = env.cursor.walked
  const read = malformed(s, r, () => {
    const { base, w, item } = spanWindow(r, 'authorisation', env, span, walked, AUTHORIZATION_WINDOW)
    const tuple = item(base, 'an authorisation')
    const end = tuple.offset + tuple.size - base
    if (!tuple.list || end > w.length) throw new MalformedTransaction('an authorisation is not a list within its window')
    let fields: unknown
    try {
      fields = RLP.decode(w.subarray(0, end))
    } catch (e) {
      throw new MalformedTransaction(`an authorisation is not RLP (${(e as Error).message})`)
    }
    return { auth: decodeAuthorization(fields), walkedTo: walked + end }
  })
  if (!('auth' in read)) return read
  const { auth, walkedTo } = read
  // The window ends where the list does: a tuple that ran past it did not decode above.
  const last = walkedTo === span.size
  // EIP-7702: 25,000 of intrinsic gas an authorisation, whatever becomes of it.
  const next = {
    phase: last ? nextPhase(3, env) : 2,
    subIndex: last ? 0 : s.subIndex + 1,
    txEnvHash: moved(env, last ? undefined : { ...CURSOR_START, walked: walkedTo }, {
      intrinsicGas: env.intrinsicGas + 25000n,
      authorizationCount: env.authorizationCount + 1n,
    }),
  }
  // tx-start checked the transaction's chain id against the block's.
  const chainOk = auth.chainId === 0n || auth.chainId === env.chainId
  const authority = chainOk && auth.nonce < 2n ** 64n - 1n ? authorityOf(auth) : undefined
  if (authority === undefined) {
    r.done()
    return { ...s, ...next }
  }
  const accessMap = openMapKey(r, 'access map', s.accessMap, addressKey(authority))
  const newAccess = accessMap.value === undefined ? accessMap.write(1n) : s.accessMap
  const sub = readSubstate(opened(r, 'substate', SUBSTATE_BYTES, s.substateHash))
  const trie = await proofTrie(s.stateRoot, r.next('authority proof'), 'authority')
  r.done()
  const account = decodeAccount(await trie.get(authority))
  const hasCode = account !== undefined && !equal(account.codeHash, EMPTY_CODE_HASH)
  if (hasCode && code(account.codeHash) === undefined) throw new WitnessError('the authority’s code is not in the CodeOracle')
  const valid = (!hasCode || isDelegation(code(account.codeHash))) && (account?.nonce ?? 0n) === auth.nonce
  if (!valid) return { ...s, ...next, accessMap: newAccess }
  const clears = auth.address.every((b) => b === 0)
  const designator = clears ? new Uint8Array() : Uint8Array.of(0xef, 0x01, 0x00, ...auth.address)
  const base = account ?? emptyAccount()
  const stateRoot = await trie.set(authority, encodeAccount({ ...base, nonce: base.nonce + 1n, codeHash: keccak(designator) }))
  // An existing account costs less than the 25,000 charged up front: 12,500 back.
  const refund = sub.refund + (account === undefined ? 0n : 12500n)
  return { ...s, ...next, accessMap: newAccess, stateRoot, substateHash: keccak(writeSubstate({ ...sub, refund })) }
}

/** The access-list keys a `tx-access-list` step warms at most (SPEC.md §5.5). */
export const ACCESS_KEYS_STEP = 32

/** The bytes a tx-access-list step reads at most: a key takes 33 (a slot) or at most 31 (an entry's headers and address). */
export const ACCESS_WINDOW = ACCESS_KEYS_STEP * 33

const NO_ADDRESS = new Uint8Array(20)

/**
 * Access-list part `subIndex`: the next 32 keys of the access list laid flat — each entry's address,
 * then its slots, in the transaction's order — read from the transaction's tree where txEnv's cursor
 * left off, each inserted when not yet warm (a key met twice is warm the second time).
 */
export async function checkTxAccessList(s: MachineState, r: ItemReader): Promise<MachineState> {
  const { env } = setUpEnv(r, s)
  const span = env.accessList
  const walk = malformed(s, r, () => {
    const { item, bytesAt } = spanWindow(r, 'access list', env, span, env.cursor.walked, ACCESS_WINDOW)
    // Places from here on are in the transaction; the cursor's are from the list's start.
    let at = span.offset + env.cursor.walked
    let slotsEnd = env.cursor.slotsEnd === 0 ? 0 : span.offset + env.cursor.slotsEnd
    let address = env.cursor.address
    const keys: bigint[] = []
    let entries = 0n
    while (keys.length < ACCESS_KEYS_STEP && at < span.offset + span.size) {
      if (slotsEnd === 0) {
        const entry = item(at, 'an access-list entry')
        const a = item(entry.offset, 'an access-list address')
        if (!entry.list || a.list || a.size !== 20) throw new MalformedTransaction('an access-list entry is not [address, slots]')
        address = bytesAt(a.offset, 20, 'an access-list address')
        const slots = item(a.offset + 20, 'the slots')
        if (!slots.list || slots.offset + slots.size !== entry.offset + entry.size)
          throw new MalformedTransaction('an access-list entry is not [address, slots]')
        keys.push(addressKey(address))
        entries++
        at = slots.offset
        slotsEnd = slots.offset + slots.size
      } else {
        const slot = item(at, 'a slot')
        if (slot.list || slot.size !== 32) throw new MalformedTransaction('a slot is not 32 bytes')
        keys.push(slotKey(address, bytesAt(slot.offset, 32, 'a slot')))
        at = slot.offset + 32
      }
      if (at > slotsEnd || slotsEnd > span.offset + span.size) throw new MalformedTransaction('an access-list entry runs past its list')
      if (at === slotsEnd) [slotsEnd, address] = [0, NO_ADDRESS]
    }
    return { keys, entries, walked: at - span.offset, slotsEnd: slotsEnd === 0 ? 0 : slotsEnd - span.offset, address }
  })
  if (!('keys' in walk)) return walk
  let accessMap = s.accessMap
  for (const key of walk.keys) {
    const item = openMapKey(r, 'access map', accessMap, key)
    if (item.value === undefined) accessMap = item.write(1n)
  }
  r.done()
  const last = walk.walked === span.size
  // EIP-2930: 2,400 of intrinsic gas an entry, 1,900 a slot.
  const slots = BigInt(walk.keys.length) - walk.entries
  const txEnvHash = moved(env, last ? undefined : { walked: walk.walked, slotsEnd: walk.slotsEnd, address: walk.address }, {
    intrinsicGas: env.intrinsicGas + 2400n * walk.entries + 1900n * slots,
    accessListCount: env.accessListCount + walk.entries,
  })
  return { ...s, accessMap, phase: last ? 4 : 3, subIndex: last ? 0 : s.subIndex + 1, txEnvHash }
}

/**
 * tx-enter: the transaction's frame (depth 0) with its revert point, the value moved into the
 * recipient (touched, created empty if absent; its EIP-7702 delegate's code, the delegate warm) or
 * into the created account (nonce 1, in the created map; onto an account with code, nonce or storage, a collision, the frame is entered already failed).
 */
export async function checkTxEnter(s: MachineState, r: ItemReader, code: CodeOracle): Promise<MachineState> {
  const { env } = setUpEnv(r, s)
  // The intrinsic gas, now that the lists are walked, and EIP-7623's floor: above the gas limit, the block is invalid.
  if (env.gasLimit < env.intrinsicGas || env.gasLimit < env.floorGas) {
    r.done()
    return { ...s, phase: INVALID }
  }
  const sender = env.origin.subarray(12)
  // The data is a view of the transaction's tree; a create's initcode (at most 49,152 bytes, tx-start checked) is read for its code tree.
  const data = viewOf(env.txRoot, BigInt(env.data.offset), BigInt(env.data.size))
  const initcode = env.isCreate ? readView(r, 'initcode', data, 0n, BigInt(env.data.size)) : undefined
  const trie = await proofTrie(s.stateRoot, r.next('accounts proof'), 'accounts')
  const from = decodeAccount(await trie.get(sender))
  if (from === undefined) throw new WitnessError('the sender has no account')
  const revertPre = join([s.stateRoot, s.accessMap, s.transientMap, s.substateHash])
  const frameOf = (f: Pick<FrameState, 'kind' | 'address' | 'codeAddress' | 'codeRoot' | 'codeSize'> & Partial<FrameState>) =>
    freshFrame({ depth: 0, gas: env.gasLimit - env.intrinsicGas, caller: sender, value: env.value, ...f })
  let state: MachineState = { ...s }
  let frame: FrameState
  if (initcode !== undefined) {
    const created = keccak(RLP.encode([sender, env.nonce])).slice(12)
    const target = decodeAccount(await trie.get(created))
    frame = frameOf({ kind: 4, address: created, codeAddress: created, codeRoot: codeRoot(initcode), codeSize: initcode.length })
    if (collides(target)) {
      // EIP-684, EIP-7610: the frame is entered already failed; nothing moves or is created.
      r.done()
      const failed = keccak(writeFrame({ ...frame, status: 3, gas: 0n }))
      return { ...s, phase: 5, subIndex: 0, frameStackHash: keccak(ZERO, keccak(revertPre), ZERO), frameHash: failed }
    }
    await trie.set(sender, encodeAccount({ ...from, balance: from.balance - env.value }))
    const stateRoot = await trie.set(
      created,
      encodeAccount({ ...(target ?? emptyAccount()), nonce: 1n, balance: (target?.balance ?? 0n) + env.value }),
    )
    const sub = readSubstate(opened(r, 'substate', SUBSTATE_BYTES, s.substateHash))
    const entry = openMapKey(r, 'created map', sub.createdMap, num(keccak(Uint8Array.of(5), created)))
    state = {
      ...state,
      stateRoot,
      substateHash: keccak(writeSubstate({ ...sub, createdMap: entry.value === undefined ? entry.write(1n) : sub.createdMap })),
    }
  } else {
    const to = env.to
    const before = decodeAccount(await trie.get(to))
    let runs = codeOf(before, code)
    const delegate = runs.delegate
    if (s.forkId >= 2 && delegate !== undefined) {
      // EIP-7702: the recipient's code is the delegate's, and the delegate is warm.
      runs = codeOf(decodeAccount(await trie.get(delegate)), code)
      const warm = openMapKey(r, 'access map', s.accessMap, addressKey(delegate))
      if (warm.value === undefined) state = { ...state, accessMap: warm.write(1n) }
    }
    const self = equal(to, sender)
    const after = self ? { ...from } : { ...(before ?? emptyAccount()), balance: (before?.balance ?? 0n) + env.value }
    if (!self) await trie.set(sender, encodeAccount({ ...from, balance: from.balance - env.value }))
    const stateRoot = await trie.set(to, encodeAccount(after))
    state = { ...state, stateRoot }
    if (isEmpty(after)) {
      const sub = readSubstate(opened(r, 'substate', SUBSTATE_BYTES, s.substateHash))
      const entry = openMapKey(r, 'touched map', sub.touchedMap, num(keccak(Uint8Array.of(6), to)))
      if (entry.value === undefined) state = { ...state, substateHash: keccak(writeSubstate({ ...sub, touchedMap: entry.write(1n) })) }
    }
    frame = frameOf({
      kind: 0,
      address: to,
      codeAddress: to,
      codeRoot: runs.root,
      codeSize: runs.size,
      calldata: data,
    })
  }
  r.done()
  return {
    ...state,
    phase: 5,
    subIndex: 0,
    frameStackHash: keccak(ZERO, keccak(revertPre), ZERO),
    frameHash: keccak(writeFrame(frame)),
  }
}

/** The code an account runs (its root and size through the CodeOracle) and, for an EIP-7702 delegation, the delegate. */
function codeOf(account: { codeHash: Uint8Array } | undefined, code: CodeOracle) {
  if (account === undefined || equal(account.codeHash, EMPTY_CODE_HASH))
    return { root: codeRoot(new Uint8Array()), size: 0, delegate: undefined }
  const known = code(account.codeHash)
  if (known === undefined) throw new WitnessError('the code is not in the CodeOracle')
  return known
}
