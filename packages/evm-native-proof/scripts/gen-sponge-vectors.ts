/**
 * Writes contracts/test/vectors/sponge.json: `pnpm gen:sponge-vectors`.
 *
 * The checker's sponge state after absorbing deterministic pseudo-random blocks (1, 2 and 5 from the empty
 * state, 2 from a pseudo-random one), with its keccak256 (what a frame commits to), for
 * contracts/src/evm/lib/Sponge.sol (contracts/test/Sponge.t.sol): the two must agree on the state's byte order.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_ROOT, toHex } from '@stepproof/block-traces'
import { keccak } from '../src/check/layout.ts'
import { absorb, emptySponge, RATE, SPONGE_BYTES } from '../src/check/sponge.ts'

const OUT = 'contracts/test/vectors/sponge.json'
const REGENERATE = 'pnpm gen:sponge-vectors'

/** `len` bytes of keccak256(label ‖ counter) for counter 0, 1, …: the same bytes on every run. */
function pseudoRandom(label: string, len: number): Uint8Array {
  const seed = new TextEncoder().encode(label)
  const out = new Uint8Array(len)
  for (let at = 0, n = 0; at < len; at += 32, n++) {
    const counter = new Uint8Array(8)
    new DataView(counter.buffer).setBigUint64(0, BigInt(n))
    const input = new Uint8Array(seed.length + 8)
    input.set(seed)
    input.set(counter, seed.length)
    out.set(keccak(input).subarray(0, Math.min(32, len - at)), at)
  }
  return out
}

function vector(name: string, from: Uint8Array, blockCount: number) {
  const blocks = pseudoRandom(name, blockCount * RATE)
  const state = absorb(from, blocks)
  return { blocks: toHex(blocks), from: toHex(from), hash: toHex(keccak(state)), name, state: toHex(state) }
}

const vectors = [
  vector('1 block from the empty state', emptySponge(), 1),
  vector('2 blocks from the empty state', emptySponge(), 2),
  vector('5 blocks from the empty state', emptySponge(), 5),
  vector('2 blocks from a pseudo-random state', pseudoRandom('a state', SPONGE_BYTES), 2),
]
const out = join(REPO_ROOT, OUT)
writeFileSync(out, `{"generatedBy":${JSON.stringify(REGENERATE)},\n"vectors":[\n${vectors.map((v) => JSON.stringify(v)).join(',\n')}\n]}\n`)
console.log(`${vectors.length} sponge vectors written to ${out}`)
