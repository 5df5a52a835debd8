/**
 * block-start (SPEC.md §4, phase 0; the generator's side is src/trace/block-start.ts): the header
 * against its parent's (header.ts), then EIP-4788's beacon root and EIP-2935's parent hash written
 * into their contracts' storage; and the list proofs that say what follows a block's transactions.
 */
import { RLP } from '@ethereumjs/rlp'
import { BLOCK_HASHES, boundParentsRoot } from './block-hashes.ts'
import { blobBaseFee, headerViolation } from './header.ts'
import {
  type BlockEnv,
  be,
  equal,
  INVALID,
  keccak,
  type MachineState,
  num,
  VERSION,
  writeBlockAcc,
  writeBlockEnv,
  writeState,
} from './layout.ts'
import { decodeAccount, EMPTY_CODE_HASH, EMPTY_TRIE_ROOT, encodeAccount, encodeSlot, proofTrie } from './mpt.ts'
import { emptyRequestsWord } from './requests.ts'
import { emptyMapCommitment, emptySubstateHash, zeroRoot } from './trees.ts'
import { type ItemReader, WitnessError } from './witness-reader.ts'

const BEACON_ROOTS = Uint8Array.from(Buffer.from('000f3df6d732807ef1319fb7b8bb8522d0beac02', 'hex'))
const HISTORY_STORAGE = Uint8Array.from(Buffer.from('0000f90827f1c53a10cb7a02335b175320002935', 'hex'))
/** EIP-4788's and EIP-2935's ring buffer length. */
const RING = 8191n

/** The header fields a fork's block has: Shanghai 17 (withdrawals root), Cancun 20 (blob gas, beacon root), Prague and Osaka 21 (requests hash). */
const HEADER_FIELDS: Record<number, number> = { 0: 17, 1: 20, 2: 21, 3: 21 }

/** A header's RLP fields, or undefined when it is not a list of at least `min` byte strings. */
function headerFields(raw: Uint8Array, min: number): Uint8Array[] | undefined {
  let fields: unknown
  try {
    fields = RLP.decode(raw)
  } catch {
    return undefined
  }
  if (!Array.isArray(fields) || fields.length < min || fields.some((f) => !(f instanceof Uint8Array))) return undefined
  return fields as Uint8Array[]
}

/**
 * The state a block's proof starts from, a function of the public input alone (SPEC.md §2): the
 * block's hash, the chain id and the fork; no state root (block-start takes the parent header's),
 * empty maps, sub-state and block accumulator.
 */
export function initialState(blockHash: Uint8Array, chainId: bigint, forkId: number): MachineState {
  const zero = new Uint8Array(32)
  const emptyMap = emptyMapCommitment()
  const blockAcc = {
    cumulativeGas: 0n,
    blobGasUsed: 0n,
    receiptsRoot: EMPTY_TRIE_ROOT,
    receiptCount: 0n,
    requests: emptyRequestsWord(),
    bloomHash: keccak(new Uint8Array(256)),
    receiptsList: zeroRoot(16),
    trieStack: keccak(new Uint8Array()),
    leafProgress: 0n,
    leafSponge: zero,
  }
  return {
    version: VERSION,
    phase: 0,
    txIndex: 0,
    subIndex: 0,
    forkId,
    chainId,
    blockEnvHash: blockHash,
    txEnvHash: zero,
    stateRoot: zero,
    txStartRoot: zero,
    accessMap: emptyMap,
    transientMap: emptyMap,
    substateHash: emptySubstateHash(blockAcc.requests),
    blockAccHash: keccak(writeBlockAcc(blockAcc)),
    frameStackHash: zero,
    frameHash: zero,
  }
}

/**
 * block-start: the block's header (hashing to the block hash the initial state names) and its
 * parent's (hashing to the header's parentHash) give blockEnv and the pre-state root, so that
 * nothing of the block is the proposer's choice; then EIP-4788's beacon root and EIP-2935's parent
 * hash into their contracts' storage. → BLOCK_HASHES.
 */
export async function checkBlockStart(s: MachineState, r: ItemReader): Promise<MachineState> {
  if (!equal(writeState(s), writeState(initialState(s.blockEnvHash, s.chainId, s.forkId))))
    throw new WitnessError('block-start runs from the initial state of the public input, and this is not it')
  const rawHeader = r.next('header')
  if (!equal(keccak(rawHeader), s.blockEnvHash)) throw new WitnessError('the header does not hash to the block hash the state names')
  const rawParent = r.next('parent header')
  const h = headerFields(rawHeader, 0)
  if (h === undefined || h.length !== HEADER_FIELDS[s.forkId]) {
    r.done()
    return { ...s, phase: INVALID }
  }
  if (!equal(keccak(rawParent), h[0] as Uint8Array)) throw new WitnessError('the parent header does not hash to the header’s parentHash')
  const parent = headerFields(rawParent, 9)
  if (parent === undefined) throw new WitnessError('the parent header is not a header')
  const [number, parentNumber] = [num(h[8] as Uint8Array), num(parent[8] as Uint8Array)]
  if (number !== parentNumber + 1n || headerViolation(h, parent, s.forkId) !== undefined) {
    r.done()
    return { ...s, phase: INVALID }
  }
  const word = (b: Uint8Array) => be(num(b))
  // BLOCKHASH's tree: the parent's hash and its parent's here, the older ones by the block-hashes steps.
  const grandparent = parentNumber === 0n ? new Uint8Array(32) : (parent[0] as Uint8Array)
  const cancun = s.forkId >= 1
  const env: BlockEnv = {
    forkId: BigInt(s.forkId),
    chainId: s.chainId,
    number,
    timestamp: num(h[11] as Uint8Array),
    gasLimit: num(h[9] as Uint8Array),
    baseFee: num(h[15] as Uint8Array),
    blobBaseFee: cancun ? blobBaseFee(num(h[18] as Uint8Array), s.forkId) : 0n,
    prevRandao: word(h[13] as Uint8Array),
    coinbase: word(h[2] as Uint8Array),
    parentHash: word(h[0] as Uint8Array),
    parentBeaconRoot: cancun ? word(h[19] as Uint8Array) : new Uint8Array(32),
    transactionsRoot: word(h[4] as Uint8Array),
    withdrawalsRoot: word(h[16] as Uint8Array),
    blockHashesRoot: boundParentsRoot(h[0] as Uint8Array, grandparent),
  }
  const writes: [Uint8Array, [bigint, bigint][]][] = []
  if (cancun) {
    const i = env.timestamp % RING
    writes.push([
      BEACON_ROOTS,
      [
        [i, env.timestamp],
        [i + RING, num(env.parentBeaconRoot)],
      ],
    ])
  }
  if (s.forkId >= 2) writes.push([HISTORY_STORAGE, [[(env.number - 1n) % RING, num(env.parentHash)]]])
  const preState = parent[3] as Uint8Array
  const trie = await proofTrie(preState, r.next('system contracts proof'), 'system contracts')
  let stateRoot = preState
  for (const [address, slots] of writes) {
    const account = decodeAccount(await trie.get(address))
    // A contract without code is left alone (its EIP says so: the fork may predate its deployment).
    if (account === undefined || equal(account.codeHash, EMPTY_CODE_HASH)) continue
    const storage = await proofTrie(account.storageRoot, r.next('system contract storage proof'), 'system contract storage')
    let storageRoot = account.storageRoot
    for (const [slot, value] of slots) storageRoot = await storage.set(be(slot), encodeSlot(value))
    stateRoot = await trie.set(address, encodeAccount({ ...account, storageRoot }))
  }
  r.done()
  return { ...s, blockEnvHash: keccak(writeBlockEnv(env)), stateRoot, phase: BLOCK_HASHES, subIndex: 0 }
}
