/**
 * The tracer's side of the block-hashes steps (SPEC.md §4, phase 14; the checker's is
 * src/check/block-hashes.ts): which leaves each step opens, and the chain of ancestor headers that
 * fills BLOCKHASH's tree; the steps themselves.
 */
import { type Block, type BlockHeader, createBlockHeader } from '@ethereumjs/block'
import type { Common } from '@ethereumjs/common'
import { bytesToHex } from '@ethereumjs/util'
import { type BlockTrace, InputError } from '@stepproof/block-traces'
import { concat, equalBytes, ZERO32 } from '../commit/hash.ts'
import { SparseMerkleTree } from '../commit/merkle.ts'
import { afterTransactions, listEndItems } from './list-ends.ts'
import { PHASE } from './phases.ts'
import type { Tracing } from './state.ts'

/** Ancestor headers a step opens. */
const HEADERS_PER_STEP = 64
/** The block-hashes steps of every block: the headers of leaves 254 down to 1. */
export const BLOCK_HASH_STEPS = Math.ceil(254 / HEADERS_PER_STEP)

/** The leaves whose headers step `j` opens, `lo … hi`; it writes leaves `lo − 1 … hi − 1`. */
export function headerLeaves(j: number): { lo: number; hi: number } {
  const hi = 254 - HEADERS_PER_STEP * j
  return { lo: Math.max(1, hi - HEADERS_PER_STEP + 1), hi }
}

/**
 * BLOCKHASH's tree (T_8 of the 256 hashes before the block, leaf i the hash of block number − 256 + i,
 * zero below genesis) walked down the chain from the parent by each header's parentHash, and the
 * headers the block-hashes steps open, by leaf: the trace must carry every ancestor back to block
 * number − 255 (or genesis).
 */
export function ancestryOf(trace: BlockTrace, parent: Block, common: Common): { tree: SparseMerkleTree; headers: Map<number, Uint8Array> } {
  const byHash = new Map<string, BlockHeader>()
  for (const [k, h] of (trace.ancestors ?? []).entries()) {
    const header = createBlockHeader(h, { common })
    if (byHash.has(bytesToHex(header.hash()))) throw new InputError(`${trace.id}: ancestors.${k} is there twice`)
    byHash.set(bytesToHex(header.hash()), header)
  }
  const number = parent.header.number + 1n
  const tree = new SparseMerkleTree(8)
  const headers = new Map<number, Uint8Array>()
  tree.set(255, parent.hash())
  let below: Uint8Array = parent.header.number > 0n ? parent.header.parentHash : ZERO32
  for (let i = 254; i >= 0; i--) {
    const n = number - 256n + BigInt(i)
    if (n < 0n) break
    tree.set(i, below)
    if (i === 0) break
    const header = byHash.get(bytesToHex(below))
    if (header === undefined || header.number !== n)
      throw new InputError(
        `${trace.id}: the trace carries no header of block ${n} (hash ${bytesToHex(below)}); the native proof binds the 256 block hashes before the block to their headers (SPEC.md §4, block-hashes), so "ancestors" must hold blocks ${number < 255n ? 0n : number - 255n} to ${number - 2n}`,
      )
    headers.set(i, header.serialize())
    below = n > 0n ? header.parentHash : ZERO32
  }
  return { tree, headers }
}

/**
 * The block-hashes steps (SPEC.md §4): step j opens the headers of leaves `hi` down to `lo` (those
 * at or above genesis) and writes each one's parentHash into the leaf below; the last one proves
 * what follows, the first transaction or the withdrawals.
 */
export async function blockHashSteps(t: Tracing): Promise<void> {
  const block = t.block
  for (let j = 0; j < BLOCK_HASH_STEPS; j++) {
    const { lo, hi } = headerLeaves(j)
    const exists = (i: number) => block.header.number - 256n + BigInt(i) >= 0n
    const last = j === BLOCK_HASH_STEPS - 1
    await t.cutWitness('block-hashes', async () => {
      const leaves = Array.from({ length: hi - lo + 2 }, (_, k) => t.boundHashes.leaf(lo - 1 + k))
      const proof = [t.blockEnv, concat(leaves), concat(t.boundHashes.rangeProof(lo - 1, hi))]
      for (let i = hi; i >= lo; i--) if (exists(i)) proof.push(t.ancestorHeaders.get(i) as Uint8Array)
      const ends = last ? await listEndItems(t, 0, 0) : { items: [], bytes: [] }
      proof.push(...ends.items)
      return { proof, codes: [], bytes: ends.bytes }
    })
    t.setBoundHashes(Array.from({ length: hi - lo + 1 }, (_, k) => [lo - 1 + k, t.blockHashes.leaf(lo - 1 + k)] as [number, Uint8Array]))
    t.phase = last ? (block.transactions.length > 0 ? PHASE.TX_START : afterTransactions(t)) : PHASE.BLOCK_HASHES
    t.subIndex = last ? 0 : j + 1
    await t.step('block-hashes')
  }
  if (!equalBytes(t.boundHashes.root(), t.blockHashes.root()))
    throw new Error(`${t.trace.id}: the block-hashes steps fill another tree than the chain's`)
}
