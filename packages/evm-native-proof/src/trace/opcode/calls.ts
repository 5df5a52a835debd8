/**
 * The items of the opcodes that enter a frame (CALL, CALLCODE, DELEGATECALL, STATICCALL, CREATE,
 * CREATE2): the accounts the entry reads or writes in one node set, the codes it runs, and the
 * access-map, touched and created entries it changes; the checker's side is src/check/opcode/calls.ts.
 */
import { createMerkleProof } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import { type Account, Address, bigIntToBytes, bytesToHex, generateAddress, generateAddress2 } from '@ethereumjs/util'
import { uint } from '../../commit/hash.ts'
import { mapKey } from '../keys.ts'
import { collides } from '../witness-parts.ts'
import type { OpcodeWitness } from './witness-step.ts'

/** CREATE, CREATE2: the initcode's memory, the creator and the new address, then the created account's entry. */
const create: OpcodeWitness = async ({ src, proof, a, memory, warm, stateTrie }) => {
  const { frame: f, opcode: op, sm } = src
  const [value, offset, len] = [a(0), a(1), a(2)]
  if (f.isStatic || len > 49152n) return
  memory([offset, len])
  const initcode = new Uint8Array(Number(len))
  if (len > 0n) initcode.set(f.memory.bytes.subarray(Number(offset), Number(offset + len)))
  const creator = (await sm.getAccount(new Address(f.address))) as Account
  const created =
    op === 0xf5
      ? generateAddress2(f.address, uint(a(3)), initcode)
      : generateAddress(f.address, creator.nonce === 0n ? new Uint8Array() : bigIntToBytes(creator.nonce))
  const trie = await stateTrie()
  const nodes = new Map<string, Uint8Array>()
  for (const at of [f.address, created]) for (const node of await createMerkleProof(trie, at)) nodes.set(bytesToHex(node), node)
  proof.push(RLP.encode([...nodes.values()]))
  // Warmed only after the fail-fast checks (execution-specs' generic_create).
  if (f.depth >= 1024 || value > creator.balance || creator.nonce >= 2n ** 64n - 1n) return
  warm(mapKey(1, created))
  // A collision (EIP-684, EIP-7610) enters the child already failed: nothing is created.
  if (collides(await sm.getAccount(new Address(created)))) return
  proof.push(src.substate, ...src.created.witness(mapKey(5, created), true))
}

/** CALL, CALLCODE, DELEGATECALL, STATICCALL: the target (and its EIP-7702 delegate), the caller, their codes, then a touched entry. */
const call: OpcodeWitness = async ({ src, proof, codes, a, warm, stateTrie }) => {
  const { frame: f, opcode: op, sm } = src
  const hasValue = op === 0xf1 || op === 0xf2
  const value = hasValue ? a(2) : 0n
  if (op === 0xf1 && f.isStatic && value !== 0n) return
  const target = uint(a(1) & ((1n << 160n) - 1n), 20)
  // The delegate's entry (below) is read from the map with the target already warm.
  const mark = src.access.mark()
  warm(mapKey(1, target))
  src.access.set(mapKey(1, target), 1n)
  // One node set for every account the call reads or writes: target, delegate, caller.
  const trie = await stateTrie()
  const targetCode = await sm.getCode(new Address(target))
  const delegate =
    src.fork >= 2 && targetCode.length === 23 && targetCode[0] === 0xef && targetCode[1] === 0x01 && targetCode[2] === 0x00
      ? targetCode.slice(3)
      : undefined
  const nodes = new Map<string, Uint8Array>()
  for (const at of [target, f.address, ...(delegate === undefined ? [] : [delegate])])
    for (const node of await createMerkleProof(trie, at)) nodes.set(bytesToHex(node), node)
  proof.push(RLP.encode([...nodes.values()]))
  if (targetCode.length > 0) codes.push(targetCode)
  if (delegate !== undefined) {
    warm(mapKey(1, delegate))
    const code = await sm.getCode(new Address(delegate))
    if (code.length > 0) codes.push(code)
  }
  src.access.revert(mark)
  const callerAccount = await sm.getAccount(new Address(f.address))
  // The input is not read: the child's calldata is a view of this memory (SPEC.md §2.3).
  if (f.depth >= 1024 || (hasValue && value > (callerAccount?.balance ?? 0n))) return
  const context = op === 0xf1 || op === 0xfa ? target : f.address
  if (op !== 0xf4) {
    const before = await sm.getAccount(new Address(context))
    const emptyAfter = (before === undefined || before.isEmpty()) && (context === f.address || value === 0n)
    if (emptyAfter) proof.push(src.substate, ...src.touched.witness(mapKey(6, context), true))
  }
}

export const CALL_WITNESSES: Record<number, OpcodeWitness> = {
  240: create, // 0xf0 CREATE
  245: create, // 0xf5 CREATE2
  241: call, // 0xf1 CALL
  242: call, // 0xf2 CALLCODE
  244: call, // 0xf4 DELEGATECALL
  250: call, // 0xfa STATICCALL
}
