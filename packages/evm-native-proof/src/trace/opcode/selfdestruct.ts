/**
 * SELFDESTRUCT's items: the executing account and the beneficiary in the world state, the sub-state
 * with the account's self-destruct entry, the beneficiary's touched entry when it is empty and gets
 * nothing (EIP-161), and (from Cancun, EIP-6780) the account's created entry; the checker's side is
 * src/check/opcode/selfdestruct.ts.
 */
import { createMerkleProof } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import { Address, bytesToHex } from '@ethereumjs/util'
import { uint } from '../../commit/hash.ts'
import { mapKey } from '../keys.ts'
import type { OpcodeWitness } from './witness-step.ts'

export const SELFDESTRUCT_WITNESSES: Record<number, OpcodeWitness> = {
  // 0xff SELFDESTRUCT
  255: async ({ src, proof, a, warm, stateTrie }) => {
    const f = src.frame
    if (f.isStatic) return
    const to = uint(a(0) & ((1n << 160n) - 1n), 20)
    warm(mapKey(1, to))
    const trie = await stateTrie()
    const nodes = new Map<string, Uint8Array>()
    for (const at of [f.address, to]) for (const node of await createMerkleProof(trie, at)) nodes.set(bytesToHex(node), node)
    proof.push(RLP.encode([...nodes.values()]))
    proof.push(src.substate, ...src.selfdestructs.witness(mapKey(4, f.address), true))
    const self = await src.sm.getAccount(new Address(f.address))
    const beneficiary = await src.sm.getAccount(new Address(to))
    const toSelf = bytesToHex(to) === bytesToHex(f.address)
    if (!toSelf && (beneficiary === undefined || beneficiary.isEmpty()) && (self?.balance ?? 0n) === 0n)
      proof.push(...src.touched.witness(mapKey(6, to), true))
    if (src.fork >= 1) proof.push(...src.created.witness(mapKey(5, f.address)))
  },
}
