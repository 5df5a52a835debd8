/**
 * The receipts-trie steps (SPEC.md §4 phase 15, §5.4; the checker's side is src/check/receipts-trie.ts):
 * after the last transaction, the receipts go into Ethereum's receipts trie one a step in the order
 * of their keys `rlp(index)`, each leaf hashed once with its final path (a long one KECCAK_CHUNK bytes
 * a step through the sponge, its logs read from its logs tree), the unfinished branches on the
 * rightmost path kept as a stack. The root must be the one ethereumjs's trie of the same receipts has.
 */
import { RLP } from '@ethereumjs/rlp'
import { concat, equalBytes, H, ZERO32 } from '../commit/hash.ts'
import { KECCAK_CHUNK, spongeStates } from '../commit/sponge.ts'
import { afterTransactions, listEndItems } from './list-ends.ts'
import { type ReceiptRecord, receiptItem, type Tracing } from './state.ts'
import { viewItems } from './witness-parts.ts'

/** Transaction indices in their keys' byte order: rlp(1) … rlp(127) sort before rlp(0) = 0x80, and rlp(128) … after it. */
export function keyOrder(n: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i)
  const key = (i: number) => Buffer.from(RLP.encode(i))
  return order.sort((a, b) => Buffer.compare(key(a), key(b)))
}

const nibblesOf = (bytes: Uint8Array): number[] => Array.from(bytes, (b) => [b >> 4, b & 0xf]).flat()

function sharedNibbles(a: number[], b: number[] | undefined): number {
  if (b === undefined) return -1
  let i = 0
  for (; i < a.length && a[i] === b[i]; i++);
  return i
}

/** Compact (hex-prefix) encoding of a nibble path. */
function compact(path: number[], terminal: boolean): Uint8Array {
  const nibbles = path.length % 2 === 1 ? [terminal ? 3 : 1, ...path] : [terminal ? 2 : 0, 0, ...path]
  const out = new Uint8Array(nibbles.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = ((nibbles[2 * i] as number) << 4) | (nibbles[2 * i + 1] as number)
  return out
}

/** An unfinished branch: the depth of the nibble it branches on, and its children (zero: none yet). */
interface OpenBranch {
  at: number
  kids: Uint8Array[]
}

const newBranch = (at: number): OpenBranch => ({ at, kids: new Array(16).fill(ZERO32) })
const stackBytes = (stack: OpenBranch[]): Uint8Array => concat(stack.flatMap((b) => [Uint8Array.of(b.at), ...b.kids]))
const hashBranch = (b: OpenBranch): Uint8Array =>
  H(RLP.encode([...b.kids.map((k) => (k === ZERO32 ? Uint8Array.of() : k)), Uint8Array.of()]))

/** The leaf node's bytes: `rlp([compact(path), receipt])` with the receipt's head ‖ its logs. */
function leafBytes(record: ReceiptRecord, path: number[]): Uint8Array {
  const receipt = concat([record.head, record.logs.bytes.subarray(0, record.logsSize)])
  return RLP.encode([compact(path, true), receipt])
}

export async function buildReceiptsTrie(t: Tracing): Promise<void> {
  const n = t.receiptCount
  const order = keyOrder(n)
  const keys = order.map((i) => nibblesOf(RLP.encode(i)))
  const stack: OpenBranch[] = []
  let root: Uint8Array | undefined
  for (const [p, index] of order.entries()) {
    const record = t.receiptRecords[index] as ReceiptRecord
    const key = keys[p] as number[]
    const before = sharedNibbles(key, keys[p - 1])
    const after = sharedNibbles(key, keys[p + 1])
    const bytes = leafBytes(record, key.slice(Math.max(before, after) + 1))
    const prefix = bytes.length - record.logsSize
    const logsView = { tree: record.logs, root: record.logsRoot, offset: 0, size: record.logsSize }
    const item = receiptItem(record)
    const states = bytes.length > KECCAK_CHUNK ? spongeStates(bytes) : []
    const parts = states.length + 1
    for (let k = 0; k < parts; k++) {
      const from = k * KECCAK_CHUNK
      const to = k + 1 < parts ? from + KECCAK_CHUNK : bytes.length
      const lastPart = k + 1 === parts
      const lastLeaf = p + 1 === n
      // The stack as this leaf finds it (and, at its last part, leaves it).
      const found = stackBytes(stack)
      await t.cutWitness('receipts-trie', async () => ({
        codes: [],
        proof: [
          t.blockEnv,
          t.blockAccBytes(),
          item,
          t.receiptsList.leaf(index),
          concat(t.receiptsList.rangeProof(index, index)),
          ...(k > 0 ? [states[k - 1] as Uint8Array] : []),
          ...viewItems(logsView, BigInt(Math.max(from - prefix, 0)), BigInt(Math.max(to - Math.max(from, prefix), 0))),
          ...(lastPart ? [found] : []),
          ...(lastPart && lastLeaf ? (await listEndItems(t, undefined, 0)).items : []),
        ],
      }))
      if (!lastPart) {
        t.leafProgress = to
        t.leafSponge = H(states[k] as Uint8Array)
        await t.step('receipts-trie')
        continue
      }
      root = pushLeaf(stack, key, before, after, H(bytes))
      t.leafProgress = 0
      t.leafSponge = ZERO32
      t.trieStack = H(stackBytes(stack))
      if (lastLeaf) {
        t.receiptsRoot = root as Uint8Array
        t.phase = afterTransactions(t)
        t.subIndex = 0
      } else t.subIndex = p + 1
      await t.step('receipts-trie')
    }
  }
  if (root === undefined || !equalBytes(root, t.receiptsTrie.root()))
    throw t.diverged('the receipts-trie steps reach another receipts root', { expected: t.receiptsTrie.root(), actual: root })
}

/**
 * The leaf into its branch (a new one when the next key shares more nibbles than the previous), then
 * every branch deeper than what the next key shares closed into its parent, through an extension
 * over the nibbles between them; the root when nothing is left open.
 */
function pushLeaf(stack: OpenBranch[], key: number[], before: number, after: number, leaf: Uint8Array): Uint8Array | undefined {
  if (before < 0 && after < 0) return leaf
  if (after > before) stack.push(newBranch(after))
  const open = stack[stack.length - 1] as OpenBranch
  open.kids[key[open.at] as number] = leaf
  while ((stack[stack.length - 1]?.at ?? -1) > after) {
    const closed = stack.pop() as OpenBranch
    let ref = hashBranch(closed)
    if (after >= 0 && (stack[stack.length - 1]?.at ?? -1) < after) stack.push(newBranch(after))
    const parent = stack[stack.length - 1]
    const start = parent === undefined ? 0 : parent.at + 1
    if (closed.at > start) ref = H(RLP.encode([compact(key.slice(start, closed.at), false), ref]))
    if (parent === undefined) return ref
    parent.kids[key[parent.at] as number] = ref
  }
  return undefined
}
