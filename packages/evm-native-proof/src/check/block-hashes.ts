/**
 * The reference checker's `block-hashes` steps (SPEC.md §4, phase 14): BLOCKHASH's tree, bound to
 * the chain. block-start leaves `blockHashesRoot` holding the parent's hash (leaf 255) and its
 * parent's (leaf 254), every other leaf zero; each step then opens up to 64 ancestor headers, each
 * hashing to a leaf already bound, and writes its parentHash into the leaf below. Nothing in the
 * tree is the prover's choice: after the four steps it holds exactly the 256 hashes before the block
 * (zero below genesis).
 */
import { RLP } from '@ethereumjs/rlp'
import { BLOCK_ENV_BYTES, equal, keccak, type MachineState, opened, readBlockEnv, writeBlockEnv } from './layout.ts'
import { afterTransaction, type BytesOracle } from './list-ends.ts'
import { openRange, rangeRoot, zeroRoot } from './trees.ts'
import { type ItemReader, WitnessError } from './witness-reader.ts'

/** SPEC.md §4's phase of these steps. */
export const BLOCK_HASHES = 14
/** Ancestor headers opened by one step. */
export const HEADERS_PER_STEP = 64
/** Steps a block has in this phase: the headers of leaves 254 down to 1 (leaf 1's names leaf 0). */
export const BLOCK_HASH_STEPS = Math.ceil(254 / HEADERS_PER_STEP)

/** The leaves whose headers step `j` opens: `lo … hi`, highest first. */
export function headerLeaves(j: number): { lo: number; hi: number } {
  const hi = 254 - HEADERS_PER_STEP * j
  return { lo: Math.max(1, hi - HEADERS_PER_STEP + 1), hi }
}

/** block-start's tree: leaf 255 the parent's hash, leaf 254 its parent's (zero for genesis), the rest zero. */
export function boundParentsRoot(parentHash: Uint8Array, grandparentHash: Uint8Array): Uint8Array {
  return rangeRoot(
    [grandparentHash, parentHash],
    254,
    8,
    Array.from({ length: 7 }, (_, h) => zeroRoot(h + 1)),
  )
}

/** The parentHash of an ancestor header: the first field of an RLP list of byte strings (15 or more: a header). */
function parentHashOf(raw: Uint8Array): Uint8Array {
  let fields: unknown
  try {
    fields = RLP.decode(raw)
  } catch {
    fields = undefined
  }
  const first = Array.isArray(fields) ? fields[0] : undefined
  if (
    !Array.isArray(fields) ||
    fields.length < 15 ||
    fields.some((f) => !(f instanceof Uint8Array)) ||
    !(first instanceof Uint8Array) ||
    first.length !== 32
  )
    throw new WitnessError('an ancestor header is not a header')
  return first
}

/**
 * block-hashes `subIndex = j`: blockEnv, the range of leaves `lo − 1 … hi` of `blockHashesRoot`, then
 * the header of each leaf `i` from `hi` down to `lo` whose block exists (number − 256 + i ≥ 0), which
 * must hash to leaf `i` (bound by block-start or the step before); leaf `i − 1` becomes its
 * parentHash (zero when block i − 1 would be below genesis). The last step proves what follows, as
 * block-start did before this phase: the first transaction's presence, or the withdrawals'.
 */
export async function checkBlockHashes(s: MachineState, r: ItemReader, oracle?: BytesOracle): Promise<MachineState> {
  const env = readBlockEnv(opened(r, 'blockEnv', BLOCK_ENV_BYTES, s.blockEnvHash))
  const j = s.subIndex
  if (j >= BLOCK_HASH_STEPS) throw new WitnessError(`there is no block-hashes step ${j}`)
  const { lo, hi } = headerLeaves(j)
  const range = openRange(r, 'block hashes', env.blockHashesRoot, lo - 1, hi, 8)
  const leaves = range.leaves.slice()
  const numberOf = (i: number) => env.number - 256n + BigInt(i)
  for (let i = hi; i >= lo; i--) {
    const below = i - 1 - (lo - 1)
    if (numberOf(i) < 0n) {
      leaves[below] = new Uint8Array(32)
      continue
    }
    const header = r.next(`ancestor header ${numberOf(i)}`)
    if (!equal(keccak(header), leaves[i - (lo - 1)] as Uint8Array))
      throw new WitnessError(`the header of block ${numberOf(i)} does not hash to leaf ${i} of the block hashes`)
    leaves[below] = numberOf(i - 1) < 0n ? new Uint8Array(32) : parentHashOf(header)
  }
  const next = { ...env, blockHashesRoot: range.rootWith(leaves) }
  const last = j === BLOCK_HASH_STEPS - 1
  const phase = last ? await afterTransaction(r, next, 0, s.forkId, oracle) : BLOCK_HASHES
  r.done()
  return { ...s, blockEnvHash: keccak(writeBlockEnv(next)), phase, subIndex: last ? 0 : j + 1 }
}
