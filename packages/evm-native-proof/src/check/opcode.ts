/**
 * The reference checker's EVM: one opcode of an executing frame, re-executed from the witness with
 * its exact stack, memory, gas, storage and sub-state effects (SPEC.md §4 `opcode`, §5 items).
 * Written from the Yellow Paper and the EIPs, not from ethereumjs: it is the oracle the generator and
 * the Solidity verifier are held to.
 */
import { RLP } from '@ethereumjs/rlp'
import {
  BLOCK_ENV_BYTES,
  be,
  CANCUN,
  equal,
  type FrameState,
  join,
  keccak,
  type MachineState,
  num,
  readBlockEnv,
  readSubstate,
  readTxEnv,
  type View,
  writeFrame,
  writeSubstate,
} from './layout.ts'
import {
  type Account,
  decodeAccount,
  decodeSlot,
  EMPTY_CODE_HASH,
  EMPTY_TRIE_ROOT,
  emptyAccount,
  encodeAccount,
  encodeSlot,
  isEmpty,
  proofTrie,
} from './mpt.ts'
import { opcodeShape } from './opcodes.ts'
import { absorb, emptySponge, KECCAK_CHUNK, openSponge, squeeze } from './sponge.ts'
import { bytesRoot, codeRoot, emptyView, freshFrame, openMapKey, openRange, readView, viewOf } from './trees.ts'
import { type ItemReader, WitnessError } from './witness-reader.ts'

const U256 = (1n << 256n) - 1n
const SIGN = 1n << 255n
const signed = (v: bigint) => (v & SIGN ? v - (1n << 256n) : v)
const unsigned = (v: bigint) => v & U256

/** An exceptional halt: the frame fails, all its gas is gone (SPEC.md §5). */
class Halt extends Error {}

/** Code hashes the CodeOracle has registered: root and size of each code (SPEC.md §0, point 1). */
export type CodeOracle = (codeHash: Uint8Array) => { root: Uint8Array; size: number; delegate?: Uint8Array } | undefined

/** Forks by SPEC.md's id. */

/**
 * SPEC.md §6: the bytes one step of a copy (CALLDATACOPY, CODECOPY, EXTCODECOPY, RETURNDATACOPY,
 * MCOPY) moves. A longer copy is charged and expands memory in its first step and goes on in more
 * steps at the same pc, its operands left on the stack, the frame's `progress` counting the bytes done.
 */
export const COPY_CHUNK = 32 * 1024
/** The hashing opcodes, KECCAK256 and LOG0–LOG4: over KECCAK_CHUNK bytes, they go on in steps through the frame's sponge. */
const HASHES = new Set([0x20, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4])
/** The opcodes that may take more than one step (SPEC.md §6.1): the copies and the hashes. */
const SPLIT = new Set([0x37, 0x39, 0x3c, 0x3e, 0x5e, ...HASHES])

const words = (len: bigint) => (len + 31n) / 32n
const memoryCost = (w: bigint) => 3n * w + (w * w) / 512n

/** Map keys of SPEC.md §2. */
const addressKey = (a: Uint8Array) => num(keccak(new Uint8Array([1]), a))
const slotKey = (a: Uint8Array, slot: bigint) => num(keccak(new Uint8Array([2]), a, be(slot)))
const transientKey = (a: Uint8Array, slot: bigint) => num(keccak(new Uint8Array([3]), a, be(slot)))

type BlockEnv = ReturnType<typeof readBlockEnv>
/** The opcodes that push a word of the block environment. */
const BLOCK_FIELDS: Record<number, (e: BlockEnv) => bigint> = {
  65: (e) => num(e.coinbase),
  66: (e) => e.timestamp,
  67: (e) => e.number,
  68: (e) => num(e.prevRandao),
  69: (e) => e.gasLimit,
  70: (e) => e.chainId,
  72: (e) => e.baseFee,
  74: (e) => e.blobBaseFee,
}

const toAddress = (v: bigint) => be(v & ((1n << 160n) - 1n), 20)
const touchedKey = (a: Uint8Array) => num(keccak(new Uint8Array([6]), a))
const createdKey = (a: Uint8Array) => num(keccak(new Uint8Array([5]), a))
const selfdestructKey = (a: Uint8Array) => num(keccak(new Uint8Array([4]), a))
const byteLength = (v: bigint) => Math.ceil(v.toString(16).length / 2)
/** EIP-684 and EIP-7610: a create cannot land on an account with a nonce, code or storage. */
export const collides = (a: Account | undefined): boolean =>
  a !== undefined && (a.nonce !== 0n || !equal(a.codeHash, EMPTY_CODE_HASH) || !equal(a.storageRoot, EMPTY_TRIE_ROOT))

/** Re-executes the opcode at the frame's pc; returns the state after it. */
export async function checkOpcode(s: MachineState, f: FrameState, r: ItemReader, oracle: CodeOracle): Promise<MachineState> {
  const code = (index: number) => {
    const { leaves } = openRange(r, 'code', f.codeRoot, index, index, 16, 36)
    return leaves[0] as Uint8Array
  }
  const chunk = f.pc < f.codeSize ? code(f.pc >> 5) : undefined
  const op = chunk === undefined ? 0x00 : (chunk[f.pc & 31] as number)

  let gas = f.gas
  const use = (n: bigint) => {
    if (n > gas) throw new Halt()
    gas -= n
  }
  const failed = (): MachineState => ({ ...s, frameHash: keccak(writeFrame({ ...f, status: 3, gas: 0n })) })

  /** A copy under way (SPEC.md §6): its gas and memory expansion were charged by its first step. */
  const continuing = f.progress > 0
  if (continuing && !SPLIT.has(op))
    throw new WitnessError(`the frame is in the middle of a copy or a hash, but the opcode at pc is 0x${op.toString(16)}`)
  // A sponge is under way exactly when a hash goes on.
  if (f.sponge.some((b) => b !== 0) !== (continuing && HASHES.has(op)))
    throw new WitnessError('the frame’s sponge is not that of a hash under way at pc')

  try {
    const sh = opcodeShape(op, s.forkId)
    if (sh === undefined) throw new Halt() // an undefined opcode (INVALID among them)
    const pushes =
      op >= 0x80 && op <= 0x8f
        ? sh.reads + 1
        : op >= 0x90 && op <= 0x9f
          ? sh.reads
          : PUSHES_ONE.has(op) || (op >= 0x60 && op <= 0x7f)
            ? 1
            : 0
    if (f.stackSize < sh.reads || f.stackSize - sh.reads + pushes > 1024) throw new Halt()
    const stackItem = r.words('stack', sh.reads + 1)
    const args = stackItem.slice(0, sh.reads).map(num)
    const below = stackItem[sh.reads] as Uint8Array
    let h = below
    for (let i = args.length - 1; i >= 0; i--) h = keccak(h, be(args[i] as bigint))
    if (!equal(h, f.stackHash)) throw new WitnessError('the stack items do not hash to the frame’s stack')
    if (!continuing) use(BigInt(sh.gas))
    const a = (i: number) => args[i] as bigint

    // What the step changes; the rest of the frame and state stays.
    let out: bigint[] = []
    let pc = f.pc + 1
    let memoryWords = f.memoryWords
    let memoryRoot = f.memoryRoot
    let state = s
    let halt: { status: number; output: View } | undefined
    /** A call entered its child: the frame to run next and the chain it suspends the caller on. */
    let entered: { child: FrameState; frameStackHash: Uint8Array } | undefined
    let returnData: View | undefined
    /** A copy or hash longer than a step: the bytes done after this one (pc and the stack stay). */
    let progress: number | undefined
    /** A hash longer than a step: H(the sponge's state) after this one. */
    let sponge: Uint8Array | undefined
    /**
     * The part of a copy of `len` bytes this step moves, `[from, from + n)`: the next COPY_CHUNK bytes,
     * from the end for an MCOPY to a higher address (so that no byte is read after it is written).
     */
    const part = (len: bigint, backward: boolean) => {
      const done = BigInt(f.progress)
      // No honest run leaves a copy with nothing left to move (its last step resets progress).
      if (continuing && done >= len) throw new WitnessError(`the frame has moved ${done} bytes of a copy of ${len}`)
      const n = len - done < BigInt(COPY_CHUNK) ? len - done : BigInt(COPY_CHUNK)
      if (done + n < len) progress = Number(done + n)
      return { from: backward ? len - done - n : done, n }
    }
    /** Enters a call's or create's child: the caller suspended as the opcode leaves it (SPEC.md §5.1). */
    const enter = (child: FrameState, revertPre: Uint8Array) => {
      const parent: FrameState = {
        ...f,
        pc: f.pc + 1,
        gas,
        stackHash: below,
        stackSize: f.stackSize - sh.reads,
        memoryWords,
        returnData: returnData ?? emptyView(),
      }
      entered = { child, frameStackHash: keccak(keccak(writeFrame(parent)), keccak(revertPre), s.frameStackHash) }
    }

    /** Memory expansion to cover [offset, offset + len) (no expansion for len 0). */
    const expand = (offset: bigint, len: bigint) => {
      if (len === 0n) return
      const need = words(offset + len)
      if (need > BigInt(memoryWords)) {
        use(memoryCost(need) - memoryCost(BigInt(memoryWords)))
        memoryWords = Number(need)
      }
    }
    /** Opens the memory cells covering the given ranges (empty ranges ignored) as one proven range. */
    const memory = (...ranges: [bigint, bigint][]) => {
      const live = ranges.filter(([, len]) => len > 0n)
      if (live.length === 0) return undefined
      let [first, last] = [live[0]?.[0] as bigint, 0n]
      for (const [o, l] of live) {
        if (o < first) first = o
        if (o + l - 1n > last) last = o + l - 1n
      }
      const [lo, hi] = [Number(first / 32n), Number(last / 32n)]
      const range = openRange(r, 'memory', f.memoryRoot, lo, hi, 24)
      for (let c = Math.max(lo, f.memoryWords); c <= hi; c++)
        if (!(range.leaves[c - lo] as Uint8Array).every((b) => b === 0))
          throw new WitnessError(`memory cell ${c} is past the memory size but not zero`)
      const bytes = join(range.leaves)
      const base = lo * 32
      return {
        read: (o: bigint, l: bigint) => bytes.slice(Number(o) - base, Number(o + l) - base),
        write: (o: bigint, data: Uint8Array) => bytes.set(data, Number(o) - base),
        commit: () => {
          memoryRoot = range.rootWith(Array.from({ length: hi - lo + 1 }, (_, i) => bytes.subarray(i * 32, i * 32 + 32)))
        },
      }
    }
    /** Bytes [offset, offset + len) of a code of `size` bytes (its tree's leaves are chunk ‖ mask); bytes past `size` read zero. */
    const codeBytes = (root: Uint8Array, size: number, offset: bigint, len: bigint) => {
      const out = new Uint8Array(Number(len))
      if (len === 0n || offset >= BigInt(size)) return out
      const end = offset + len < BigInt(size) ? offset + len : BigInt(size)
      const lo = Number(offset / 32n)
      const hi = Number((end - 1n) / 32n)
      const { leaves } = openRange(r, 'code', root, lo, hi, 16, 36)
      const bytes = join(leaves.map((l) => l.subarray(0, 32)))
      out.set(bytes.subarray(Number(offset) - lo * 32, Number(end) - lo * 32))
      return out
    }
    const copyGas = (len: bigint) => use(3n * words(len))
    /**
     * keccak256 of `length` bytes, `bytes(from, to)` giving those in [from, to): in one step when they
     * fit KECCAK_CHUNK, otherwise KECCAK_CHUNK a step through the frame's sponge (SPEC.md §6.1), the
     * digest only at the last (undefined before).
     */
    const hashed = (length: bigint, bytes: (from: bigint, to: bigint) => Uint8Array): Uint8Array | undefined => {
      const chunkBytes = BigInt(KECCAK_CHUNK)
      if (!continuing && length <= chunkBytes) return keccak(bytes(0n, length))
      const done = BigInt(f.progress)
      if (continuing && done >= length) throw new WitnessError(`the frame’s sponge has absorbed ${done} bytes of ${length}`)
      const state = continuing ? openSponge(r, f.sponge) : emptySponge()
      if (length - done <= chunkBytes) return squeeze(state, bytes(done, length))
      progress = Number(done + chunkBytes)
      sponge = keccak(absorb(state, bytes(done, done + chunkBytes)))
      return undefined
    }
    /** Memory bytes [offset + from, offset + to). */
    const memoryBytes = (offset: bigint, from: bigint, to: bigint) =>
      memory([offset + from, to - from])?.read(offset + from, to - from) ?? new Uint8Array()
    const blockEnv = () => {
      const b = r.next('block environment', BLOCK_ENV_BYTES)
      if (!equal(keccak(b), s.blockEnvHash)) throw new WitnessError('the block environment does not hash to the state’s')
      return readBlockEnv(b)
    }
    const txEnv = () => {
      const b = r.next('transaction environment', 512)
      if (!equal(keccak(b), s.txEnvHash)) throw new WitnessError('the transaction environment does not hash to the state’s')
      return readTxEnv(b)
    }
    /** EIP-2929: warms a key of the access map; returns whether it was cold. */
    const warm = (key: bigint) => {
      const entry = openMapKey(r, 'access map', state.accessMap, key)
      if (entry.value !== undefined) return false
      state = { ...state, accessMap: entry.write(1n) }
      return true
    }
    /** An account in the world state, with the trie it was read from. */
    const account = async (root: Uint8Array, addr: Uint8Array, what: string) => {
      const trie = await proofTrie(root, r.next(`${what} proof`), what)
      return { trie, account: decodeAccount(await trie.get(addr)) }
    }
    const storage = async (acct: Account | undefined, slot: bigint, what: string) => {
      const trie = await proofTrie(acct?.storageRoot ?? EMPTY_TRIE_ROOT, r.next(`${what} proof`), what)
      return { trie, value: decodeSlot(await trie.get(be(slot))) }
    }
    const substate = () => {
      const b = r.next('sub-state', 192)
      if (!equal(keccak(b), s.substateHash)) throw new WitnessError('the sub-state does not hash to the state’s')
      return readSubstate(b)
    }
    const codeOf = (acct: Account | undefined) => {
      const hash = acct?.codeHash ?? EMPTY_CODE_HASH
      if (equal(hash, EMPTY_CODE_HASH)) return { root: bytesRoot(new Uint8Array(), 16), size: 0 }
      const known = oracle(hash)
      if (known === undefined) throw new WitnessError('the account’s code is not registered with the code oracle')
      return known
    }

    if (op >= 0x60 && op <= 0x7f) {
      const n = op - 0x5f
      const data = new Uint8Array(n)
      const c = chunk as Uint8Array
      const first = f.pc + 1
      for (let i = 0; i < n && (first + i) >> 5 === f.pc >> 5; i++) data[i] = c[(first + i) & 31] as number
      const nextChunk = (f.pc >> 5) + 1
      if ((first + n - 1) >> 5 === nextChunk && nextChunk * 32 < f.codeSize) {
        const next = code(nextChunk)
        for (let i = 0; i < n; i++) if ((first + i) >> 5 === nextChunk) data[i] = next[(first + i) & 31] as number
      }
      for (let i = 0; i < n; i++) if (first + i >= f.codeSize) data[i] = 0
      out = [num(data)]
      pc = f.pc + 1 + n
    } else if (op >= 0x80 && op <= 0x8f) {
      out = [...args.slice().reverse(), a(sh.reads - 1)]
    } else if (op >= 0x90 && op <= 0x9f) {
      const swapped = args.slice()
      swapped[0] = a(sh.reads - 1)
      swapped[sh.reads - 1] = a(0)
      out = swapped.reverse()
    } else if (op >= 0xa0 && op <= 0xa4) {
      if (f.isStatic) throw new Halt()
      const [offset, len] = [a(0), a(1)]
      if (!continuing) {
        use(8n * len)
        expand(offset, len)
      }
      const topics = args.slice(2).map((t) => be(t))
      const head = logHead(f.address, topics, len)
      const h = BigInt(head.length)
      // rlp([address, topics, data]) is hashed: a long one through the sponge, its head from the stack and its data from memory.
      const logHash =
        !continuing && h + len <= BigInt(KECCAK_CHUNK)
          ? keccak(RLP.encode([f.address, topics, memoryBytes(offset, 0n, len)]))
          : hashed(h + len, (from, to) =>
              join([
                head.subarray(Number(from < h ? from : h), Number(to < h ? to : h)),
                memoryBytes(offset, from > h ? from - h : 0n, to - h),
              ]),
            )
      if (logHash === undefined) {
        // The log goes on in the next step.
      } else {
        const sub = substate()
        state = {
          ...state,
          substateHash: keccak(writeSubstate({ ...sub, logsHash: keccak(sub.logsHash, logHash), logCount: sub.logCount + 1n })),
        }
      }
    } else {
      switch (op) {
        case 0x00:
          halt = { status: 1, output: emptyView() }
          break
        case 0x01:
          out = [unsigned(a(0) + a(1))]
          break
        case 0x02:
          out = [unsigned(a(0) * a(1))]
          break
        case 0x03:
          out = [unsigned(a(0) - a(1))]
          break
        case 0x04:
          out = [a(1) === 0n ? 0n : a(0) / a(1)]
          break
        case 0x05:
          out = [a(1) === 0n ? 0n : unsigned(signed(a(0)) / signed(a(1)))]
          break
        case 0x06:
          out = [a(1) === 0n ? 0n : a(0) % a(1)]
          break
        case 0x07:
          out = [a(1) === 0n ? 0n : unsigned(signed(a(0)) % signed(a(1)))]
          break
        case 0x08:
          out = [a(2) === 0n ? 0n : (a(0) + a(1)) % a(2)]
          break
        case 0x09:
          out = [a(2) === 0n ? 0n : (a(0) * a(1)) % a(2)]
          break
        case 0x0a: {
          const e = a(1)
          use(50n * BigInt(e === 0n ? 0 : Math.ceil(e.toString(16).length / 2)))
          let result = 1n
          let base = a(0)
          for (let x = e; x > 0n; x >>= 1n) {
            if (x & 1n) result = (result * base) & U256
            base = (base * base) & U256
          }
          out = [result]
          break
        }
        case 0x0b: {
          const [b, x] = [a(0), a(1)]
          if (b >= 31n) out = [x]
          else {
            const bit = 8n * b + 7n
            const mask = (1n << bit) - 1n
            out = [x & (1n << bit) ? x | (U256 ^ mask) : x & mask]
          }
          break
        }
        case 0x10:
          out = [a(0) < a(1) ? 1n : 0n]
          break
        case 0x11:
          out = [a(0) > a(1) ? 1n : 0n]
          break
        case 0x12:
          out = [signed(a(0)) < signed(a(1)) ? 1n : 0n]
          break
        case 0x13:
          out = [signed(a(0)) > signed(a(1)) ? 1n : 0n]
          break
        case 0x14:
          out = [a(0) === a(1) ? 1n : 0n]
          break
        case 0x15:
          out = [a(0) === 0n ? 1n : 0n]
          break
        case 0x16:
          out = [a(0) & a(1)]
          break
        case 0x17:
          out = [a(0) | a(1)]
          break
        case 0x18:
          out = [a(0) ^ a(1)]
          break
        case 0x19:
          out = [U256 ^ a(0)]
          break
        case 0x1a:
          out = [a(0) >= 32n ? 0n : (a(1) >> (8n * (31n - a(0)))) & 0xffn]
          break
        case 0x1b:
          out = [a(0) >= 256n ? 0n : (a(1) << a(0)) & U256]
          break
        case 0x1c:
          out = [a(0) >= 256n ? 0n : a(1) >> a(0)]
          break
        case 0x1d:
          out = [a(0) >= 256n ? (a(1) & SIGN ? U256 : 0n) : unsigned(signed(a(1)) >> a(0))]
          break
        case 0x1e:
          out = [a(0) === 0n ? 256n : BigInt(256 - a(0).toString(2).length)]
          break
        case 0x20: {
          const [offset, len] = [a(0), a(1)]
          if (!continuing) {
            use(6n * words(len))
            expand(offset, len)
          }
          const digest = hashed(len, (from, to) => memoryBytes(offset, from, to))
          if (digest !== undefined) out = [num(digest)]
          break
        }
        case 0x30:
          out = [num(f.address)]
          break
        case 0x31:
        case 0x3b:
        case 0x3f: {
          const target = toAddress(a(0))
          use(warm(addressKey(target)) ? 2600n : 100n)
          const { account: acct } = await account(state.stateRoot, target, 'account')
          if (op === 0x31) out = [acct?.balance ?? 0n]
          else if (op === 0x3b) out = [BigInt(codeOf(acct).size)]
          else out = [isEmpty(acct) ? 0n : num((acct as Account).codeHash)]
          break
        }
        case 0x32:
          out = [num(txEnv().origin)]
          break
        case 0x33:
          out = [num(f.caller)]
          break
        case 0x34:
          out = [f.value]
          break
        case 0x35:
          out = [num(readView(r, 'calldata', f.calldata, a(0), 32n))]
          break
        case 0x36:
          out = [BigInt(f.calldata.size)]
          break
        case 0x37:
        case 0x39:
        case 0x3e: {
          const [dest, offset, len] = [a(0), a(1), a(2)]
          if (!continuing) {
            if (op === 0x3e && offset + len > BigInt(f.returnData.size)) throw new Halt()
            copyGas(len)
            expand(dest, len)
          }
          const { from, n } = part(len, false)
          const data =
            op === 0x37
              ? readView(r, 'calldata', f.calldata, offset + from, n)
              : op === 0x39
                ? codeBytes(f.codeRoot, f.codeSize, offset + from, n)
                : readView(r, 'return data', f.returnData, offset + from, n)
          const m = memory([dest + from, n])
          m?.write(dest + from, data)
          m?.commit()
          break
        }
        case 0x3c: {
          const [addr, dest, offset, len] = [toAddress(a(0)), a(1), a(2), a(3)]
          if (!continuing) {
            use(warm(addressKey(addr)) ? 2600n : 100n)
            copyGas(len)
            expand(dest, len)
          }
          const { account: acct } = await account(state.stateRoot, addr, 'account')
          const c = codeOf(acct)
          const { from, n } = part(len, false)
          const data = codeBytes(c.root, c.size, offset + from, n)
          const m = memory([dest + from, n])
          m?.write(dest + from, data)
          m?.commit()
          break
        }
        case 0x38:
          out = [BigInt(f.codeSize)]
          break
        case 0x3a:
          out = [txEnv().effectiveGasPrice]
          break
        case 0x3d:
          out = [BigInt(f.returnData.size)]
          break
        case 0x40: {
          const env = blockEnv()
          const n = a(0)
          if (n >= env.number || n + 256n < env.number) out = [0n]
          else {
            const i = Number(n + 256n - env.number)
            out = [num(openRange(r, 'block hash', env.blockHashesRoot, i, i, 8).leaves[0] as Uint8Array)]
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
          out = [(BLOCK_FIELDS[op] as (e: BlockEnv) => bigint)(blockEnv())]
          break
        case 0x47: {
          const { account: acct } = await account(state.stateRoot, f.address, 'account')
          out = [acct?.balance ?? 0n]
          break
        }
        case 0x49: {
          const env = txEnv()
          if (a(0) >= env.blobCount) out = [0n]
          else {
            const hashes = r.next('blob hashes', Number(env.blobCount) * 32)
            if (!equal(keccak(hashes), env.blobHashesHash)) throw new WitnessError('the blob hashes do not hash to the transaction’s')
            const i = Number(a(0))
            out = [num(hashes.subarray(i * 32, i * 32 + 32))]
          }
          break
        }
        case 0x50:
          break
        case 0x51: {
          expand(a(0), 32n)
          out = [num((memory([a(0), 32n]) as NonNullable<ReturnType<typeof memory>>).read(a(0), 32n))]
          break
        }
        case 0x52:
        case 0x53: {
          const len = op === 0x52 ? 32n : 1n
          expand(a(0), len)
          const m = memory([a(0), len]) as NonNullable<ReturnType<typeof memory>>
          m.write(a(0), op === 0x52 ? be(a(1)) : new Uint8Array([Number(a(1) & 0xffn)]))
          m.commit()
          break
        }
        case 0x54: {
          const slot = a(0)
          use(warm(slotKey(f.address, slot)) ? 2100n : 100n)
          const { account: acct } = await account(state.stateRoot, f.address, 'account')
          out = [(await storage(acct, slot, 'storage')).value]
          break
        }
        case 0x55: {
          if (f.isStatic || gas <= 2300n) throw new Halt()
          const [slot, value] = [a(0), a(1)]
          const cold = warm(slotKey(f.address, slot))
          const { trie: stateTrie, account: acct } = await account(state.stateRoot, f.address, 'account')
          const { trie: storageTrie, value: current } = await storage(acct, slot, 'storage')
          const { account: acctAtStart } = await account(s.txStartRoot, f.address, 'account at transaction start')
          const { value: original } = await storage(acctAtStart, slot, 'storage at transaction start')
          let cost = cold ? 2100n : 0n
          let refund = 0n
          if (current === value) cost += 100n
          else if (original === current) {
            cost += original === 0n ? 20000n : 2900n
            if (original !== 0n && value === 0n) refund += 4800n
          } else {
            cost += 100n
            if (original !== 0n) {
              if (current === 0n) refund -= 4800n
              else if (value === 0n) refund += 4800n
            }
            if (original === value) refund += original === 0n ? 19900n : 2800n
          }
          use(cost)
          const sub = substate()
          if (sub.refund + refund < 0n) throw new WitnessError('the refund counter would go below zero')
          if (refund !== 0n) state = { ...state, substateHash: keccak(writeSubstate({ ...sub, refund: sub.refund + refund })) }
          if (current !== value) {
            if (acct === undefined) throw new WitnessError('SSTORE in an account that does not exist')
            const storageRoot = await storageTrie.set(be(slot), encodeSlot(value))
            state = { ...state, stateRoot: await stateTrie.set(f.address, encodeAccount({ ...acct, storageRoot })) }
          }
          break
        }
        case 0xff: {
          if (f.isStatic) throw new Halt()
          const to = toAddress(a(0))
          use(warm(addressKey(to)) ? 2600n : 0n)
          const trie = await proofTrie(state.stateRoot, r.next('accounts proof'), 'accounts')
          const self = decodeAccount(await trie.get(f.address)) ?? emptyAccount()
          const beneficiary = decodeAccount(await trie.get(to))
          if (self.balance > 0n && isEmpty(beneficiary)) use(25000n)
          const sub = substate()
          const marked = openMapKey(r, 'self-destruct map', sub.selfdestructMap, selfdestructKey(f.address))
          const next = { ...sub, selfdestructMap: marked.value === undefined ? marked.write(1n) : sub.selfdestructMap }
          const toSelf = equal(to, f.address)
          let stateRoot = state.stateRoot
          if (!toSelf) {
            const credited = { ...(beneficiary ?? emptyAccount()) }
            credited.balance += self.balance
            stateRoot = await trie.set(to, encodeAccount(credited))
            if (isEmpty(credited)) {
              const touched = openMapKey(r, 'touched map', sub.touchedMap, touchedKey(to))
              if (touched.value === undefined) next.touchedMap = touched.write(1n)
            }
          }
          // EIP-6780 (Cancun on): the balance leaves unless the account sends it to itself and was not created in this transaction.
          const createdHere = s.forkId < CANCUN || openMapKey(r, 'created map', sub.createdMap, createdKey(f.address)).value !== undefined
          if (createdHere || !toSelf) stateRoot = await trie.set(f.address, encodeAccount({ ...self, balance: 0n }))
          state = { ...state, stateRoot, substateHash: keccak(writeSubstate(next)) }
          halt = { status: 1, output: emptyView() }
          break
        }
        case 0xf0:
        case 0xf5: {
          if (f.isStatic) throw new Halt()
          const [value, offset, len] = [a(0), a(1), a(2)]
          if (len > 49152n) throw new Halt() // EIP-3860
          use(32000n + 2n * words(len) + (op === 0xf5 ? 6n * words(len) : 0n))
          expand(offset, len)
          const initcode = memory([offset, len])?.read(offset, len) ?? new Uint8Array()
          const trie = await proofTrie(state.stateRoot, r.next('accounts proof'), 'accounts')
          const creator = decodeAccount(await trie.get(f.address)) ?? emptyAccount()
          const created =
            op === 0xf5
              ? keccak(new Uint8Array([0xff]), f.address, be(a(3)), keccak(initcode)).slice(12)
              : keccak(
                  RLP.encode([f.address, creator.nonce === 0n ? new Uint8Array() : be(creator.nonce, byteLength(creator.nonce))]),
                ).slice(12)
          const forwarded = gas - gas / 64n
          returnData = emptyView()
          if (f.depth >= 1024 || value > creator.balance || creator.nonce >= 2n ** 64n - 1n) {
            out = [0n] // fails fast: no child, no nonce bump, the new address not warmed
            break
          }
          warm(addressKey(created)) // execution-specs warms it after the fail-fast checks; no gas (in the 32,000)
          gas -= forwarded
          let stateRoot = await trie.set(f.address, encodeAccount({ ...creator, nonce: creator.nonce + 1n }))
          const target = decodeAccount(await trie.get(created))
          const revertPre = join([stateRoot, state.accessMap, state.transientMap, state.substateHash])
          const child = freshFrame({
            kind: op === 0xf0 ? 4 : 5,
            depth: f.depth + 1,
            gas: forwarded,
            codeSize: initcode.length,
            address: created,
            codeAddress: created,
            caller: f.address,
            value,
            codeRoot: codeRoot(initcode),
          })
          if (collides(target)) {
            // EIP-684, EIP-7610: the child is entered already failed (its exit pushes 0; the nonce bump stays).
            state = { ...state, stateRoot }
            enter({ ...child, status: 3, gas: 0n }, revertPre)
            break
          }
          const after = decodeAccount(await trie.get(f.address)) as Account
          stateRoot = await trie.set(f.address, encodeAccount({ ...after, balance: after.balance - value }))
          stateRoot = await trie.set(
            created,
            encodeAccount({ ...(target ?? emptyAccount()), nonce: 1n, balance: (target?.balance ?? 0n) + value }),
          )
          const sub = substate()
          const entry = openMapKey(r, 'created map', sub.createdMap, createdKey(created))
          state = {
            ...state,
            stateRoot,
            substateHash: keccak(writeSubstate({ ...sub, createdMap: entry.value === undefined ? entry.write(1n) : sub.createdMap })),
          }
          enter(child, revertPre)
          break
        }
        case 0xf1:
        case 0xf2:
        case 0xf4:
        case 0xfa: {
          const hasValue = op === 0xf1 || op === 0xf2
          const target = toAddress(a(1))
          const value = hasValue ? a(2) : 0n
          const k = hasValue ? 3 : 2
          const [inOff, inLen, outOff, outLen] = [a(k), a(k + 1), a(k + 2), a(k + 3)]
          if (op === 0xf1 && f.isStatic && value !== 0n) throw new Halt()
          expand(inOff, inLen)
          expand(outOff, outLen)
          use(warm(addressKey(target)) ? 2600n : 100n)
          if (hasValue && value !== 0n) use(9000n)
          const trie = await proofTrie(state.stateRoot, r.next('accounts proof'), 'accounts')
          const targetAccount = decodeAccount(await trie.get(target))
          if (op === 0xf1 && value !== 0n && isEmpty(targetAccount)) use(25000n)
          let code = codeOf(targetAccount)
          if (s.forkId >= 2 && code.delegate !== undefined) {
            // EIP-7702: the code is the delegate's, its access charged and warmed.
            use(warm(addressKey(code.delegate)) ? 2600n : 100n)
            code = codeOf(decodeAccount(await trie.get(code.delegate)))
          }
          const cap = gas - gas / 64n
          const forwarded = a(0) < cap ? a(0) : cap
          const caller = decodeAccount(await trie.get(f.address))
          returnData = emptyView()
          const stipend = hasValue && value !== 0n ? 2300n : 0n
          if (f.depth >= 1024 || (hasValue && value > (caller?.balance ?? 0n))) {
            // Fails fast: no child; the forwarded gas stays and the stipend is the caller's too
            // (execution-specs `evm.gas_left += sub_call`: the 9,000 paid for it).
            gas += stipend
            out = [0n]
            break
          }
          gas -= forwarded
          const revertPre = join([state.stateRoot, state.accessMap, state.transientMap, state.substateHash])
          // The child's account context: touched (created empty if absent), the value moved into it.
          const context = op === 0xf1 || op === 0xfa ? target : f.address
          let stateRoot = state.stateRoot
          if (op !== 0xf4) {
            const from = caller ?? emptyAccount()
            const self = equal(context, f.address)
            const to = self ? { ...from } : (decodeAccount(await trie.get(context)) ?? emptyAccount())
            if (!self) {
              stateRoot = await trie.set(f.address, encodeAccount({ ...from, balance: from.balance - value }))
              to.balance += value
            }
            stateRoot = await trie.set(context, encodeAccount(to))
            if (isEmpty(to)) {
              const sub = substate()
              const touched = openMapKey(r, 'touched map', sub.touchedMap, touchedKey(context))
              if (touched.value === undefined)
                state = { ...state, substateHash: keccak(writeSubstate({ ...sub, touchedMap: touched.write(1n) })) }
            }
          }
          const noRet = outLen === 0n
          const child = freshFrame({
            kind: ({ 241: 0, 242: 1, 244: 2, 250: 3 } as Record<number, number>)[op] as number,
            isStatic: f.isStatic || op === 0xfa,
            depth: f.depth + 1,
            gas: forwarded + stipend,
            codeSize: code.size,
            address: context,
            codeAddress: target,
            caller: op === 0xf4 ? f.caller : f.address,
            value: op === 0xf4 ? f.value : value,
            codeRoot: code.root,
            // The input is read where it lies, in the caller's memory, which stays as it is while the child runs.
            calldata: viewOf(f.memoryRoot, inOff, inLen),
            retOffset: noRet ? 0 : Number(outOff),
            retSize: noRet ? 0 : Number(outLen),
          })
          state = { ...state, stateRoot }
          enter(child, revertPre)
          break
        }
        case 0x56:
        case 0x57: {
          const dest = a(0)
          if (op === 0x56 || a(1) !== 0n) {
            if (dest >= BigInt(f.codeSize)) throw new Halt()
            const d = Number(dest)
            const leaf = code(d >> 5)
            if (((leaf[32 + ((d & 31) >> 3)] as number) & (0x80 >> (d & 7))) === 0) throw new Halt()
            pc = d
          }
          break
        }
        case 0x58:
          out = [BigInt(f.pc)]
          break
        case 0x59:
          out = [32n * BigInt(f.memoryWords)]
          break
        case 0x5a:
          out = [gas]
          break
        case 0x5b:
          break
        case 0x5c: {
          out = [openMapKey(r, 'transient map', s.transientMap, transientKey(f.address, a(0))).value ?? 0n]
          break
        }
        case 0x5d: {
          if (f.isStatic) throw new Halt()
          state = { ...state, transientMap: openMapKey(r, 'transient map', s.transientMap, transientKey(f.address, a(0))).write(a(1)) }
          break
        }
        case 0x5e: {
          const [dest, src, len] = [a(0), a(1), a(2)]
          if (!continuing) {
            copyGas(len)
            expand(dest, len)
            expand(src, len)
          }
          // The source and the destination are two ranges, each proven against the memory root (one
          // range over both would grow with their distance, not with the copy).
          const { from, n } = part(len, dest > src)
          const data = memory([src + from, n])?.read(src + from, n)
          const m = memory([dest + from, n])
          if (m !== undefined && data !== undefined) {
            m.write(dest + from, data)
            m.commit()
          }
          break
        }
        case 0x5f:
          out = [0n]
          break
        case 0xf3:
        case 0xfd: {
          const [offset, len] = [a(0), a(1)]
          expand(offset, len)
          // The output stays where it is: the frame's memory does not change after its halt.
          halt = { status: op === 0xf3 ? 1 : 2, output: viewOf(f.memoryRoot, offset, len) }
          break
        }
        default:
          throw new Halt()
      }
    }

    r.done()
    if (entered !== undefined) return { ...state, frameStackHash: entered.frameStackHash, frameHash: keccak(writeFrame(entered.child)) }
    if (halt !== undefined) {
      // A halting opcode leaves pc, stack and memory as they were; the frame now holds its output.
      const frame: FrameState = { ...f, status: halt.status, gas, output: halt.output }
      return { ...state, frameHash: keccak(writeFrame(frame)) }
    }
    if (progress !== undefined) {
      // The copy or hash goes on at the same pc with its operands on the stack (SPEC.md §6.1).
      return { ...state, frameHash: keccak(writeFrame({ ...f, gas, memoryWords, memoryRoot, progress, sponge: sponge ?? f.sponge })) }
    }
    let stackHash = below
    let stackSize = f.stackSize - sh.reads
    for (const v of out) {
      stackHash = keccak(stackHash, be(v))
      stackSize++
    }
    const frame: FrameState = {
      ...f,
      pc,
      gas,
      stackHash,
      stackSize,
      memoryWords,
      memoryRoot,
      progress: 0,
      sponge: new Uint8Array(32),
      ...(returnData === undefined ? {} : { returnData }),
    }
    return { ...state, frameHash: keccak(writeFrame(frame)) }
  } catch (e) {
    if (e instanceof Halt) return failed()
    throw e
  }
}

/** Opcodes (besides PUSH, DUP and SWAP) that push one word. */
const PUSHES_ONE = new Set([
  0xf0, 0xf5, 0xf1, 0xf2, 0xf4, 0xfa, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
  0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x20, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x38, 0x3a, 0x3b, 0x3d, 0x3f, 0x40,
  0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x51, 0x54, 0x58, 0x59, 0x5a, 0x5c, 0x5f,
])

/**
 * The RLP of a log, `rlp([address, topics, data])`, up to its data (of `len` bytes, more than 55):
 * what a long log's sponge absorbs before the data.
 */
function logHead(address: Uint8Array, topics: Uint8Array[], len: bigint): Uint8Array {
  const header = (n: bigint, base: number) =>
    n <= 55n ? Uint8Array.of(base + Number(n)) : join([Uint8Array.of(base + 55 + byteLength(n)), be(n, byteLength(n))])
  const body = join([
    Uint8Array.of(0x94),
    address,
    header(33n * BigInt(topics.length), 0xc0),
    ...topics.map((t) => join([Uint8Array.of(0xa0), t])),
    header(len, 0x80),
  ])
  return join([header(BigInt(body.length) + len, 0xc0), body])
}
