/**
 * The reference checker's block-level steps (SPEC.md §4): `block-start` (EIP-4788's beacon root
 * and EIP-2935's parent hash written into their contracts' storage) and `withdrawal` (one EIP-4895
 * withdrawal from the block's withdrawals trie, credited in gwei).
 */
import { RLP } from '@ethereumjs/rlp'
import { be, equal, keccak, type MachineState, num, readBlockEnv } from './layout.ts'
import { decodeAccount, EMPTY_CODE_HASH, encodeAccount, encodeSlot, proofTrie } from './mpt.ts'
import { credit } from './tx-end.ts'
import { type ItemReader, WitnessError } from './witness-reader.ts'

const BEACON_ROOTS = Uint8Array.from(Buffer.from('000f3df6d732807ef1319fb7b8bb8522d0beac02', 'hex'))
const HISTORY_STORAGE = Uint8Array.from(Buffer.from('0000f90827f1c53a10cb7a02335b175320002935', 'hex'))
/** EIP-4788's and EIP-2935's ring buffer length. */
const RING = 8191n

function blockEnvOf(r: ItemReader, s: MachineState) {
  const b = r.next('blockEnv', 512)
  if (!equal(keccak(b), s.blockEnvHash)) throw new WitnessError('blockEnv does not hash to what the state commits to')
  return readBlockEnv(b)
}

/** The phase after the withdrawals (or where there are none): the system calls from Prague on, else the block's end. */
const afterWithdrawals = (forkId: number) => (forkId >= 2 ? 10 : 11)

export async function checkBlockStart(s: MachineState, r: ItemReader): Promise<MachineState> {
  const env = blockEnvOf(r, s)
  const writes: [Uint8Array, [bigint, bigint][]][] = []
  if (s.forkId >= 1) {
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
  const trie = await proofTrie(s.stateRoot, r.next('system contracts proof'), 'system contracts')
  let stateRoot = s.stateRoot
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
  const phase = env.txCount > 0n ? 1 : env.withdrawalCount > 0n ? 9 : afterWithdrawals(s.forkId)
  return { ...s, stateRoot, phase, subIndex: 0 }
}

export async function checkWithdrawal(s: MachineState, r: ItemReader): Promise<MachineState> {
  const env = blockEnvOf(r, s)
  const raw = r.next('withdrawal')
  const withdrawals = await proofTrie(env.withdrawalsRoot, r.next('withdrawals proof'), 'withdrawals', false)
  const inBlock = await withdrawals.get(RLP.encode(s.subIndex))
  if (inBlock === undefined || !equal(inBlock, raw)) throw new WitnessError(`the withdrawal is not number ${s.subIndex} of the block`)
  const fields = RLP.decode(raw) as unknown
  const shaped = Array.isArray(fields) && fields.length === 4 && fields.every((f) => f instanceof Uint8Array)
  const [, , address, amount] = (shaped ? fields : []) as Uint8Array[]
  if (address === undefined || amount === undefined || address.length !== 20)
    throw new WitnessError('the withdrawal is not [index, validatorIndex, address, amount]')
  const trie = await proofTrie(s.stateRoot, r.next('account proof'), 'account')
  r.done()
  const gwei = num(amount)
  const stateRoot = gwei > 0n ? await credit(trie, address, gwei * 1_000_000_000n) : s.stateRoot
  const last = BigInt(s.subIndex + 1) >= env.withdrawalCount
  return { ...s, stateRoot, phase: last ? afterWithdrawals(s.forkId) : 9, subIndex: last ? 0 : s.subIndex + 1 }
}
