/**
 * block-start (SPEC.md §4, phase 0; the checker's side is src/check/block-start.ts): the header
 * against its parent's, then EIP-4788's beacon root and EIP-2935's parent hash into their contracts'
 * storage (when they have code), computed on a copy of the trie (ethereumjs does the same writes; its
 * root checks ours where it is next read). A header that breaks a rule ends the proof in INVALID.
 */
import { createMerkleProof, type MerklePatriciaTrie } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import { Address, bytesToHex, createAccountFromRLP, hexToBytes, KECCAK256_NULL } from '@ethereumjs/util'
import { equalBytes, uint } from '../commit/hash.ts'
import { blockHashSteps } from './block-hashes.ts'
import { storageTrieAt } from './ethereumjs.ts'
import { CANCUN, PHASE, PRAGUE } from './phases.ts'
import { accountNodes, type Tracing } from './state.ts'

/** The EIP-4788 and EIP-2935 system contracts. */
const BEACON_ROOTS = hexToBytes('0x000f3df6d732807ef1319fb7b8bb8522d0beac02')
const HISTORY_STORAGE = hexToBytes('0x0000f90827f1c53a10cb7a02335b175320002935')

/** block-start and the block-hashes steps after it; returns why the header is refused, if it is. */
export async function blockStart(t: Tracing): Promise<string | undefined> {
  const { block, loaded } = t
  const rejected = await headerRejection(t)
  if (rejected !== undefined) {
    // The header breaks a rule against its parent's: the two headers are the whole witness, and
    // the state stays the initial one (naming the block by its hash) but for the phase.
    await t.cutWitness('block-start', async () => ({ proof: [block.header.serialize(), loaded.parent.header.serialize()], codes: [] }))
    t.phase = PHASE.INVALID
    await t.step('block-start')
    return rejected
  }
  const writes = systemWrites(t)
  await t.cutWitness('block-start', async () => {
    const trie = t.stateTrie()
    const proof = [
      block.header.serialize(),
      loaded.parent.header.serialize(),
      RLP.encode(
        await accountNodes(
          trie,
          writes.map((w) => w.address),
        ),
      ),
    ]
    for (const w of writes) {
      const storage = await storageAt(t, trie, w.address)
      if (storage === undefined) continue
      const nodes = new Map<string, Uint8Array>()
      for (const [slot] of w.slots) for (const n of await createMerkleProof(storage, slot)) nodes.set(bytesToHex(n), n)
      proof.push(RLP.encode([...nodes.values()]))
    }
    return { proof, codes: [] }
  })
  t.headerBound = true
  t.setBoundHashes([
    [255, t.blockHashes.leaf(255)],
    [254, t.blockHashes.leaf(254)],
  ])
  const trie = t.stateTrie()
  for (const w of writes) {
    const storage = await storageAt(t, trie, w.address)
    if (storage === undefined) continue
    for (const [slot, value] of w.slots) {
      const v = value.subarray(value.findIndex((b) => b !== 0) < 0 ? value.length : value.findIndex((b) => b !== 0))
      if (v.length === 0) await storage.del(slot)
      else await storage.put(slot, RLP.encode(v))
    }
    const account = createAccountFromRLP((await trie.get(w.address)) as Uint8Array)
    account.storageRoot = storage.root()
    await trie.put(w.address, account.serialize())
  }
  t.stateRoot = trie.root()
  t.stateDirty = false
  t.phase = PHASE.BLOCK_HASHES
  t.subIndex = 0
  await t.step('block-start')
  await blockHashSteps(t)
  return undefined
}

/** Why ethereumjs refuses the header against its parent's (its own rules: number, time, gas limit, base fee, blob gas), if it does. */
async function headerRejection(t: Tracing): Promise<string | undefined> {
  try {
    await t.loaded.blockchain.validateHeader(t.block.header)
    return undefined
  } catch (e) {
    return (e as Error).message
  }
}

/** The block-start writes of the fork: (contract, [slot, value] pairs). */
function systemWrites(t: Tracing): { address: Uint8Array; slots: [Uint8Array, Uint8Array][] }[] {
  const h = t.block.header
  const out: { address: Uint8Array; slots: [Uint8Array, Uint8Array][] }[] = []
  if (t.forkId >= CANCUN) {
    const i = h.timestamp % 8191n
    out.push({
      address: BEACON_ROOTS,
      slots: [
        [uint(i), uint(h.timestamp)],
        [uint(i + 8191n), h.parentBeaconBlockRoot as Uint8Array],
      ],
    })
  }
  if (t.forkId >= PRAGUE) out.push({ address: HISTORY_STORAGE, slots: [[uint((h.number - 1n) % 8191n), h.parentHash]] })
  return out
}

/** A copy of an account's storage trie, or undefined when the account has no code (SPEC.md: the write is skipped). */
async function storageAt(t: Tracing, trie: MerklePatriciaTrie, address: Uint8Array): Promise<MerklePatriciaTrie | undefined> {
  const raw = await trie.get(address)
  if (raw === null) return undefined
  const account = createAccountFromRLP(raw)
  if (equalBytes(account.codeHash, KECCAK256_NULL)) return undefined
  return storageTrieAt(t.sm, new Address(address), account, account.storageRoot)
}
