/**
 * The generator's half of SPEC.md §5 for `opcode` steps: at the moment an opcode is about to run,
 * the items its witness holds, taken from the tracer's live structures and ethereumjs's tries, in
 * the order the checker reads them.
 */
import { createMerkleProof, type MerklePatriciaTrie } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import type { Account, Address } from '@ethereumjs/util'
import { type BytesView, type ChunkedBytes, viewBytes } from '../commit/bytes-tree.ts'
import type { CodeTree } from '../commit/code-tree.ts'
import { concat, uint } from '../commit/hash.ts'
import type { IndexedMap } from '../commit/indexed-map.ts'
import type { SparseMerkleTree } from '../commit/merkle.ts'
import type { StackChain } from '../commit/stack.ts'
import { ARITHMETIC_WITNESSES } from './opcode/arithmetic.ts'
import { CALL_WITNESSES } from './opcode/calls.ts'
import { COMPARISON_WITNESSES } from './opcode/comparison.ts'
import { CONTROL_WITNESSES } from './opcode/control.ts'
import { ENVIRONMENT_WITNESSES } from './opcode/environment.ts'
import { KECCAK_WITNESSES } from './opcode/keccak.ts'
import { LOG_WITNESSES } from './opcode/logs.ts'
import { MEMORY_WITNESSES } from './opcode/memory.ts'
import { SELFDESTRUCT_WITNESSES } from './opcode/selfdestruct.ts'
import { STACK_WITNESSES } from './opcode/stack.ts'
import { STORAGE_WITNESSES } from './opcode/storage.ts'
import { codeChunks, type OpcodeWitness, witnessStep } from './opcode/witness-step.ts'
import type { TxLogs } from './tx-logs.ts'

/** One step's witness (SPEC.md §5): what the checker is given besides the pre-commitment. */
export interface StepWitness {
  step: number
  kind: string
  opcode?: number
  pre: Uint8Array
  post: Uint8Array
  stateData: Uint8Array
  /** The post-state's stateData (not part of the witness: what the checker's result is compared with). */
  postStateData: Uint8Array
  proof: Uint8Array[]
  /** Code the step reads through the CodeOracle (posted before the step, as Cannon posts preimages). */
  codes: Uint8Array[]
  /** Byte strings the step reads through the BytesOracle (trie leaves longer than POSTED_LEAF_BYTES, posted before the step). */
  bytes?: Uint8Array[]
}

/** The live structures an opcode's witness is cut from. */
export interface OpcodeSources {
  opcode: number
  fork: number
  frameData: Uint8Array
  frame: {
    code: CodeTree
    stack: StackChain
    memory: ChunkedBytes
    memoryWords: number
    calldata: BytesView
    returnData: BytesView
    address: Uint8Array
    isStatic: boolean
    depth: number
    pc: number
    gas: bigint
    progress?: number
    /** The Keccak-f state of a hash under way (SPEC.md §6.1). */
    spongeState?: Uint8Array
  }
  /** The stack, bottom first. */
  stack: readonly bigint[]
  blockEnv: Uint8Array
  txEnv: Uint8Array
  blobHashes: Uint8Array
  blockNumber: bigint
  blockHashes: SparseMerkleTree
  access: IndexedMap
  transient: IndexedMap
  touched: IndexedMap
  created: IndexedMap
  selfdestructs: IndexedMap
  substate: Uint8Array
  /** The transaction's logs: the sub-state's tree, bloom and request streams (a LOG writes into them). */
  logs: TxLogs
  sm: { getCode(a: Address): Promise<Uint8Array>; getAccount(a: Address): Promise<Account | undefined> }
  txStartRoot: Uint8Array
}

/** Stack items each opcode reads (DUP and SWAP included); undefined for undefined opcodes. */
function reads(op: number, fork: number): number | undefined {
  if (op >= 0x60 && op <= 0x7f) return 0
  if (op >= 0x80 && op <= 0x8f) return op - 0x7f
  if (op >= 0x90 && op <= 0x9f) return op - 0x8e
  if (op >= 0xa0 && op <= 0xa4) return 2 + op - 0xa0
  if ((op === 0x49 || op === 0x4a || (op >= 0x5c && op <= 0x5e)) && fork < 1) return undefined
  if (op === 0x1e && fork < 3) return undefined
  return READS[op]
}
const READS: Record<number, number> = {
  0: 0,
  ...Object.fromEntries([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x0a, 0x0b].map((o) => [o, 2])),
  8: 3,
  9: 3,
  ...Object.fromEntries([0x10, 0x11, 0x12, 0x13, 0x14, 0x16, 0x17, 0x18, 0x1a, 0x1b, 0x1c, 0x1d, 0x20].map((o) => [o, 2])),
  21: 1,
  25: 1,
  30: 1,
  ...Object.fromEntries(
    [0x30, 0x32, 0x33, 0x34, 0x36, 0x38, 0x3a, 0x3d, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x4a].map((o) => [o, 0]),
  ),
  ...Object.fromEntries([0x31, 0x35, 0x3b, 0x3f, 0x40, 0x49, 0x50, 0x51, 0x54, 0x56, 0x5c].map((o) => [o, 1])),
  55: 3,
  57: 3,
  62: 3,
  94: 3,
  60: 4,
  82: 2,
  83: 2,
  85: 2,
  87: 2,
  93: 2,
  ...Object.fromEntries([0x58, 0x59, 0x5a, 0x5b, 0x5f].map((o) => [o, 0])),
  // RETURN, REVERT, CREATE, CREATE2, CALL, CALLCODE, DELEGATECALL, STATICCALL, SELFDESTRUCT
  243: 2,
  253: 2,
  240: 3,
  245: 4,
  241: 7,
  242: 7,
  244: 6,
  250: 6,
  255: 1,
}
/** Defined opcodes (besides DUP and SWAP) that push nothing; the others push one word. */
const PUSH_NOTHING = new Set([
  0xff, 0xf1, 0xf2, 0xf4, 0xfa, 0xf0, 0xf5, 0x00, 0x37, 0x39, 0x3c, 0x3e, 0x50, 0x52, 0x53, 0x55, 0x56, 0x57, 0x5b, 0x5d, 0x5e, 0xa0, 0xa1,
  0xa2, 0xa3, 0xa4, 0xf3, 0xfd,
])

import { COPY_CHUNK, viewItems } from './witness-parts.ts'

/** EIP-170's limit on deployed code (the checker's MAX_CODE_SIZE, written apart). */
const MAX_CODE_SIZE = 24576

/**
 * Each opcode's own items, after the common prefix, from its class's file under opcode/ (the checker's
 * src/check/opcode/ has the same files).
 */
const OWN_WITNESSES: Record<number, OpcodeWitness> = {}
for (const table of [
  ARITHMETIC_WITNESSES,
  COMPARISON_WITNESSES,
  KECCAK_WITNESSES,
  ENVIRONMENT_WITNESSES,
  STACK_WITNESSES,
  MEMORY_WITNESSES,
  STORAGE_WITNESSES,
  CONTROL_WITNESSES,
  LOG_WITNESSES,
  CALL_WITNESSES,
  SELFDESTRUCT_WITNESSES,
])
  for (const [key, witness] of Object.entries(table)) {
    if (Number(key) in OWN_WITNESSES) throw new Error(`two opcode classes give opcode ${key} a witness`)
    OWN_WITNESSES[Number(key)] = witness
  }

/** The items of an opcode step's witness; also the codes it reads through the CodeOracle. */
export async function opcodeWitness(src: OpcodeSources): Promise<{ proof: Uint8Array[]; codes: Uint8Array[] }> {
  const { frame: f, opcode: op } = src
  const proof: Uint8Array[] = [src.frameData]
  const codes: Uint8Array[] = []
  if (f.pc < f.code.code.length) proof.push(...codeChunks(f.code, f.pc >> 5, f.pc >> 5))
  const n = reads(op, src.fork)
  if (n === undefined) return { proof, codes }
  const size = src.stack.length
  const pushes = op >= 0x80 && op <= 0x8f ? n + 1 : op >= 0x90 && op <= 0x9f ? n : PUSH_NOTHING.has(op) ? 0 : 1
  if (size < n || size - n + pushes > 1024) return { proof, codes }
  const opened = f.stack.open(n)
  proof.push(concat([...opened.items.map((v) => uint(v)), opened.below]))
  await OWN_WITNESSES[op]?.(witnessStep(src, proof, codes, opened.items))
  return { proof, codes }
}

/**
 * The items of a `frame-exit` step's witness (SPEC.md §5.2): the halted frame, the suspended caller
 * (for a transaction's or system call's frame only its revert point), the output copied or deposited.
 */
export async function frameExitWitness(src: {
  childData: Uint8Array
  child: {
    kind: number
    status: number
    gas: bigint
    output: BytesView
    retOffset: number
    retSize: number
    address: Uint8Array
    /** Bytes of the output the exit's earlier steps copied (SPEC.md §6.1). */
    progress?: number
  }
  /** The world-state trie at the step's pre-state root (a create's code is stored against it). */
  stateAt: () => MerklePatriciaTrie
  /** The suspension the frame's entry pushed; a depth-0 frame's has an empty parent. */
  suspension: { parent: Uint8Array; revertPre: Uint8Array; below: Uint8Array } | undefined
  callerMemory?: ChunkedBytes
}): Promise<Uint8Array[]> {
  const { child, suspension } = src
  if (suspension === undefined) throw new Error('a frame exits with no suspension on the frame stack')
  const depth0 = suspension.parent.length === 0
  const proof = [src.childData, depth0 ? suspension.revertPre : concat([suspension.parent, suspension.revertPre, suspension.below])]
  const size = child.output.size
  if (child.kind === 4 || child.kind === 5) {
    // A create that returned code it can store (EIP-170, 200 gas a byte): the code, then, unless it
    // starts with 0xEF (EIP-3541), the new account's proof to store it in.
    if (child.status === 1 && size > 0 && size <= MAX_CODE_SIZE && child.gas >= 200n * BigInt(size)) {
      proof.push(...viewItems(child.output, 0n, BigInt(size)))
      if (viewBytes(child.output)[0] !== 0xef) proof.push(RLP.encode(await createMerkleProof(src.stateAt(), child.address)))
    }
    return proof
  }
  const n = child.status === 3 ? 0 : Math.min(size, child.retSize)
  if (depth0 || n === 0) return proof
  const memory = src.callerMemory
  if (memory === undefined) throw new Error('a call frame exits with no caller memory')
  // This step's part of the copy into the caller's memory: the next COPY_CHUNK bytes.
  const done = child.progress ?? 0
  const part = Math.min(n - done, COPY_CHUNK)
  proof.push(...viewItems(child.output, BigInt(done), BigInt(part)))
  const at = child.retOffset + done
  const m = memory.range(at >> 5, (at + part - 1) >> 5)
  proof.push(m.leaves, concat(m.siblings))
  return proof
}
