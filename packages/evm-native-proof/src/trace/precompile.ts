/**
 * precompile steps (SPEC.md §5.3; the checker's side is src/check/precompile.ts): a call into a
 * precompile runs it in one step from the part of its input it reads — a SHA-256 or RIPEMD-160 input
 * longer than MD_CHUNK in several, the frame's sponge word committing to the compression state
 * between them; the frame exit follows. What each precompile reads is written here apart from the
 * checker. A BLS12-381 MSM of more pairs than a step takes sums them a part a step, the sum so far
 * in the sponge word.
 */
import { viewBytes } from '../commit/bytes-tree.ts'
import { concat, H } from '../commit/hash.ts'
import { MD_CHUNK, mdStates } from '../commit/md-hashes.ts'
import { frameData } from './encoding.ts'
import { runPrecompile } from './ethereumjs.ts'
import type { Frame, Tracing } from './state.ts'
import { viewItems } from './witness-parts.ts'

/** The identity precompile's address (its last byte). */
const IDENTITY = 4
const MODEXP = 5
const OSAKA = 3

/** A precompile's number: its address's value (0x01 … 0x11, 0x100). */
const precompileNumber = (address: Uint8Array) => address.reduce((n, b) => n * 256 + b, 0)

export const isIdentity = (address: Uint8Array) => precompileNumber(address) === IDENTITY

const words = (n: number) => BigInt(Math.ceil(n / 32))

/** The precompiles that read a prefix of their input (zeros past it): ECRECOVER, BN254 add and mul. */
const PREFIX: Record<number, number> = { 1: 128, 6: 128, 7: 96 }
/** Those that take one size of input and read nothing of another: BLAKE2F, KZG, the BLS adds and maps, P-256. */
const FIXED: Record<number, number> = { 9: 213, 10: 192, 11: 256, 13: 512, 16: 64, 17: 128, 256: 160 }
/** Those whose cost is their input's size's, which read nothing when the frame cannot pay: SHA-256, RIPEMD-160, the pairings. */
const SIZE_GAS: Record<number, (size: number) => bigint> = {
  2: (n) => 60n + 12n * words(n),
  3: (n) => 600n + 120n * words(n),
  8: (n) => 45000n + 34000n * BigInt(Math.floor(n / 192)),
  15: (n) => 37700n + 32600n * BigInt(Math.floor(n / 384)),
}
/**
 * The BLS MSMs (0x0c, 0x0e) by number: a pair's size, the pairs a step takes (the checker's, written
 * apart: the most within 32 KiB), and the point addition (0x0b, 0x0d) that sums their parts.
 * ethereumjs prices an MSM by its floored pair count before any other check, so its out-of-gas says
 * the frame cannot pay.
 */
const MSM: Record<number, { pairSize: number; pairsPerStep: number; add: number }> = {
  12: { pairSize: 160, pairsPerStep: 204, add: 11 },
  14: { pairSize: 288, pairsPerStep: 113, add: 13 },
}
const addressHex = (n: number) => n.toString(16).padStart(40, '0')

/**
 * The precompile's steps, once the call into it (its value moved) is sealed: each reads the frame,
 * then what §5.3 says of the precompile. `outOfGas`: ethereumjs ran it out of gas.
 */
export async function precompileStep(t: Tracing, f: Frame, outOfGas: boolean): Promise<void> {
  await t.seal()
  const n = precompileNumber(f.codeAddress)
  const size = f.calldata.size
  const input = (from: number, len: number) => viewItems(f.calldata, BigInt(from), BigInt(len))
  let reads: Uint8Array[] = []
  const sizeGas = SIZE_GAS[n]
  if (n === 2 || n === 3) {
    if ((sizeGas as (size: number) => bigint)(size) <= f.gas) {
      await hashParts(t, f, n === 2 ? 'sha256' : 'ripemd160')
      reads = input(f.progress ?? 0, size - (f.progress ?? 0))
    }
  } else if (n === MODEXP) reads = modexpReads(f, t.forkId, outOfGas)
  else if (PREFIX[n] !== undefined) reads = input(0, PREFIX[n])
  else if (FIXED[n] !== undefined) reads = size === FIXED[n] ? input(0, size) : []
  else if (MSM[n] !== undefined) {
    const msm = MSM[n]
    if (!outOfGas && size > 0 && size % msm.pairSize === 0) reads = await msmParts(t, f, n, msm)
  } else if (sizeGas !== undefined) reads = sizeGas(size) > f.gas ? [] : input(0, size)
  // identity reads nothing: its output is its input where it lies.
  const state = (f.progress ?? 0) > 0 ? [f.spongeState as Uint8Array] : []
  await t.cutWitness('precompile', async () => ({ proof: [frameData(f), ...state, ...reads], codes: [] }))
  t.push('precompile')
  f.progress = 0
  f.spongeState = undefined
  f.sponge = undefined
}

/** The steps of a long SHA-256 or RIPEMD-160 input but its last: MD_CHUNK bytes each, the state so far before them. */
async function hashParts(t: Tracing, f: Frame, kind: 'sha256' | 'ripemd160'): Promise<void> {
  for (const [k, next] of mdStates(kind, viewBytes(f.calldata)).entries()) {
    const from = k * MD_CHUNK
    await partStep(t, f, viewItems(f.calldata, BigInt(from), BigInt(MD_CHUNK)), from + MD_CHUNK, next)
  }
}

/**
 * A step of a precompile that goes on over several steps, not its last: the frame, what it carried
 * from the step before (none at progress 0), the part it reads; then the frame moves on to
 * `progress`, carrying `state` (its hash the sponge word).
 */
async function partStep(t: Tracing, f: Frame, part: Uint8Array[], progress: number, state: Uint8Array): Promise<void> {
  const carried = (f.progress ?? 0) > 0 ? [f.spongeState as Uint8Array] : []
  await t.cutWitness('precompile', async () => ({ proof: [frameData(f), ...carried, ...part], codes: [] }))
  t.push('precompile')
  f.progress = progress
  f.spongeState = state
  f.sponge = H(state)
  await t.seal()
}

/**
 * The steps of a long MSM but its last, and the last one's reads: each step sums the next pairs into
 * the sum so far (ethereumjs's own MSM of the part, then its point addition), and stops early at a
 * part ethereumjs rejects (the checker fails the frame there).
 */
async function msmParts(
  t: Tracing,
  f: Frame,
  n: number,
  msm: { pairSize: number; pairsPerStep: number; add: number },
): Promise<Uint8Array[]> {
  const bytes = viewBytes(f.calldata)
  const step = msm.pairsPerStep * msm.pairSize
  let sum: Uint8Array | undefined
  for (let from = 0; ; from += step) {
    const reads = viewItems(f.calldata, BigInt(from), BigInt(Math.min(step, bytes.length - from)))
    if (from + step >= bytes.length) return reads
    const part = await runPrecompile(t.vm, addressHex(n), bytes.subarray(from, from + step))
    if (part === undefined) return reads
    const next = sum === undefined ? part : await runPrecompile(t.vm, addressHex(msm.add), concat([sum, part]))
    if (next === undefined) throw t.diverged('ethereumjs cannot add two sums of its own MSM')
    await partStep(t, f, reads, from + step, next)
    sum = next
  }
}

/**
 * MODEXP's reads: the lengths; unless one is over EIP-7823's bound (Osaka), the exponent's first
 * word; unless the frame cannot pay (the only way it fails then) or the modulus is empty, base,
 * exponent and modulus.
 */
function modexpReads(f: Frame, forkId: number, failed: boolean): Uint8Array[] {
  const bytes = viewBytes(f.calldata)
  const word = (at: number) =>
    bytes.subarray(at, at + 32).reduce((v, b) => (v << 8n) | BigInt(b), 0n) << BigInt(8 * Math.max(0, at + 32 - bytes.length))
  const [baseLen, expLen, modLen] = [word(0), word(32), word(64)]
  const at = (from: bigint, len: bigint) => viewItems(f.calldata, from, len)
  const reads = at(0n, 96n)
  if (forkId >= OSAKA && (baseLen > 1024n || expLen > 1024n || modLen > 1024n)) return reads
  if (expLen > 0n) reads.push(...at(96n + baseLen, expLen < 32n ? expLen : 32n))
  if (failed || modLen === 0n) return reads
  return [...reads, ...at(96n, baseLen), ...at(96n + baseLen, expLen), ...at(96n + baseLen + expLen, modLen)]
}
