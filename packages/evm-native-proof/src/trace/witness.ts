/**
 * The generator's half of SPEC.md §5 for `opcode` steps: at the moment an opcode is about to run,
 * the items its witness holds, taken from the tracer's live structures and ethereumjs's tries, in
 * the order the checker reads them.
 */
import { createMerkleProof, createMPT, type MerklePatriciaTrie } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import {
  Account,
  Address,
  bigIntToBytes,
  bytesToHex,
  createAccountFromRLP,
  equalsBytes,
  generateAddress,
  generateAddress2,
  KECCAK256_NULL,
  KECCAK256_RLP,
} from '@ethereumjs/util'
import { type BytesView, type ChunkedBytes, viewBytes, viewRange } from '../commit/bytes-tree.ts'
import { CodeTree } from '../commit/code-tree.ts'
import { concat, H, toBigInt, uint } from '../commit/hash.ts'
import type { IndexedMap } from '../commit/indexed-map.ts'
import type { SparseMerkleTree } from '../commit/merkle.ts'
import { KECCAK_CHUNK } from '../commit/sponge.ts'
import type { StackChain } from '../commit/stack.ts'
import { logHead } from './encoding.ts'
import { liveStateTrie, storageTrieAt } from './ethereumjs.ts'
import { mapKey } from './keys.ts'

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

/**
 * SPEC.md §6: the bytes one step of a copy moves; a longer copy goes on in more steps at the same pc
 * (the checker's COPY_CHUNK, written apart).
 */
export const COPY_CHUNK = 32 * 1024

/** The part `[from, from + n)` of a copy of `len` bytes that the step after `done` bytes moves (from the end for an MCOPY upwards). */
export function copyPart(len: bigint, done: number, backward: boolean): { from: bigint; n: bigint } {
  const left = len - BigInt(done)
  const n = left < BigInt(COPY_CHUNK) ? left : BigInt(COPY_CHUNK)
  return { from: backward ? left - n : BigInt(done), n }
}

/** EIP-170's limit on deployed code (the checker's MAX_CODE_SIZE, written apart). */
const MAX_CODE_SIZE = 24576

/** Largest byte range a witness can cover (T_24); a range past it makes the step run out of gas first. */
const TREE_BYTES = 32n * 2n ** 24n

/** The items of an opcode step's witness; also the codes it reads through the CodeOracle. */
export async function opcodeWitness(src: OpcodeSources): Promise<{ proof: Uint8Array[]; codes: Uint8Array[] }> {
  const { frame: f, opcode: op } = src
  const proof: Uint8Array[] = [src.frameData]
  const codes: Uint8Array[] = []
  const codeSize = f.code.code.length
  const codeItem = (tree: CodeTree, lo: number, hi: number) => {
    const r = tree.range(lo, hi)
    proof.push(r.leaves, concat(r.siblings))
  }
  if (f.pc < codeSize) codeItem(f.code, f.pc >> 5, f.pc >> 5)
  const n = reads(op, src.fork)
  if (n === undefined) return { proof, codes }
  const size = src.stack.length
  const pushes = op >= 0x80 && op <= 0x8f ? n + 1 : op >= 0x90 && op <= 0x9f ? n : PUSH_NOTHING.has(op) ? 0 : 1
  if (size < n || size - n + pushes > 1024) return { proof, codes }
  const opened = f.stack.open(n)
  proof.push(concat([...opened.items.map((v) => uint(v)), opened.below]))
  const a = (i: number) => opened.items[i] as bigint
  /** Bytes of a long copy the earlier steps moved (SPEC.md §6). */
  const done = f.progress ?? 0

  const memory = (...ranges: [bigint, bigint][]) => {
    const live = ranges.filter(([, len]) => len > 0n)
    if (live.length === 0 || live.some(([o, l]) => o + l > TREE_BYTES)) return
    // A range whose memory expansion alone costs more than the gas left is never read: the step
    // halts at the expansion, which comes first (a 256 MB range would otherwise be cut for nothing).
    const cost = (w: bigint) => 3n * w + (w * w) / 512n
    const words = live.reduce((w, [o, l]) => ((o + l + 31n) / 32n > w ? (o + l + 31n) / 32n : w), BigInt(f.memoryWords))
    if (cost(words) - cost(BigInt(f.memoryWords)) > f.gas) return
    let [first, last] = [(live[0] as [bigint, bigint])[0], 0n]
    for (const [o, l] of live) {
      if (o < first) first = o
      if (o + l - 1n > last) last = o + l - 1n
    }
    const [lo, hi] = [Number(first / 32n), Number(last / 32n)]
    const r = f.memory.range(lo, hi)
    proof.push(r.leaves, concat(r.siblings))
  }
  /** A range of a view (calldata, return data), as the checker's `readView` reads it. */
  const source = (v: BytesView, offset: bigint, len: bigint) => {
    if (len <= TREE_BYTES) proof.push(...viewItems(v, offset, len))
  }
  const codeSource = (tree: CodeTree, offset: bigint, len: bigint) => {
    const size = BigInt(tree.code.length)
    if (len === 0n || offset >= size || len > TREE_BYTES) return
    const end = offset + len < size ? offset + len : size
    codeItem(tree, Number(offset / 32n), Number((end - 1n) / 32n))
  }
  /**
   * The part [from, to) of a hash's `length` bytes this step absorbs, as the checker's `hashed` reads
   * it: all in one step when they fit KECCAK_CHUNK, else the next KECCAK_CHUNK, after the sponge's state.
   */
  const hashPart = (length: bigint): readonly [bigint, bigint] => {
    const chunk = BigInt(KECCAK_CHUNK)
    if (done === 0 && length <= chunk) return [0n, length]
    if (done > 0) proof.push(f.spongeState as Uint8Array)
    const from = BigInt(done)
    return [from, length - from <= chunk ? length : from + chunk]
  }
  const warm = (key: bigint) => proof.push(...src.access.witness(key, true))
  const sm = src.sm
  const stateTrie = () => liveStateTrie(sm)
  /** The storage trie of the executing account at the given root (ethereumjs's own instance holds its unflushed layers). */
  const storageTrie = (account: Account | undefined) =>
    storageTrieAt(sm, new Address(f.address), account, account?.storageRoot ?? H(RLP.encode(new Uint8Array())))
  const accountAt = async (trie: MerklePatriciaTrie, address: Uint8Array, write?: (a: Account) => Promise<Uint8Array>) => {
    const raw = await trie.get(address)
    const account = raw === null ? undefined : createAccountFromRLP(raw)
    const nodes =
      write === undefined || account === undefined
        ? await createMerkleProof(trie, address)
        : await writeNodes(trie, address, await write(account))
    proof.push(RLP.encode(nodes))
    return account
  }

  if (op >= 0x60 && op <= 0x7f) {
    const next = (f.pc >> 5) + 1
    if ((f.pc + op - 0x5f) >> 5 === next && next * 32 < codeSize) codeItem(f.code, next, next)
  } else if (op >= 0xa0 && op <= 0xa4) {
    const [offset, len] = [a(0), a(1)]
    const head = BigInt(
      logHead(
        f.address,
        opened.items.slice(2).map((v) => uint(v)),
        Number(len < TREE_BYTES ? len : 0n),
      ).length,
    )
    const part = head + len <= BigInt(KECCAK_CHUNK) && done === 0 ? ([head, head + len] as const) : hashPart(head + len)
    memory([offset + (part[0] > head ? part[0] - head : 0n), part[1] - (part[0] > head ? part[0] : head)])
    if (part[1] === head + len) proof.push(src.substate)
  } else
    switch (op) {
      case 0x20: {
        const [from, to] = hashPart(a(1))
        memory([a(0) + from, to - from])
        break
      }
      case 0x31:
      case 0x3b:
      case 0x3f:
      case 0x3c: {
        const target = uint(a(0) & ((1n << 160n) - 1n), 20)
        // A copy's later steps were charged (and warmed) by its first.
        if (done === 0) warm(mapKey(1, target))
        const account = await accountAt(await stateTrie(), target)
        const code = account?.isContract() ? await sm.getCode(new Address(target)) : undefined
        if ((op === 0x3b || op === 0x3c) && code !== undefined) codes.push(code)
        if (op === 0x3c) {
          const { from, n } = copyPart(a(3), done, false)
          if (code !== undefined) codeSource(new CodeTree(code), a(2) + from, n)
          memory([a(1) + from, n])
        }
        break
      }
      case 0x32:
      case 0x3a:
        proof.push(src.txEnv)
        break
      case 0x35:
        source(f.calldata, a(0), 32n)
        break
      case 0x37:
      case 0x39:
      case 0x3e: {
        const { from, n } = copyPart(a(2), done, false)
        if (op === 0x39) codeSource(f.code, a(1) + from, n)
        else source(op === 0x37 ? f.calldata : f.returnData, a(1) + from, n)
        memory([a(0) + from, n])
        break
      }
      case 0x40: {
        proof.push(src.blockEnv)
        const num = a(0)
        if (num < src.blockNumber && num + 256n >= src.blockNumber) {
          const i = Number(num + 256n - src.blockNumber)
          proof.push(src.blockHashes.leaf(i), concat(src.blockHashes.rangeProof(i, i)))
        }
        break
      }
      case 0x41:
      case 0x42:
      case 0x43:
      case 0x44:
      case 0x45:
      case 0x46:
      case 0x48:
      case 0x4a:
        proof.push(src.blockEnv)
        break
      case 0x47:
        await accountAt(await stateTrie(), f.address)
        break
      case 0x49:
        proof.push(src.txEnv)
        if (a(0) < BigInt(src.blobHashes.length / 32)) proof.push(src.blobHashes)
        break
      case 0x51:
        memory([a(0), 32n])
        break
      case 0x52:
        memory([a(0), 32n])
        break
      case 0x53:
        memory([a(0), 1n])
        break
      case 0x54: {
        warm(mapKey(2, f.address, uint(a(0))))
        const trie = await stateTrie()
        const account = await accountAt(trie, f.address)
        proof.push(RLP.encode(await createMerkleProof(storageTrie(account), uint(a(0)))))
        break
      }
      case 0x55: {
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
        break
      }
      case 0x56:
      case 0x57:
        if ((op === 0x56 || a(1) !== 0n) && a(0) < BigInt(codeSize)) codeItem(f.code, Number(a(0)) >> 5, Number(a(0)) >> 5)
        break
      case 0x5c:
        proof.push(...src.transient.witness(mapKey(3, f.address, uint(a(0)))))
        break
      case 0x5d:
        proof.push(...src.transient.witness(mapKey(3, f.address, uint(a(0))), true))
        break
      case 0x5e: {
        // The source range, then the destination range, each against the memory root.
        const { from, n } = copyPart(a(2), done, a(0) > a(1))
        memory([a(1) + from, n])
        memory([a(0) + from, n])
        break
      }
      case 0xff: {
        if (f.isStatic) break
        const to = uint(a(0) & ((1n << 160n) - 1n), 20)
        warm(mapKey(1, to))
        const trie = await stateTrie()
        const nodes = new Map<string, Uint8Array>()
        for (const a of [f.address, to]) for (const node of await createMerkleProof(trie, a)) nodes.set(bytesToHex(node), node)
        proof.push(RLP.encode([...nodes.values()]))
        proof.push(src.substate, ...src.selfdestructs.witness(mapKey(4, f.address), true))
        const self = await sm.getAccount(new Address(f.address))
        const beneficiary = await sm.getAccount(new Address(to))
        const toSelf = bytesToHex(to) === bytesToHex(f.address)
        if (!toSelf && (beneficiary === undefined || beneficiary.isEmpty()) && (self?.balance ?? 0n) === 0n)
          proof.push(...src.touched.witness(mapKey(6, to), true))
        if (src.fork >= 1) proof.push(...src.created.witness(mapKey(5, f.address)))
        break
      }
      case 0xf0:
      case 0xf5: {
        const [value, offset, len] = [a(0), a(1), a(2)]
        if (f.isStatic || len > 49152n) break
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
        for (const a of [f.address, created]) for (const node of await createMerkleProof(trie, a)) nodes.set(bytesToHex(node), node)
        proof.push(RLP.encode([...nodes.values()]))
        // Warmed only after the fail-fast checks (execution-specs' generic_create).
        if (f.depth >= 1024 || value > creator.balance || creator.nonce >= 2n ** 64n - 1n) break
        warm(mapKey(1, created))
        // A collision (EIP-684, EIP-7610) enters the child already failed: nothing is created.
        if (collides(await sm.getAccount(new Address(created)))) break
        proof.push(src.substate, ...src.created.witness(mapKey(5, created), true))
        break
      }
      case 0xf1:
      case 0xf2:
      case 0xf4:
      case 0xfa: {
        const hasValue = op === 0xf1 || op === 0xf2
        const value = hasValue ? a(2) : 0n
        if (op === 0xf1 && f.isStatic && value !== 0n) break
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
        for (const a of [target, f.address, ...(delegate === undefined ? [] : [delegate])])
          for (const node of await createMerkleProof(trie, a)) nodes.set(bytesToHex(node), node)
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
        if (f.depth >= 1024 || (hasValue && value > (callerAccount?.balance ?? 0n))) break
        const context = op === 0xf1 || op === 0xfa ? target : f.address
        if (op !== 0xf4) {
          const before = await sm.getAccount(new Address(context))
          const emptyAfter = (before === undefined || before.isEmpty()) && (context === f.address || value === 0n)
          if (emptyAfter) proof.push(src.substate, ...src.touched.witness(mapKey(6, context), true))
        }
        break
      }
    }
  return { proof, codes }
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

/**
 * The nodes a write of `key` walks on a trie that has only them: the path, and the nodes a
 * deletion's branch collapse reads (found by running the write on a proof-only trie).
 */
export async function writeNodes(full: MerklePatriciaTrie, key: Uint8Array, value: Uint8Array | undefined): Promise<Uint8Array[]> {
  const nodes = await createMerkleProof(full, key)
  for (let round = 0; round < 16; round++) {
    const t = await createMPT({ useKeyHashing: true })
    const db = t.database()
    for (const n of nodes) await db.put(H(n), n)
    t.root(full.root())
    const missing: Uint8Array[] = []
    const get = db.get.bind(db)
    db.get = async (k: Uint8Array) => {
      const v = await get(k)
      if (v === undefined) missing.push(k)
      return v
    }
    try {
      if (value === undefined) await t.del(key)
      else await t.put(key, value)
      return nodes
    } catch (e) {
      if (missing.length === 0) throw e
      for (const k of missing) {
        const node = await full.database().get(k)
        if (node === undefined) throw new Error(`the trie lacks node ${bytesToHex(k)}`)
        nodes.push(node as Uint8Array)
      }
    }
  }
  throw new Error('a trie write needed more than 16 rounds of nodes')
}

/** EIP-684 and EIP-7610: a create cannot land on an account with a nonce, code or storage. */
export function collides(a: Account | undefined): boolean {
  return a !== undefined && (a.nonce !== 0n || !equalsBytes(a.codeHash, KECCAK256_NULL) || !equalsBytes(a.storageRoot, KECCAK256_RLP))
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

/** The two items (leaves, siblings) of bytes `[from, from + len)` of a view, as the checker's `readView` reads them; none past its size. */
export function viewItems(v: BytesView, from: bigint, len: bigint): Uint8Array[] {
  const r = viewRange(v, from, len)
  return r === undefined ? [] : [r.leaves, concat(r.siblings)]
}
