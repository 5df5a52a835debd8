/**
 * The block's end (SPEC.md §4, phases 9–11; the checker's side is src/check/block-end.ts): the
 * withdrawals one at a time, from Prague on the EIP-7002 and EIP-7251 system calls, then
 * block-finalize, which closes the accumulators (the requests hash from Prague on).
 */
import { createMerkleProof } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import { createAccountFromRLP, hexToBytes } from '@ethereumjs/util'
import { sha256 } from '@noble/hashes/sha2.js'
import { viewBytes } from '../commit/bytes-tree.ts'
import { concat, equalBytes, ZERO32 } from '../commit/hash.ts'
import { mapKey } from './keys.ts'
import { afterWithdrawals, listEndItems } from './list-ends.ts'
import { PHASE, PRAGUE, STATUS, TAG } from './phases.ts'
import { accountNodes, credit, type Frame, SYSTEM_ADDRESS, type Tracing } from './state.ts'
import { viewItems, writeNodes } from './witness-parts.ts'

/** The EIP-7002 and EIP-7251 request contracts the system calls run, in order. */
export const SYSTEM_CONTRACTS: readonly Uint8Array[] = [
  hexToBytes('0x00000961ef480eb55e80d19ad83579a64c007002'),
  hexToBytes('0x0000bbddc7ce488642fb579f8b00f3a590007251'),
]

/**
 * The withdrawal steps (SPEC.md §4), one at a time on a copy of the trie: ethereumjs credits them
 * all at once, so its root checks the last. Done once, whichever event reaches the block's end first.
 */
export async function emitWithdrawals(t: Tracing): Promise<void> {
  if (t.withdrawalsDone) return
  t.withdrawalsDone = true
  const list = t.block.withdrawals ?? []
  if (list.length === 0) return
  const trie = t.stateTrie()
  for (const [i, w] of list.entries()) {
    // execution-specs credits every withdrawal and then destroys the recipient if it exists and is
    // empty: a zero withdrawal deletes an existing empty account (ethereumjs skips zero amounts).
    const raw = await trie.get(w.address.bytes)
    const deletes = w.amount === 0n && raw !== null && createAccountFromRLP(raw).isEmpty()
    await t.cutWitness('withdrawal', async () => ({
      codes: [],
      proof: [
        t.blockEnv,
        RLP.encode(w.raw()),
        RLP.encode(await createMerkleProof(await t.withdrawalsTrie(), RLP.encode(i))),
        RLP.encode(deletes ? await writeNodes(trie, w.address.bytes, undefined) : await createMerkleProof(trie, w.address.bytes)),
        ...(await listEndItems(t, undefined, i + 1)).items,
      ],
    }))
    if (w.amount > 0n) await credit(trie, w.address.bytes, w.amount * 1_000_000_000n)
    else if (deletes) await trie.del(w.address.bytes)
    t.stateRoot = trie.root()
    t.stateDirty = false
    t.subIndex = i + 1 < list.length ? i + 1 : 0
    t.phase = i + 1 < list.length ? PHASE.WITHDRAWAL : afterWithdrawals(t)
    await t.step('withdrawal')
  }
  // ethereumjs has credited them all; from Prague on it has also bumped the system address's nonce
  // for the first system call (and undoes it after), so its root is compared only after a Shanghai
  // or Cancun block: here, every credited account must be ethereumjs's.
  for (const w of list) {
    const theirs = (await t.sm.getAccount(w.address))?.serialize() ?? null
    const ours = await trie.get(w.address.bytes)
    if ((theirs === null) !== (ours === null) || (theirs !== null && ours !== null && !equalBytes(theirs, ours)))
      throw t.diverged(`the withdrawal to ${w.address.toString()} leaves another account`, { expected: theirs, actual: ours })
  }
  if (t.forkId < PRAGUE) {
    const theirs = await t.sm.getStateRoot()
    if (!equalBytes(theirs, t.stateRoot))
      throw t.diverged('the withdrawal steps reach another state root', { expected: theirs, actual: t.stateRoot })
  }
}

/**
 * system-call's witness (SPEC.md §5.6): the state trie's nodes on the system address's and the
 * contract's paths, the contract's access-map item (+ insert); its code through the CodeOracle.
 */
export async function cutSystemCall(t: Tracing, contract: Uint8Array): Promise<void> {
  await t.cutWitness('system-call', async () => {
    const trie = t.stateTrie()
    const code = await t.codeAt(trie, contract)
    return {
      codes: code.length > 0 ? [code] : [],
      proof: [
        RLP.encode(await accountNodes(trie, [SYSTEM_ADDRESS, contract])),
        ...t.access.witness(mapKey(TAG.WARM_ADDRESS, contract), true),
      ],
    }
  })
}

/**
 * A request contract without code where the block's end calls it (SPEC.md §4: execution-specs'
 * checked system call makes the block invalid; ethereumjs 10.1.3 skips the call and accepts it):
 * the system-call step reads what any system call reads, and ends in INVALID.
 */
export async function missingSystemContract(t: Tracing): Promise<string> {
  const contract = SYSTEM_CONTRACTS[t.subIndex]
  if (contract === undefined) throw new Error(`${t.trace.id}: there is no system call ${t.subIndex}`)
  await t.syncStateRoot()
  await cutSystemCall(t, contract)
  t.phase = PHASE.INVALID
  await t.step('system-call')
  return `the ${t.subIndex === 0 ? 'EIP-7002' : 'EIP-7251'} request contract has no code, which makes the block invalid`
}

/**
 * A system call's exit reads more than a call's (SPEC.md §5.6): blockAcc, the whole output when the
 * call returned, the system address's path in the state the exit leaves (reverted if it failed), and
 * the request streams when there is output to absorb.
 */
export async function extendSystemExit(t: Tracing, f: Frame, status: number): Promise<void> {
  const w = t.witnesses[t.witnesses.length - 1]
  if (w === undefined || w.step !== t.steps.length) return
  const proof = [...w.proof, t.blockAccBytes()]
  if (status === STATUS.RETURNED) proof.push(...viewItems(f.output, 0n, BigInt(f.output.size)))
  // The state the exit leaves before the un-bump: as the frame left it, or its revert point's.
  const revertRoot = (t.suspendedParts[t.suspendedParts.length - 1] as { revertPre: Uint8Array }).revertPre.subarray(0, 32)
  const trie = t.stateTrie(status === STATUS.RETURNED ? t.stateRoot : revertRoot)
  const raw = await trie.get(SYSTEM_ADDRESS)
  const system = raw === null ? undefined : createAccountFromRLP(raw)
  if (system !== undefined) system.nonce -= 1n
  // The un-bump may delete the account: the nodes of that deletion (a branch's collapse).
  proof.push(RLP.encode(await writeNodes(trie, SYSTEM_ADDRESS, system === undefined || system.isEmpty() ? undefined : system.serialize())))
  // The type's stream, which the output is absorbed into (not yet: systemCallExit folds it).
  if (f.output.size > 0) proof.push(t.requestStreams.bytes())
  w.proof = proof
}

/**
 * After a system call's frame exit: undoes ethereumjs's bump of the system address's nonce, folds
 * the call's output into the block's requests, and goes to the next call (two, from Prague on) or the end.
 */
export async function systemCallExit(t: Tracing, f: Frame, status: number, revertPre: Uint8Array | undefined): Promise<void> {
  const theirs = await t.sm.getStateRoot()
  const expected = status === STATUS.RETURNED ? t.stateRoot : (revertPre ?? ZERO32).subarray(0, 32)
  if (!equalBytes(theirs, expected)) throw t.diverged('a system call exits at another state root', { expected: theirs, actual: expected })
  const trie = t.stateTrie(theirs)
  const raw = await trie.get(SYSTEM_ADDRESS)
  if (raw !== null) {
    const system = createAccountFromRLP(raw)
    system.nonce -= 1n
    if (system.isEmpty()) await trie.del(SYSTEM_ADDRESS)
    else await trie.put(SYSTEM_ADDRESS, system.serialize())
  }
  t.stateRoot = trie.root()
  t.stateDirty = false
  t.foldRequest(concat([Uint8Array.of(t.subIndex + 1), status === STATUS.RETURNED ? viewBytes(f.output) : new Uint8Array()]))
  t.subIndex = t.subIndex + 1 < SYSTEM_CONTRACTS.length ? t.subIndex + 1 : 0
  t.phase = t.subIndex === 0 ? PHASE.BLOCK_FINALIZE : PHASE.SYSTEM_CALL
}

/** block-finalize (SPEC.md §4); what the steps built must be what ethereumjs computed at once, when it did. */
export async function finalize(
  t: Tracing,
  expected: { stateRoot: Uint8Array; logsBloom: Uint8Array; requestsHash?: Uint8Array } | undefined,
): Promise<void> {
  if (t.phase !== PHASE.BLOCK_FINALIZE) throw new Error(`${t.trace.id}: the block ends in phase ${t.phase}, not BLOCK_FINALIZE`)
  if (t.stateDirty || (expected !== undefined && !equalBytes(t.stateRoot, expected.stateRoot)))
    throw t.diverged('the steps end at another state root', { expected: expected?.stateRoot, actual: t.stateRoot })
  if (expected !== undefined && !equalBytes(t.bloom, expected.logsBloom)) throw t.diverged('the steps end with another bloom')
  const streams = t.forkId >= PRAGUE ? [t.requestStreams.bytes()] : []
  await t.cutWitness('block-finalize', async () => ({ codes: [], proof: [t.blockEnv, t.blockAccBytes(), ...streams] }))
  if (t.forkId >= PRAGUE) {
    t.requestsWord = requestsHash(t.requestItems)
    if (expected !== undefined && (expected.requestsHash === undefined || !equalBytes(t.requestsWord, expected.requestsHash)))
      throw t.diverged("the steps' requests hash is another", { expected: expected.requestsHash, actual: t.requestsWord })
  }
  t.phase = PHASE.DONE
  t.subIndex = 0
  t.kept = undefined
  await t.step('block-finalize')
}

/** EIP-7685: sha256 over the sha256 of each request type's items (`type ‖ data…`), types with no data left out. */
function requestsHash(items: readonly Uint8Array[]): Uint8Array {
  const byType = new Map<number, Uint8Array[]>()
  for (const item of items) {
    const data = item.subarray(1)
    if (data.length > 0) byType.set(item[0] as number, [...(byType.get(item[0] as number) ?? []), data])
  }
  const types = [...byType.keys()].sort((a, b) => a - b)
  return sha256(concat(types.map((type) => sha256(concat([Uint8Array.of(type), ...(byType.get(type) as Uint8Array[])])))))
}
