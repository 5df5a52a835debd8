/**
 * The storage opcodes' items (SLOAD, SSTORE, TLOAD, TSTORE): the slot's access-map entry, the
 * executing account and the slot in the world state (for SSTORE also at the transaction's start, for
 * its gas), or the slot's transient-map entry; the checker's side is src/check/opcode/storage.ts.
 */
import { createMerkleProof, type MerklePatriciaTrie } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import { Account, createAccountFromRLP } from '@ethereumjs/util'
import { toBigInt, uint } from '../../commit/hash.ts'
import { mapKey } from '../keys.ts'
import { writeNodes } from '../witness-parts.ts'
import type { OpcodeWitness } from './witness-step.ts'

export const STORAGE_WITNESSES: Record<number, OpcodeWitness> = {
  // 0x54 SLOAD
  84: async ({ src: { frame: f }, proof, a, warm, stateTrie, storageTrie, accountAt }) => {
    warm(mapKey(2, f.address, uint(a(0))))
    const trie = await stateTrie()
    const account = await accountAt(trie, f.address)
    proof.push(RLP.encode(await createMerkleProof(storageTrie(account), uint(a(0)))))
  },
  // 0x55 SSTORE
  85: async ({ src, proof, a, warm, stateTrie, storageTrie, accountAt }) => {
    const f = src.frame
    warm(mapKey(2, f.address, uint(a(0))))
    const [slot, value] = [uint(a(0)), a(1)]
    const trie = await stateTrie()
    const before = await trie.get(f.address)
    const account = before === null ? undefined : createAccountFromRLP(before)
    const storage = storageTrie(account)
    const current = await storage.get(slot)
    const changes = (current === null ? 0n : toBigInt(RLP.decode(current) as Uint8Array)) !== value
    const stored = value === 0n ? undefined : RLP.encode(uint(value).subarray(uint(value).findIndex((b) => b !== 0)))
    const storageNodes = changes ? await writeNodes(storage, slot, stored) : await createMerkleProof(storage, slot)
    await accountAt(trie, f.address, changes ? async (acct) => newStorageAccount(acct, storage, slot, stored) : undefined)
    proof.push(RLP.encode(storageNodes))
    const start = trie.shallowCopy(true)
    start.root(src.txStartRoot)
    const startAccount = await accountAt(start, f.address)
    proof.push(RLP.encode(await createMerkleProof(storageTrie(startAccount), slot)))
    proof.push(src.substate)
  },
  // 0x5c TLOAD
  92: ({ src, proof, a }) => {
    proof.push(...src.transient.witness(mapKey(3, src.frame.address, uint(a(0)))))
  },
  // 0x5d TSTORE
  93: ({ src, proof, a }) => {
    proof.push(...src.transient.witness(mapKey(3, src.frame.address, uint(a(0))), true))
  },
}

/** The account after writing `value` at `slot` of its storage (the storage root recomputed on a copy). */
async function newStorageAccount(
  acct: Account,
  storage: MerklePatriciaTrie,
  slot: Uint8Array,
  value: Uint8Array | undefined,
): Promise<Uint8Array> {
  const copy = storage.shallowCopy(true)
  copy.checkpoint()
  if (value === undefined) await copy.del(slot)
  else await copy.put(slot, value)
  const root = copy.root()
  await copy.revert()
  return new Account(acct.nonce, acct.balance, root, acct.codeHash).serialize()
}
