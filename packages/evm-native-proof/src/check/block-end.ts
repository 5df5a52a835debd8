/**
 * The block's end (SPEC.md §4, phases 9–11; the generator's side is src/trace/block-end.ts):
 * `withdrawal` (one EIP-4895 withdrawal from the block's withdrawals trie, credited in gwei),
 * `system-call` (EIP-7002 and EIP-7251 request contracts) and `block-finalize` (limits, the EIP-7685
 * requests hash).
 */
import { RLP } from '@ethereumjs/rlp'
import { BLOB_SCHEDULE } from './header.ts'
import {
  BLOCK_ACC_BYTES,
  BLOCK_ENV_BYTES,
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
  writeBlockAcc,
  writeFrame,
} from './layout.ts'
import { afterWithdrawal } from './list-ends.ts'
import { decodeAccount, EMPTY_CODE_HASH, emptyAccount, encodeAccount, isEmpty, proofTrie } from './mpt.ts'
import type { CodeOracle } from './opcode/step.ts'
import { absorbRequest, openStreams, requestsHash, writeStreams } from './requests.ts'
import { freshFrame, openMapKey, readView } from './trees.ts'
import { credit } from './tx-end.ts'
import { type ItemReader, WitnessError } from './witness-reader.ts'

const blockEnvOf = (r: ItemReader, s: MachineState) => readBlockEnv(opened(r, 'blockEnv', BLOCK_ENV_BYTES, s.blockEnvHash))

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
  const gwei = num(amount)
  // execution-specs credits every withdrawal, then destroys the recipient if it exists and is empty:
  // a zero withdrawal deletes an existing empty account.
  const before = decodeAccount(await trie.get(address))
  const stateRoot =
    gwei > 0n
      ? await credit(trie, address, gwei * 1_000_000_000n)
      : before !== undefined && isEmpty(before)
        ? await trie.set(address, undefined)
        : s.stateRoot
  const phase = await afterWithdrawal(r, env, s.subIndex + 1, s.forkId)
  r.done()
  return { ...s, stateRoot, phase, subIndex: phase === 9 ? s.subIndex + 1 : 0 }
}

/** The address system calls come from, and the EIP-7002 and EIP-7251 contracts they call (subIndex 0, 1). */
export const SYSTEM_ADDRESS = Uint8Array.from(Buffer.from('fffffffffffffffffffffffffffffffffffffffe', 'hex'))
const REQUEST_CONTRACTS = [
  Uint8Array.from(Buffer.from('00000961ef480eb55e80d19ad83579a64c007002', 'hex')),
  Uint8Array.from(Buffer.from('0000bbddc7ce488642fb579f8b00f3a590007251', 'hex')),
]
/** The gas a system call gets (EIP-7002, EIP-7251). */
const SYSTEM_CALL_GAS = 30_000_000n

/**
 * system-call `subIndex` (Prague on): the frame (kind 6) that calls the request contract from the
 * system address with 30,000,000 gas, no value and no calldata, with its revert point; the contract
 * warm; `txStartRoot` the state at its start (SSTORE's originals). As ethereumjs does (and undoes at
 * the frame's exit), the system address's nonce is bumped first.
 */
export async function checkSystemCall(s: MachineState, r: ItemReader, code: CodeOracle): Promise<MachineState> {
  const contract = REQUEST_CONTRACTS[s.subIndex]
  if (contract === undefined) throw new WitnessError(`there is no system call ${s.subIndex}`)
  const trie = await proofTrie(s.stateRoot, r.next('system accounts proof'), 'system accounts')
  const system = decodeAccount(await trie.get(SYSTEM_ADDRESS)) ?? emptyAccount()
  const stateRoot = await trie.set(SYSTEM_ADDRESS, encodeAccount({ ...system, nonce: system.nonce + 1n }))
  const account = decodeAccount(await trie.get(contract))
  const warm = openMapKey(r, 'access map', s.accessMap, num(keccak(Uint8Array.of(1), contract)))
  const accessMap = warm.value === undefined ? warm.write(1n) : s.accessMap
  r.done()
  // execution-specs' checked system call: a request contract without code makes the block invalid.
  if (account === undefined || equal(account.codeHash, EMPTY_CODE_HASH)) return { ...s, phase: INVALID }
  const runs = code(account.codeHash)
  if (runs === undefined) throw new WitnessError('the contract’s code is not in the CodeOracle')
  const revertPre = join([stateRoot, s.accessMap, s.transientMap, s.substateHash])
  const zero = new Uint8Array(32)
  const frame = freshFrame({
    kind: 6,
    depth: 0,
    gas: SYSTEM_CALL_GAS,
    codeSize: runs.size,
    address: contract,
    codeAddress: contract,
    caller: SYSTEM_ADDRESS,
    value: 0n,
    codeRoot: runs.root,
  })
  return {
    ...s,
    phase: 5,
    stateRoot,
    txStartRoot: stateRoot,
    accessMap,
    frameStackHash: keccak(zero, keccak(revertPre), zero),
    frameHash: keccak(writeFrame(frame)),
  }
}

/**
 * The end of a system call's exit: the system address's nonce bump undone (the account deleted if
 * that leaves it empty), and the call's output (nothing if it did not return) absorbed into the
 * stream of request type subIndex + 1.
 */
export async function endSystemCall(s: MachineState, frame: FrameState, r: ItemReader): Promise<MachineState> {
  const acc = readBlockAcc(opened(r, 'blockAcc', BLOCK_ACC_BYTES, s.blockAccHash))
  const output = frame.status === 1 ? readView(r, 'output', frame.output, 0n, BigInt(frame.output.size)) : new Uint8Array()
  const trie = await proofTrie(s.stateRoot, r.next('system address proof'), 'system address')
  const system = decodeAccount(await trie.get(SYSTEM_ADDRESS))
  if (system === undefined || system.nonce === 0n) throw new WitnessError('the system address was not bumped')
  const restored = { ...system, nonce: system.nonce - 1n }
  const stateRoot = await trie.set(SYSTEM_ADDRESS, isEmpty(restored) ? undefined : encodeAccount(restored))
  // The type's stream is opened only when the call returned requests.
  const requests =
    output.length === 0 ? acc.requests : keccak(writeStreams(absorbRequest(openStreams(r, acc.requests), s.subIndex + 1, output)))
  return { ...s, stateRoot, blockAccHash: keccak(writeBlockAcc({ ...acc, requests })) }
}

const maxBlobGas = (forkId: number) => (BLOB_SCHEDULE[forkId]?.max ?? 0n) * 131072n

/**
 * block-finalize: the block's gas and blob gas within their limits (else INVALID); from Prague on
 * the requests hash (EIP-7685) from the three request streams (SPEC.md §2.2). → DONE, the kept frame
 * cleared.
 */
export async function checkBlockFinalize(s: MachineState, r: ItemReader): Promise<MachineState> {
  const env = blockEnvOf(r, s)
  const acc = readBlockAcc(opened(r, 'blockAcc', BLOCK_ACC_BYTES, s.blockAccHash))
  const streams = s.forkId >= 2 ? openStreams(r, acc.requests) : undefined
  r.done()
  const zero = new Uint8Array(32)
  const done = { ...s, phase: 12, subIndex: 0, frameHash: zero, frameStackHash: zero }
  if (acc.cumulativeGas > env.gasLimit || acc.blobGasUsed > maxBlobGas(s.forkId)) return { ...done, phase: INVALID }
  if (streams === undefined) return done
  return { ...done, blockAccHash: keccak(writeBlockAcc({ ...acc, requests: requestsHash(streams) })) }
}
