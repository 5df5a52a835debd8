/**
 * The receipts-trie steps (SPEC.md §4, phase 15; the generator's side is src/trace/receipts-trie.ts):
 * after the last transaction, whose absence of a successor its receipt proved, the receipts list is
 * built into Ethereum's receipts trie one receipt a step, in the order of their keys `rlp(index)`,
 * as a stack trie: with the count known, each key's neighbours and so its leaf's final path are
 * known, the leaf is hashed once (over several steps through a sponge when it is long: its logs
 * are read from the receipt's logs tree), and the unfinished branches on the rightmost path are kept
 * in blockAcc's `trieStack`. Every node is hashed (a receipt is at least 259 bytes), none inlined.
 */
import { RLP } from '@ethereumjs/rlp'
import {
  BLOCK_ACC_BYTES,
  BLOCK_ENV_BYTES,
  equal,
  join,
  keccak,
  type MachineState,
  num,
  opened,
  readBlockAcc,
  readBlockEnv,
  rlpHeader,
  writeBlockAcc,
} from './layout.ts'
import { afterWithdrawal, nibbles } from './list-ends.ts'
import { absorb, emptySponge, KECCAK_CHUNK, openSponge, squeeze } from './sponge.ts'
import { openRange, readView } from './trees.ts'
import { RECEIPTS_LIST_DEPTH } from './tx-end.ts'
import { type ItemReader, WitnessError } from './witness-reader.ts'

/** The transaction index of the receipt at position `p` of `n` in their keys' order: rlp(1) … rlp(127), rlp(0), rlp(128) … */
export function indexAt(p: number, n: number): number {
  const small = Math.min(n, 128) - 1
  return p < small ? p + 1 : p === small ? 0 : p
}

const keyNibbles = (index: number): number[] => nibbles(RLP.encode(index))

function commonPrefix(a: readonly number[], b: readonly number[]): number {
  let i = 0
  while (i < a.length && i < b.length && a[i] === b[i]) i++
  return i
}

/** The hex-prefix encoding of a path (Ethereum's yellow paper, appendix C). */
function hexPrefix(path: readonly number[], leaf: boolean): Uint8Array {
  const odd = path.length % 2
  const out = new Uint8Array(1 + (path.length >> 1))
  out[0] = (((leaf ? 2 : 0) + odd) << 4) | (odd === 1 ? (path[0] as number) : 0)
  for (let i = odd, j = 1; i < path.length; i += 2, j++) out[j] = ((path[i] as number) << 4) | (path[i + 1] as number)
  return out
}

/** An unfinished branch node on the rightmost path: the nibble depth it branches at, its 16 children so far (zero: none). */
interface Branch {
  depth: number
  children: Uint8Array[]
}

const BRANCH_BYTES = 1 + 16 * 32
const ZERO = new Uint8Array(32)

function readStack(r: ItemReader, committed: Uint8Array): Branch[] {
  const b = r.next('receipts trie stack')
  if (!equal(keccak(b), committed)) throw new WitnessError('the receipts trie stack does not hash to blockAcc’s')
  if (b.length % BRANCH_BYTES !== 0) throw new WitnessError(`the receipts trie stack is ${b.length} bytes, not whole branches`)
  return Array.from({ length: b.length / BRANCH_BYTES }, (_, i) => {
    const at = i * BRANCH_BYTES
    return { depth: b[at] as number, children: Array.from({ length: 16 }, (_, c) => b.slice(at + 1 + 32 * c, at + 33 + 32 * c)) }
  })
}

const writeStack = (stack: readonly Branch[]): Uint8Array => join(stack.flatMap((s) => [Uint8Array.of(s.depth), ...s.children]))

const branchHash = (b: Branch): Uint8Array =>
  keccak(RLP.encode([...b.children.map((c) => (equal(c, ZERO) ? new Uint8Array() : c)), new Uint8Array()]))

const extensionHash = (path: readonly number[], child: Uint8Array): Uint8Array => keccak(RLP.encode([hexPrefix(path, false), child]))

/**
 * Puts a finished leaf (its hash) on the stack of unfinished branches, then finishes every branch
 * deeper than `target` (the common prefix with the next key, −1 after the last), linking each into
 * its parent through an extension when nibbles lie between them. Returns the root once none is left.
 */
function pushLeaf(stack: Branch[], key: readonly number[], prev: number, next: number, leaf: Uint8Array): Uint8Array | undefined {
  const top = stack[stack.length - 1]
  if (prev < 0 ? top !== undefined : top?.depth !== prev) throw new WitnessError('the receipts trie stack is not the previous key’s')
  if (next < 0 && prev < 0) return leaf
  if (next > prev) stack.push({ depth: next, children: Array.from({ length: 16 }, () => ZERO) })
  const branch = stack[stack.length - 1] as Branch
  branch.children[key[branch.depth] as number] = leaf
  for (;;) {
    const done = stack[stack.length - 1]
    if (done === undefined || done.depth <= next) return undefined
    stack.pop()
    const hash = branchHash(done)
    let parent = stack[stack.length - 1]
    if ((parent === undefined || parent.depth < next) && next >= 0) {
      parent = { depth: next, children: Array.from({ length: 16 }, () => ZERO) }
      stack.push(parent)
    }
    const above = parent === undefined ? 0 : parent.depth + 1
    const ref = done.depth > above ? extensionHash(key.slice(above, done.depth), hash) : hash
    if (parent === undefined) return ref
    parent.children[key[parent.depth] as number] = ref
  }
}

export async function checkReceiptsTrie(s: MachineState, r: ItemReader): Promise<MachineState> {
  const block = readBlockEnv(opened(r, 'blockEnv', BLOCK_ENV_BYTES, s.blockEnvHash))
  const acc = readBlockAcc(opened(r, 'blockAcc', BLOCK_ACC_BYTES, s.blockAccHash))
  const n = Number(acc.receiptCount)
  const p = s.subIndex
  if (s.txIndex !== n || p >= n) throw new WitnessError(`receipts-trie step ${p} of ${n} receipts after ${s.txIndex} transactions`)
  const index = indexAt(p, n)
  const item = r.next('receipt')
  if (item.length <= 64) throw new WitnessError('a receipt item is its logs tree, their size and the receipt’s head')
  const list = openRange(r, 'receipts list', acc.receiptsList, index, index, RECEIPTS_LIST_DEPTH)
  if (!equal(list.leaves[0] as Uint8Array, keccak(item))) throw new WitnessError(`the receipt is not the list’s receipt ${index}`)
  const logs = { root: item.slice(0, 32), offset: 0, size: Number(num(item.subarray(32, 64))) }
  const head = item.subarray(64)
  // The leaf's path: the key past its common prefixes with its neighbours, and one nibble more for the branch.
  const key = keyNibbles(index)
  const prev = p > 0 ? commonPrefix(key, keyNibbles(indexAt(p - 1, n))) : -1
  const next = p + 1 < n ? commonPrefix(key, keyNibbles(indexAt(p + 1, n))) : -1
  const path = RLP.encode(hexPrefix(key.slice(Math.max(prev, next) + 1), true))
  const valueHeader = rlpHeader(head.length + logs.size, 0x80)
  const prefix = join([rlpHeader(path.length + valueHeader.length + head.length + logs.size, 0xc0), path, valueHeader, head])
  const P = prefix.length
  const total = P + logs.size
  const bytes = (from: number, to: number) =>
    join([
      prefix.subarray(Math.min(from, P), Math.min(to, P)),
      readView(r, 'logs', logs, BigInt(Math.max(from - P, 0)), BigInt(Math.max(to - Math.max(from, P), 0))),
    ])
  const done = Number(acc.leafProgress)
  let leaf: Uint8Array
  if (done === 0 && total <= KECCAK_CHUNK) leaf = keccak(bytes(0, total))
  else {
    if (done >= total) throw new WitnessError(`the leaf's sponge has absorbed ${done} bytes of ${total}`)
    const state = done > 0 ? openSponge(r, acc.leafSponge) : emptySponge()
    if (total - done > KECCAK_CHUNK) {
      const absorbed = absorb(state, bytes(done, done + KECCAK_CHUNK))
      r.done()
      return {
        ...s,
        blockAccHash: keccak(writeBlockAcc({ ...acc, leafProgress: BigInt(done + KECCAK_CHUNK), leafSponge: keccak(absorbed) })),
      }
    }
    leaf = squeeze(state, bytes(done, total))
  }
  const stack = readStack(r, acc.trieStack)
  const root = pushLeaf(stack, key, prev, next, leaf)
  const last = p + 1 === n
  if (last !== (root !== undefined)) throw new WitnessError('the receipts trie does not end with the last receipt')
  const phase = last ? await afterWithdrawal(r, block, 0, s.forkId) : s.phase
  r.done()
  const blockAcc = {
    ...acc,
    receiptsRoot: root ?? acc.receiptsRoot,
    trieStack: keccak(writeStack(stack)),
    leafProgress: 0n,
    leafSponge: ZERO,
  }
  return { ...s, phase, subIndex: last ? 0 : p + 1, blockAccHash: keccak(writeBlockAcc(blockAcc)) }
}
