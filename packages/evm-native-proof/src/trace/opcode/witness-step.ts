/**
 * What each opcode class's witness function (the files of this folder) is given: the step's live
 * sources, the items cut so far, the stack words the opcode reads, and the helpers that cut the items
 * several classes share, each as the checker's reader of that item reads it.
 */
import { createMerkleProof, type MerklePatriciaTrie } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import { type Account, Address, createAccountFromRLP } from '@ethereumjs/util'
import type { BytesView } from '../../commit/bytes-tree.ts'
import type { CodeTree } from '../../commit/code-tree.ts'
import { concat, H } from '../../commit/hash.ts'
import { KECCAK_CHUNK } from '../../commit/sponge.ts'
import { liveStateTrie, storageTrieAt } from '../ethereumjs.ts'
import type { OpcodeSources } from '../witness.ts'
import { viewItems, writeNodes } from '../witness-parts.ts'

/** Largest byte range a witness can cover (T_24); a range past it makes the step run out of gas first. */
export const TREE_BYTES = 32n * 2n ** 24n

/** One opcode step's witness under way, past its common prefix (frame, code chunk at pc, stack item). */
export interface WitnessStep {
  src: OpcodeSources
  /** The items so far, to push this opcode's own after. */
  proof: Uint8Array[]
  /** Code the step reads through the CodeOracle. */
  codes: Uint8Array[]
  /** The stack words the opcode reads, top first. */
  items: readonly bigint[]
  /** The i-th of them. */
  a(i: number): bigint
  /** Bytes of a long copy or hash the earlier steps moved (SPEC.md §6). */
  done: number
  /** The chunks `[lo, hi]` of a code, as the checker's code reader reads them. */
  codeItem(tree: CodeTree, lo: number, hi: number): void
  /** The memory chunks the given ranges (offset, length) touch, against the memory root; nothing when none is read. */
  memory(...ranges: [bigint, bigint][]): void
  /** A range of a view (calldata, return data), as the checker's `readView` reads it. */
  source(v: BytesView, offset: bigint, len: bigint): void
  /** The chunks of a code a copy reads from it (none past its end). */
  codeSource(tree: CodeTree, offset: bigint, len: bigint): void
  /**
   * The part [from, to) of a hash's `length` bytes this step absorbs, as the checker's `hashed` reads
   * it: all in one step when they fit KECCAK_CHUNK, else the next KECCAK_CHUNK, after the sponge's state.
   */
  hashPart(length: bigint): readonly [bigint, bigint]
  /** The access map's witness of a key that is warmed. */
  warm(key: bigint): void
  /** The world-state trie as it is now. */
  stateTrie(): Promise<MerklePatriciaTrie>
  /** The storage trie of the executing account at the given root (ethereumjs's own instance holds its unflushed layers). */
  storageTrie(account: Account | undefined): MerklePatriciaTrie
  /** An account's proof in a trie (the nodes its write walks, when `write` gives its new value); the account read. */
  accountAt(trie: MerklePatriciaTrie, address: Uint8Array, write?: (a: Account) => Promise<Uint8Array>): Promise<Account | undefined>
}

/** An opcode's own items, pushed after the common prefix; also the codes it reads. */
export type OpcodeWitness = (w: WitnessStep) => void | Promise<void>

/** An opcode whose witness is the common prefix alone: what it reads is in the frame and the stack item. */
export const NOTHING: OpcodeWitness = () => {}

/** The same witness function for each opcode of `[first, last]`. */
export function opcodes(first: number, last: number, witness: OpcodeWitness): Record<number, OpcodeWitness> {
  return Object.fromEntries(Array.from({ length: last - first + 1 }, (_, i) => [first + i, witness]))
}

/** The two items (leaves, siblings) of the chunks `[lo, hi]` of a code. */
export function codeChunks(tree: CodeTree, lo: number, hi: number): Uint8Array[] {
  const r = tree.range(lo, hi)
  return [r.leaves, concat(r.siblings)]
}

/** The step's context, its helpers pushing onto `proof`. */
export function witnessStep(src: OpcodeSources, proof: Uint8Array[], codes: Uint8Array[], items: readonly bigint[]): WitnessStep {
  const f = src.frame
  const done = f.progress ?? 0
  const codeItem = (tree: CodeTree, lo: number, hi: number) => {
    proof.push(...codeChunks(tree, lo, hi))
  }
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
  const source = (v: BytesView, offset: bigint, len: bigint) => {
    if (len <= TREE_BYTES) proof.push(...viewItems(v, offset, len))
  }
  const codeSource = (tree: CodeTree, offset: bigint, len: bigint) => {
    const size = BigInt(tree.code.length)
    if (len === 0n || offset >= size || len > TREE_BYTES) return
    const end = offset + len < size ? offset + len : size
    codeItem(tree, Number(offset / 32n), Number((end - 1n) / 32n))
  }
  const hashPart = (length: bigint): readonly [bigint, bigint] => {
    const chunk = BigInt(KECCAK_CHUNK)
    if (done === 0 && length <= chunk) return [0n, length]
    if (done > 0) proof.push(f.spongeState as Uint8Array)
    const from = BigInt(done)
    return [from, length - from <= chunk ? length : from + chunk]
  }
  const warm = (key: bigint) => {
    proof.push(...src.access.witness(key, true))
  }
  const stateTrie = () => liveStateTrie(src.sm)
  const storageTrie = (account: Account | undefined) =>
    storageTrieAt(src.sm, new Address(f.address), account, account?.storageRoot ?? H(RLP.encode(new Uint8Array())))
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
  const a = (i: number) => items[i] as bigint
  return { src, proof, codes, items, a, done, codeItem, memory, source, codeSource, hashPart, warm, stateTrie, storageTrie, accountAt }
}
