/**
 * One opcode step as the checker re-executes it (SPEC.md §5.1): the frame and state it starts from,
 * the stack items it read, the witness it reads the rest from, and what it changes. Every opcode
 * class's file (arithmetic.ts, memory.ts, calls.ts, …; the generator's src/trace/opcode/ has the same
 * names) works on it; src/check/opcode.ts decodes the step and turns the result into the post-state.
 */
import {
  BLOCK_ENV_BYTES,
  be,
  equal,
  type FrameState,
  join,
  keccak,
  type MachineState,
  num,
  readBlockEnv,
  readSubstate,
  readTxEnv,
  SUBSTATE_BYTES,
  TX_ENV_BYTES,
  type View,
  writeFrame,
} from '../layout.ts'
import { type Account, decodeAccount, decodeSlot, EMPTY_CODE_HASH, EMPTY_TRIE_ROOT, proofTrie } from '../mpt.ts'
import { absorb, emptySponge, KECCAK_CHUNK, openSponge, squeeze } from '../sponge.ts'
import { bytesRoot, emptyView, openMapKey, openRange } from '../trees.ts'
import { type ItemReader, WitnessError } from '../witness-reader.ts'

/** An exceptional halt: the frame fails, all its gas is gone (SPEC.md §5). */
export class Halt extends Error {}

/** Code hashes the CodeOracle has registered: root and size of each code (SPEC.md §0, point 1). */
export type CodeOracle = (codeHash: Uint8Array) => { root: Uint8Array; size: number; delegate?: Uint8Array } | undefined

/** What an opcode class's file does for one opcode: reads the rest of the witness and sets what the step changes. */
export type OpcodeRule = (c: Step) => void | Promise<void>

/**
 * SPEC.md §6: the bytes one step of a copy (CALLDATACOPY, CODECOPY, EXTCODECOPY, RETURNDATACOPY,
 * MCOPY) moves. A longer copy is charged and expands memory in its first step and goes on in more
 * steps at the same pc, its operands left on the stack, the frame's `progress` counting the bytes done.
 */
export const COPY_CHUNK = 32 * 1024

export const U256 = (1n << 256n) - 1n
export const SIGN = 1n << 255n
export const signed = (v: bigint): bigint => (v & SIGN ? v - (1n << 256n) : v)
export const unsigned = (v: bigint): bigint => v & U256
export const words = (len: bigint): bigint => (len + 31n) / 32n
const memoryCost = (w: bigint) => 3n * w + (w * w) / 512n
export const toAddress = (v: bigint): Uint8Array => be(v & ((1n << 160n) - 1n), 20)

/** Map keys of SPEC.md §2. */
export const addressKey = (a: Uint8Array): bigint => num(keccak(new Uint8Array([1]), a))
export const slotKey = (a: Uint8Array, slot: bigint): bigint => num(keccak(new Uint8Array([2]), a, be(slot)))
export const transientKey = (a: Uint8Array, slot: bigint): bigint => num(keccak(new Uint8Array([3]), a, be(slot)))
export const selfdestructKey = (a: Uint8Array): bigint => num(keccak(new Uint8Array([4]), a))
export const createdKey = (a: Uint8Array): bigint => num(keccak(new Uint8Array([5]), a))
export const touchedKey = (a: Uint8Array): bigint => num(keccak(new Uint8Array([6]), a))

/** EIP-684 and EIP-7610: a create cannot land on an account with a nonce, code or storage. */
export const collides = (a: Account | undefined): boolean =>
  a !== undefined && (a.nonce !== 0n || !equal(a.codeHash, EMPTY_CODE_HASH) || !equal(a.storageRoot, EMPTY_TRIE_ROOT))

/** Leaf `index` of a code tree (chunk ‖ mask), opened from the witness. */
export function codeLeaf(r: ItemReader, root: Uint8Array, index: number): Uint8Array {
  return openRange(r, 'code', root, index, index, 16, 36).leaves[0] as Uint8Array
}

/** The step under way: given its start, it collects what the opcode changes. */
export class Step {
  /** The gas left, less what the step has charged so far. */
  gas: bigint
  /** What the opcode pushes (after popping its inputs). */
  out: bigint[] = []
  pc: number
  memoryWords: number
  memoryRoot: Uint8Array
  /** The machine state with the step's effects outside the frame (world state, maps, sub-state). */
  state: MachineState
  /** A halting opcode: the frame's status and output. */
  halt: { status: number; output: View } | undefined
  /** A call entered its child: the frame to run next and the chain it suspends the caller on. */
  entered: { child: FrameState; frameStackHash: Uint8Array } | undefined
  /** The return data the frame is left with, when the opcode sets it (a call or create clears it). */
  returnData: View | undefined
  /** A copy or hash longer than a step: the bytes done after this one (pc and the stack stay). */
  progress: number | undefined
  /** A hash longer than a step: H(the sponge's state) after this one. */
  sponge: Uint8Array | undefined

  constructor(
    readonly s: MachineState,
    readonly f: FrameState,
    readonly r: ItemReader,
    readonly oracle: CodeOracle,
    readonly op: number,
    /** The code chunk holding pc (undefined past the code). */
    readonly chunk: Uint8Array | undefined,
    /** The stack items the opcode reads, top first, and the hash below them. */
    readonly args: bigint[],
    readonly below: Uint8Array,
    /** A copy or hash under way (SPEC.md §6.1): its gas and memory expansion were charged by its first step. */
    readonly continuing: boolean,
  ) {
    this.gas = f.gas
    this.pc = f.pc + 1
    this.memoryWords = f.memoryWords
    this.memoryRoot = f.memoryRoot
    this.state = s
  }

  /** The i-th stack item read, from the top. */
  a(i: number): bigint {
    return this.args[i] as bigint
  }

  use(n: bigint): void {
    if (n > this.gas) throw new Halt()
    this.gas -= n
  }

  /** Memory expansion to cover [offset, offset + len) (no expansion for len 0). */
  expand(offset: bigint, len: bigint): void {
    if (len === 0n) return
    const need = words(offset + len)
    if (need > BigInt(this.memoryWords)) {
      this.use(memoryCost(need) - memoryCost(BigInt(this.memoryWords)))
      this.memoryWords = Number(need)
    }
  }

  copyGas(len: bigint): void {
    this.use(3n * words(len))
  }

  /** Opens the memory cells covering the given ranges (empty ranges ignored) as one proven range. */
  memory(...ranges: [bigint, bigint][]) {
    const live = ranges.filter(([, len]) => len > 0n)
    if (live.length === 0) return undefined
    let [first, last] = [live[0]?.[0] as bigint, 0n]
    for (const [o, l] of live) {
      if (o < first) first = o
      if (o + l - 1n > last) last = o + l - 1n
    }
    const [lo, hi] = [Number(first / 32n), Number(last / 32n)]
    const range = openRange(this.r, 'memory', this.f.memoryRoot, lo, hi, 24)
    for (let c = Math.max(lo, this.f.memoryWords); c <= hi; c++)
      if (!(range.leaves[c - lo] as Uint8Array).every((b) => b === 0))
        throw new WitnessError(`memory cell ${c} is past the memory size but not zero`)
    const bytes = join(range.leaves)
    const base = lo * 32
    return {
      read: (o: bigint, l: bigint) => bytes.slice(Number(o) - base, Number(o + l) - base),
      write: (o: bigint, data: Uint8Array) => bytes.set(data, Number(o) - base),
      commit: () => {
        this.memoryRoot = range.rootWith(Array.from({ length: hi - lo + 1 }, (_, i) => bytes.subarray(i * 32, i * 32 + 32)))
      },
    }
  }

  /** Memory bytes [offset + from, offset + to). */
  memoryBytes(offset: bigint, from: bigint, to: bigint): Uint8Array {
    return this.memory([offset + from, to - from])?.read(offset + from, to - from) ?? new Uint8Array()
  }

  /** Bytes [offset, offset + len) of a code of `size` bytes (its tree's leaves are chunk ‖ mask); bytes past `size` read zero. */
  codeBytes(root: Uint8Array, size: number, offset: bigint, len: bigint): Uint8Array {
    const out = new Uint8Array(Number(len))
    if (len === 0n || offset >= BigInt(size)) return out
    const end = offset + len < BigInt(size) ? offset + len : BigInt(size)
    const lo = Number(offset / 32n)
    const hi = Number((end - 1n) / 32n)
    const { leaves } = openRange(this.r, 'code', root, lo, hi, 16, 36)
    const bytes = join(leaves.map((l) => l.subarray(0, 32)))
    out.set(bytes.subarray(Number(offset) - lo * 32, Number(end) - lo * 32))
    return out
  }

  /**
   * The part of a copy of `len` bytes this step moves, `[from, from + n)`: the next COPY_CHUNK bytes,
   * from the end for an MCOPY to a higher address (so that no byte is read after it is written).
   */
  part(len: bigint, backward: boolean): { from: bigint; n: bigint } {
    const done = BigInt(this.f.progress)
    // No honest run leaves a copy with nothing left to move (its last step resets progress).
    if (this.continuing && done >= len) throw new WitnessError(`the frame has moved ${done} bytes of a copy of ${len}`)
    const n = len - done < BigInt(COPY_CHUNK) ? len - done : BigInt(COPY_CHUNK)
    if (done + n < len) this.progress = Number(done + n)
    return { from: backward ? len - done - n : done, n }
  }

  /**
   * keccak256 of `length` bytes, `bytes(from, to)` giving those in [from, to): in one step when they
   * fit KECCAK_CHUNK, otherwise KECCAK_CHUNK a step through the frame's sponge (SPEC.md §6.1), the
   * digest only at the last (undefined before).
   */
  hashed(length: bigint, bytes: (from: bigint, to: bigint) => Uint8Array): Uint8Array | undefined {
    const chunkBytes = BigInt(KECCAK_CHUNK)
    if (!this.continuing && length <= chunkBytes) return keccak(bytes(0n, length))
    const done = BigInt(this.f.progress)
    if (this.continuing && done >= length) throw new WitnessError(`the frame’s sponge has absorbed ${done} bytes of ${length}`)
    const state = this.continuing ? openSponge(this.r, this.f.sponge) : emptySponge()
    if (length - done <= chunkBytes) return squeeze(state, bytes(done, length))
    this.progress = Number(done + chunkBytes)
    this.sponge = keccak(absorb(state, bytes(done, done + chunkBytes)))
    return undefined
  }

  /** Enters a call's or create's child: the caller suspended as the opcode leaves it (SPEC.md §5.1). */
  enter(child: FrameState, revertPre: Uint8Array): void {
    const parent: FrameState = {
      ...this.f,
      pc: this.f.pc + 1,
      gas: this.gas,
      stackHash: this.below,
      stackSize: this.f.stackSize - this.args.length,
      memoryWords: this.memoryWords,
      returnData: this.returnData ?? emptyView(),
    }
    this.entered = { child, frameStackHash: keccak(keccak(writeFrame(parent)), keccak(revertPre), this.s.frameStackHash) }
  }

  blockEnv() {
    const b = this.r.next('block environment', BLOCK_ENV_BYTES)
    if (!equal(keccak(b), this.s.blockEnvHash)) throw new WitnessError('the block environment does not hash to the state’s')
    return readBlockEnv(b)
  }

  txEnv() {
    const b = this.r.next('transaction environment', TX_ENV_BYTES)
    if (!equal(keccak(b), this.s.txEnvHash)) throw new WitnessError('the transaction environment does not hash to the state’s')
    return readTxEnv(b)
  }

  /** EIP-2929: warms a key of the access map; returns whether it was cold. */
  warm(key: bigint): boolean {
    const entry = openMapKey(this.r, 'access map', this.state.accessMap, key)
    if (entry.value !== undefined) return false
    this.state = { ...this.state, accessMap: entry.write(1n) }
    return true
  }

  /** An account in the world state, with the trie it was read from. */
  async account(root: Uint8Array, addr: Uint8Array, what: string) {
    const trie = await proofTrie(root, this.r.next(`${what} proof`), what)
    return { trie, account: decodeAccount(await trie.get(addr)) }
  }

  async storage(acct: Account | undefined, slot: bigint, what: string) {
    const trie = await proofTrie(acct?.storageRoot ?? EMPTY_TRIE_ROOT, this.r.next(`${what} proof`), what)
    return { trie, value: decodeSlot(await trie.get(be(slot))) }
  }

  substate() {
    const b = this.r.next('sub-state', SUBSTATE_BYTES)
    if (!equal(keccak(b), this.s.substateHash)) throw new WitnessError('the sub-state does not hash to the state’s')
    return readSubstate(b)
  }

  /** The root and size of an account's code, from the CodeOracle. */
  codeOf(acct: Account | undefined) {
    const hash = acct?.codeHash ?? EMPTY_CODE_HASH
    if (equal(hash, EMPTY_CODE_HASH)) return { root: bytesRoot(new Uint8Array(), 16), size: 0 }
    const known = this.oracle(hash)
    if (known === undefined) throw new WitnessError('the account’s code is not registered with the code oracle')
    return known
  }
}
