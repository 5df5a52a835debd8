/**
 * The reference checker's transaction set-up steps (SPEC.md §4): `tx-start` (the transaction from
 * the block's transactions trie, its sender, the validity checks, the gas bought and the nonce
 * bumped, txEnv, the warm set), `tx-authorization` (one EIP-7702 authorisation) and
 * `tx-access-list` (one access-list entry).
 */
import { RLP } from '@ethereumjs/rlp'
import {
  BLOCK_ACC_BYTES,
  BLOCK_ENV_BYTES,
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
  type TxEnv,
  type TxSpan,
  type View,
  withCursor,
  writeFrame,
  writeSubstate,
} from './layout.ts'
import { decodeAccount, EMPTY_CODE_HASH, emptyAccount, encodeAccount, isEmpty, proofTrie } from './mpt.ts'
import { type CodeOracle, collides } from './opcode/step.ts'
import { codeRoot, emptyMapCommitment, emptySubstateHash, freshFrame, mapCommitmentOf, openMapKey, readView, viewOf } from './trees.ts'
import {
  authorityOf,
  decodeAuthorization,
  decodeTx,
  floorGas,
  intrinsicGas,
  MalformedTransaction,
  recoverAddress,
  type Tx,
  txEnvOf,
} from './tx.ts'
import { header, readTxLayout, type TxLayout } from './tx-layout.ts'
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

/** The phase after the set-up step `from` (2 authorisations, 3 access list): the next part with entries. */
const nextPhase = (from: number, tx: { authorizationCount: bigint; accessListCount: bigint }) =>
  from <= 2 && tx.authorizationCount > 0n ? 2 : from <= 3 && tx.accessListCount > 0n ? 3 : 4

const isDelegation = (code: { delegate?: Uint8Array } | undefined) => code?.delegate !== undefined

/** Why a transaction cannot be in the block (SPEC.md §4: the block is invalid), or undefined. */
export function txInvalidity(
  tx: Tx,
  env: ReturnType<typeof readBlockEnv>,
  cumulativeGas: bigint,
  account: { nonce: bigint; balance: bigint; codeHash: Uint8Array },
  code: CodeOracle,
  forkId: number,
): string | undefined {
  if (tx.type >= 1 && tx.chainId !== env.chainId) return 'wrong chain id'
  if (tx.type === 0 && tx.chainId !== undefined && tx.chainId !== env.chainId) return 'wrong chain id'
  if ((tx.type === 3 && forkId < 1) || (tx.type === 4 && forkId < 2)) return `type ${tx.type} is not in this fork`
  if (!equal(account.codeHash, EMPTY_CODE_HASH)) {
    const known = code(account.codeHash)
    if (known === undefined) throw new WitnessError('the sender’s code is not in the CodeOracle')
    if (!isDelegation(known)) return 'the sender has code (EIP-3607)'
  }
  if (account.nonce !== tx.nonce || tx.nonce >= 2n ** 64n - 1n) return 'wrong nonce'
  if (tx.gasLimit < intrinsicGas(tx) || tx.gasLimit < floorGas(tx, forkId)) return 'gas limit below the intrinsic gas'
  if (cumulativeGas + tx.gasLimit > env.gasLimit) return 'gas limit above what the block has left'
  if (forkId >= 3 && tx.gasLimit > OSAKA_TX_GAS_CAP) return 'gas limit above 2^24 (EIP-7825)'
  if (tx.type >= 2 && (tx.maxFeePerGas < env.baseFee || tx.maxPriorityFeePerGas > tx.maxFeePerGas)) return 'fee caps'
  if (tx.type < 2 && tx.maxFeePerGas < env.baseFee) return 'gas price below the base fee'
  if (tx.to === undefined && tx.data.length > 49152) return 'initcode above 49,152 bytes (EIP-3860)'
  if ((tx.type === 3 || tx.type === 4) && tx.to === undefined) return 'a blob or set-code transaction creates'
  if (tx.type === 4 && tx.authorizations.length === 0) return 'no authorisations'
  if (tx.type === 3) {
    if (tx.blobHashes.length === 0 || tx.blobHashes.length > (MAX_BLOBS[forkId] ?? 0)) return 'blob count'
    if (tx.blobHashes.some((h) => h.length !== 32 || h[0] !== 0x01)) return 'blob hash version'
    if (tx.maxFeePerBlobGas < env.blobBaseFee) return 'blob fee cap below the blob base fee'
  }
  const blobGas = BigInt(tx.blobHashes.length) * GAS_PER_BLOB
  if (account.balance < tx.gasLimit * tx.maxFeePerGas + tx.value + blobGas * tx.maxFeePerBlobGas) return 'balance below the maximum cost'
  return undefined
}

export async function checkTxStart(s: MachineState, r: ItemReader, code: CodeOracle): Promise<MachineState> {
  const block = readBlockEnv(opened(r, 'blockEnv', BLOCK_ENV_BYTES, s.blockEnvHash))
  const acc = readBlockAcc(opened(r, 'blockAcc', BLOCK_ACC_BYTES, s.blockAccHash))
  // The transaction's bytes are its leaf's value in the transactions trie: not sent a second time.
  const txs = await proofTrie(block.transactionsRoot, r.next('transactions proof'), 'transactions', false)
  const raw = await txs.get(RLP.encode(s.txIndex))
  if (raw === undefined) throw new WitnessError(`the block has no transaction number ${s.txIndex}`)
  let tx: Tx
  let layout: TxLayout
  try {
    tx = decodeTx(raw)
    layout = readTxLayout((offset, len) => raw.subarray(offset, offset + len), raw.length)
  } catch (e) {
    if (!(e instanceof MalformedTransaction)) throw e
    // Its bytes are in transactionsRoot: the block is invalid, and nothing more is read.
    r.done()
    return { ...s, phase: INVALID }
  }
  const sender = recoverAddress(tx.signingHash, tx.recovery, tx.r, tx.s)
  const trie = await proofTrie(s.stateRoot, r.next('sender proof'), 'sender')
  if (sender === undefined) {
    r.done()
    return { ...s, phase: INVALID }
  }
  // A sender with no account is an empty one: valid when the transaction costs nothing.
  const account = decodeAccount(await trie.get(sender)) ?? emptyAccount()
  r.done()
  if (txInvalidity(tx, block, acc.cumulativeGas, account, code, s.forkId) !== undefined) return { ...s, phase: INVALID }
  const env = txEnvOf(tx, raw, layout, sender, block.baseFee, s.forkId)
  const price = num(env.subarray(96, 128))
  const blobFee = BigInt(tx.blobHashes.length) * GAS_PER_BLOB * block.blobBaseFee
  const stateRoot = await trie.set(
    sender,
    encodeAccount({ ...account, nonce: account.nonce + 1n, balance: account.balance - tx.gasLimit * price - blobFee }),
  )
  const recipient = tx.to ?? keccak(RLP.encode([sender, tx.nonce])).slice(12)
  const warm = [sender, recipient, block.coinbase.subarray(12), ...precompiles(s.forkId)].map(addressKey)
  const empty = emptyMapCommitment()
  return {
    ...s,
    phase: nextPhase(2, { authorizationCount: BigInt(tx.authorizations.length), accessListCount: BigInt(tx.accessList.length) }),
    subIndex: 0,
    txEnvHash: keccak(env),
    stateRoot,
    txStartRoot: s.stateRoot,
    accessMap: mapCommitmentOf(warm),
    transientMap: empty,
    substateHash: emptySubstateHash(acc.requests),
  }
}

/** The transaction environment of a set-up step after tx-start: its bytes and fields. */
function setUpEnv(r: ItemReader, s: MachineState): { bytes: Uint8Array; env: TxEnv } {
  const bytes = opened(r, 'txEnv', TX_ENV_BYTES, s.txEnvHash)
  return { bytes, env: readTxEnv(bytes) }
}

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
  const { bytes, env } = setUpEnv(r, s)
  const span = env.authorizations
  const walked = env.cursor.walked
  const read = malformed(s, r, () => {
    const { base, w, item } = spanWindow(r, 'authorisation', env, span, walked, AUTHORIZATION_WINDOW)
    const tuple = item(base, 'an authorisation')
    const end = tuple.offset + tuple.size - base
    if (!tuple.list || end > w.length) throw new MalformedTransaction('an authorisation is not a list within its window')
    return { auth: decodeAuthorization(RLP.decode(w.subarray(0, end))), walkedTo: walked + end }
  })
  if (!('auth' in read)) return read
  const { auth, walkedTo } = read
  const last = walkedTo >= span.size
  if (walkedTo > span.size) throw new WitnessError('an authorisation runs past its list')
  const next = {
    phase: last ? nextPhase(3, env) : 2,
    subIndex: last ? 0 : s.subIndex + 1,
    txEnvHash: keccak(withCursor(bytes, { ...CURSOR_START, walked: last ? 0 : walkedTo })),
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
  const { bytes, env } = setUpEnv(r, s)
  const span = env.accessList
  const walk = malformed(s, r, () => {
    const { item, bytesAt } = spanWindow(r, 'access list', env, span, env.cursor.walked, ACCESS_WINDOW)
    // Places from here on are in the transaction; the cursor's are from the list's start.
    let at = span.offset + env.cursor.walked
    let slotsEnd = env.cursor.slotsEnd === 0 ? 0 : span.offset + env.cursor.slotsEnd
    let address = env.cursor.address
    const keys: bigint[] = []
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
    return { keys, walked: at - span.offset, slotsEnd: slotsEnd === 0 ? 0 : slotsEnd - span.offset, address }
  })
  if (!('keys' in walk)) return walk
  let accessMap = s.accessMap
  for (const key of walk.keys) {
    const item = openMapKey(r, 'access map', accessMap, key)
    if (item.value === undefined) accessMap = item.write(1n)
  }
  r.done()
  const last = walk.walked === span.size
  const cursor = last ? CURSOR_START : { walked: walk.walked, slotsEnd: walk.slotsEnd, address: walk.address }
  return { ...s, accessMap, phase: last ? 4 : 3, subIndex: last ? 0 : s.subIndex + 1, txEnvHash: keccak(withCursor(bytes, cursor)) }
}

/**
 * tx-enter: the transaction's frame (depth 0) with its revert point, the value moved into the
 * recipient (touched, created empty if absent; its EIP-7702 delegate's code, the delegate warm) or
 * into the created account (nonce 1, in the created map; onto an account with code, nonce or storage, a collision, the frame is entered already failed).
 */
export async function checkTxEnter(s: MachineState, r: ItemReader, code: CodeOracle): Promise<MachineState> {
  const { env } = setUpEnv(r, s)
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
