/**
 * The reference checker's `precompile` step (SPEC.md §5.3): every precompile of the fork is
 * re-executed with its gas from the part of its input it reads — ECRECOVER, SHA-256, RIPEMD-160,
 * identity, MODEXP (EIP-198 with EIP-2565's gas; Osaka's EIP-7823 bounds and EIP-7883 gas), BN254
 * (EIP-196/197), BLAKE2F (EIP-152), KZG point evaluation (EIP-4844), BLS12-381 (EIP-2537) and P-256
 * (EIP-7951). A gas cost above the frame's gas, or an input the EIP rejects, fails the frame with
 * all its gas. A step reads only what the precompile looks at: a fixed-size one nothing when the
 * size is wrong, a prefix one its prefix, MODEXP its lengths and then only what it can pay for; a
 * SHA-256 or RIPEMD-160 input longer than MD_CHUNK is hashed over several steps, the frame's
 * `sponge` word committing to the compression state between them, and a BLS12-381 MSM of more pairs
 * than a step takes is summed a part a step, the sum so far in that word.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { equal, type FrameState, join, keccak, type MachineState, num, writeFrame } from './layout.ts'
import { blake2f, blake2fRounds } from './precompiles/blake2f.ts'
import * as curves from './precompiles/curves.ts'
import {
  initialState,
  MD_CHUNK,
  type MdHash,
  mdAbsorb,
  mdFinish,
  RIPEMD160,
  SHA256,
  stateFromBytes,
  stateToBytes,
} from './precompiles/md-hashes.ts'
import { emptyView, ownView, readView } from './trees.ts'
import { type ItemReader, WitnessError } from './witness-reader.ts'

const words = (n: number) => BigInt(Math.ceil(n / 32))
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
const OSAKA = 3
const IDENTITY = 4
const MODEXP = 5

/**
 * What a one-step precompile reads of its input (SPEC.md §5.3): all of it; its first `prefix` bytes
 * (zeros past the end); or exactly `size` bytes, nothing when the input has another size
 * (`mismatch`: the frame fails, or returns nothing).
 */
type Reads = 'all' | { prefix: number } | { size: number; mismatch: 'fail' | 'empty' }

interface Precompile {
  reads: Reads
  /** The gas: from the input's size, or (BLAKE2F, a fixed size) from the bytes. */
  gas(input: Uint8Array, forkId: number, size: number): bigint
  /** The output; throws {@link curves.PrecompileFailure} for an input the EIP rejects. */
  run(input: Uint8Array, forkId: number): Uint8Array
}

/** Every one-step precompile up to Osaka by address (identity and MODEXP apart); which exist in a fork is the caller's (SPEC.md §4) concern. */
const PRECOMPILES: Record<number, Precompile> = {
  1: { reads: { prefix: 128 }, gas: () => 3000n, run: ecrecover },
  6: { reads: { prefix: 128 }, gas: () => 150n, run: curves.bn254Add },
  7: { reads: { prefix: 96 }, gas: () => 6000n, run: curves.bn254Mul },
  8: { reads: 'all', gas: (_, __, n) => 45000n + 34000n * BigInt(Math.floor(n / 192)), run: curves.bn254Pairing },
  9: {
    reads: { size: 213, mismatch: 'fail' },
    // A malformed input costs nothing up front and then fails with all the gas.
    gas: (i) => BigInt(blake2fRounds(i) ?? 0),
    run: (i) => {
      if (blake2fRounds(i) === undefined) throw new curves.PrecompileFailure('BLAKE2F: malformed input')
      return blake2f(i)
    },
  },
  10: { reads: { size: 192, mismatch: 'fail' }, gas: () => 50000n, run: curves.pointEvaluation },
  11: { reads: { size: 256, mismatch: 'fail' }, gas: () => 375n, run: curves.blsG1Add },
  13: { reads: { size: 512, mismatch: 'fail' }, gas: () => 600n, run: curves.blsG2Add },
  15: { reads: 'all', gas: (_, __, n) => 37700n + 32600n * BigInt(Math.floor(n / 384)), run: curves.blsPairing },
  16: { reads: { size: 64, mismatch: 'fail' }, gas: () => 5500n, run: curves.blsMapFpToG1 },
  17: { reads: { size: 128, mismatch: 'fail' }, gas: () => 23800n, run: curves.blsMapFp2ToG2 },
  256: { reads: { size: 160, mismatch: 'empty' }, gas: () => 6900n, run: curves.p256Verify },
}

/** SHA-256 and RIPEMD-160: a long input hashed MD_CHUNK bytes a step, the compression state between steps. */
const HASHES: Record<number, { hash: MdHash; gas(size: number): bigint }> = {
  2: { hash: SHA256, gas: (n) => 60n + 12n * words(n) },
  3: { hash: RIPEMD160, gas: (n) => 600n + 120n * words(n) },
}

/** A BLS12-381 MSM over several steps: its pair's size, the pairs a step takes, its gas, its MSM and its point addition (EIP-2537 encodings). */
interface Msm {
  pairSize: number
  pairsPerStep: number
  gas(size: number): bigint
  msm(pairs: Uint8Array): Uint8Array
  add(points: Uint8Array): Uint8Array
}
/** The MSMs by address; the pairs a step takes are the most within 32 KiB (SPEC.md §5.3). */
const MSMS: Record<number, Msm> = {
  12: { pairSize: 160, pairsPerStep: 204, gas: curves.blsG1MsmGas, msm: curves.blsG1Msm, add: curves.blsG1Add },
  14: { pairSize: 288, pairsPerStep: 113, gas: curves.blsG2MsmGas, msm: curves.blsG2Msm, add: curves.blsG2Add },
}

const ZERO_WORD = new Uint8Array(32)

/** ECRECOVER: the address that signed hash with (v, r, s), left-padded; nothing for an invalid signature. */
function ecrecover(input: Uint8Array): Uint8Array {
  const padded = new Uint8Array(128)
  padded.set(input.subarray(0, 128))
  const hash = padded.subarray(0, 32)
  const v = num(padded.subarray(32, 64))
  const r = num(padded.subarray(64, 96))
  const s = num(padded.subarray(96, 128))
  if ((v !== 27n && v !== 28n) || r === 0n || s === 0n || r >= SECP256K1_N || s >= SECP256K1_N) return new Uint8Array()
  try {
    const point = new secp256k1.Signature(r, s, Number(v - 27n)).recoverPublicKey(hash)
    return join([new Uint8Array(12), keccak(point.toBytes(false).subarray(1)).subarray(12)])
  } catch {
    return new Uint8Array()
  }
}

// ---- MODEXP: baseLen ‖ expLen ‖ modLen (32 bytes each) ‖ base ‖ exp ‖ mod; the input reads as zeros past its end.

/** EIP-2565's (and, from Osaka, EIP-7883's) gas, `expHead` the exponent's first (up to) 32 bytes. */
function modexpGas(baseLen: bigint, expLen: bigint, modLen: bigint, expHead: bigint, osaka: boolean): bigint {
  // The iteration count: from the exponent's first word and its length beyond it.
  const headBits = BigInt(expHead.toString(2).length) - (expHead === 0n ? 1n : 0n)
  const beyond = expLen > 32n ? (expLen - 32n) * (osaka ? 16n : 8n) : 0n
  const iterations = beyond + (headBits > 1n ? headBits - 1n : 0n)
  const count = iterations < 1n ? 1n : iterations
  const maxLen = baseLen > modLen ? baseLen : modLen
  const w = (maxLen + 7n) / 8n
  if (osaka) {
    const gas = count * (maxLen > 32n ? 2n * w * w : 16n)
    return gas < 500n ? 500n : gas
  }
  const gas = (count * w * w) / 3n
  return gas < 200n ? 200n : gas
}

/** base^exponent mod modulus in `modLen` bytes (0 when the modulus is 0 or 1). */
function modexp(base: bigint, exponent: bigint, modulus: bigint, modLen: bigint): Uint8Array {
  let result = 0n
  if (modulus > 1n) {
    result = 1n
    let b = base % modulus
    for (let e = exponent; e > 0n; e >>= 1n) {
      if (e & 1n) result = (result * b) % modulus
      b = (b * b) % modulus
    }
  }
  const out = new Uint8Array(Number(modLen))
  for (let i = out.length - 1, v = result; i >= 0 && v > 0n; i--, v >>= 8n) out[i] = Number(v & 0xffn)
  return out
}

export function checkPrecompile(s: MachineState, f: FrameState, r: ItemReader): MachineState {
  const address = Number(num(f.codeAddress))
  const size = f.calldata.size
  const done = (frame: FrameState) => {
    r.done()
    return { ...s, frameHash: keccak(writeFrame(frame)) }
  }
  const failed: FrameState = { ...f, status: 3, gas: 0n, output: emptyView(), progress: 0, sponge: ZERO_WORD }
  const succeeded = (cost: bigint, output: FrameState['output']): FrameState =>
    cost <= f.gas ? { ...f, status: 1, gas: f.gas - cost, output } : failed
  const hash = HASHES[address]
  const msm = MSMS[address]
  if (hash !== undefined) {
    const cost = hash.gas(size)
    return done(cost > f.gas ? failed : hashPart(r, f, hash.hash, cost))
  }
  if (msm !== undefined) {
    const cost = msm.gas(size)
    return done(cost > f.gas || size === 0 || size % msm.pairSize !== 0 ? failed : msmPart(r, f, msm, cost, failed))
  }
  if (f.progress !== 0 || !equal(f.sponge, ZERO_WORD))
    throw new WitnessError(`precompile 0x${address.toString(16)} runs in one step: its frame has progress ${f.progress}`)
  // Identity's output is its input where it lies: nothing is read, the gas is the size's.
  if (address === IDENTITY) return done(succeeded(15n + 3n * words(size), f.calldata))
  if (address === MODEXP) return done(modexpStep(r, f, s.forkId, failed))
  const precompile = PRECOMPILES[address]
  if (precompile === undefined) throw new Error(`0x${address.toString(16)} is not a precompile`)
  const plan = precompile.reads
  let input: Uint8Array
  if (plan === 'all') {
    // The cost is the size's: an input it cannot pay for is not read.
    if (precompile.gas(new Uint8Array(), s.forkId, size) > f.gas) return done(failed)
    input = readView(r, 'input', f.calldata, 0n, BigInt(size))
  } else if ('prefix' in plan) input = readView(r, 'input', f.calldata, 0n, BigInt(plan.prefix))
  else if (size !== plan.size) {
    return done(plan.mismatch === 'fail' ? failed : succeeded(precompile.gas(new Uint8Array(), s.forkId, size), emptyView()))
  } else input = readView(r, 'input', f.calldata, 0n, BigInt(size))
  const cost = precompile.gas(input, s.forkId, size)
  if (cost > f.gas) return done(failed)
  try {
    return done(succeeded(cost, ownView(precompile.run(input, s.forkId))))
  } catch (e) {
    if (!(e instanceof curves.PrecompileFailure)) throw e
    return done(failed)
  }
}

/** How the errors of a precompile over several steps name it: what it carries, what it does to its input, what the input is. */
interface PartNames {
  /** SPEC.md's name of what is carried between steps: "hash state", "MSM sum". */
  state: string
  /** The verb for the bytes done: "hashed", "summed". */
  done: string
  /** The input: "an input", "an MSM". */
  of: string
}

/**
 * What a precompile going on over several steps carries between them (SPEC.md §5.3): nothing at
 * progress 0 (and a zero sponge word), else `bytes` bytes from the witness that hash to the frame's
 * sponge word; a frame said to have done all its input already is no state a run reaches.
 */
function openPartial(r: ItemReader, f: FrameState, names: PartNames, bytes: number): Uint8Array | undefined {
  const size = f.calldata.size
  if (f.progress === 0) {
    if (!equal(f.sponge, ZERO_WORD)) throw new WitnessError(`the frame's ${names.state} is not empty before its first step`)
    return undefined
  }
  if (f.progress >= size) throw new WitnessError(`the frame has ${names.done} ${f.progress} bytes of ${names.of} of ${size}`)
  const carried = r.next(names.state, bytes)
  if (!equal(keccak(carried), f.sponge)) throw new WitnessError(`the ${names.state} does not hash to the frame’s sponge`)
  return carried
}

/**
 * A step of SHA-256 or RIPEMD-160 (whose cost the frame's gas covers): the state so far (the
 * initial one at progress 0), then the input's next MD_CHUNK bytes absorbed, or the rest and the
 * padding, the frame then returning the digest.
 */
function hashPart(r: ItemReader, f: FrameState, hash: MdHash, cost: bigint): FrameState {
  const size = f.calldata.size
  const from = f.progress
  const carried = openPartial(r, f, { state: 'hash state', done: 'hashed', of: 'an input' }, hash.stateBytes)
  const state = carried === undefined ? initialState(hash) : stateFromBytes(hash, carried)
  if (size - from > MD_CHUNK) {
    const next = mdAbsorb(hash, state, readView(r, 'input', f.calldata, BigInt(from), BigInt(MD_CHUNK)))
    return { ...f, progress: from + MD_CHUNK, sponge: keccak(stateToBytes(hash, next)) }
  }
  const digest = mdFinish(hash, state, readView(r, 'input', f.calldata, BigInt(from), BigInt(size - from)), size)
  const output = hash === RIPEMD160 ? join([new Uint8Array(12), digest]) : digest
  return { ...f, status: 1, gas: f.gas - cost, output: ownView(output), progress: 0, sponge: ZERO_WORD }
}

/**
 * A step of a BLS12-381 MSM (whose cost the frame's gas covers, of a non-zero number of whole
 * pairs): the sum so far (none at progress 0), plus the MSM of the next pairs — the sum of the parts
 * is the whole's; the frame returns the sum after the last part, and fails, as the whole MSM would,
 * at a part with a point the EIP rejects.
 */
function msmPart(r: ItemReader, f: FrameState, group: Msm, cost: bigint, failed: FrameState): FrameState {
  const size = f.calldata.size
  const from = f.progress
  const sum = openPartial(r, f, { state: 'MSM sum', done: 'summed', of: 'an MSM' }, group.pairSize - 32)
  const n = Math.min(size - from, group.pairsPerStep * group.pairSize)
  const pairs = readView(r, 'input', f.calldata, BigInt(from), BigInt(n))
  let next: Uint8Array
  try {
    const part = group.msm(pairs)
    next = sum === undefined ? part : group.add(join([sum, part]))
  } catch (e) {
    if (!(e instanceof curves.PrecompileFailure)) throw e
    return failed
  }
  if (from + n < size) return { ...f, progress: from + n, sponge: keccak(next) }
  return { ...f, status: 1, gas: f.gas - cost, output: ownView(next), progress: 0, sponge: ZERO_WORD }
}

/**
 * MODEXP's step: the three lengths (the first 96 bytes), then the exponent's first word when its
 * length is not 0 (the gas needs it); the gas and, from Osaka, EIP-7823's bounds; then, when it can
 * pay and the modulus has a length, base, exponent and modulus. Bytes past the input are zeros.
 */
function modexpStep(r: ItemReader, f: FrameState, forkId: number, failed: FrameState): FrameState {
  const at = (offset: bigint, length: bigint) => readView(r, 'input', f.calldata, offset, length)
  const head = at(0n, 96n)
  const [baseLen, expLen, modLen] = [num(head.subarray(0, 32)), num(head.subarray(32, 64)), num(head.subarray(64, 96))]
  if (forkId >= OSAKA && (baseLen > 1024n || expLen > 1024n || modLen > 1024n)) return failed
  const expHead = expLen === 0n ? 0n : num(at(96n + baseLen, expLen < 32n ? expLen : 32n))
  const cost = modexpGas(baseLen, expLen, modLen, expHead, forkId >= OSAKA)
  if (cost > f.gas) return failed
  if (modLen === 0n) return { ...f, status: 1, gas: f.gas - cost, output: emptyView() }
  const base = num(at(96n, baseLen))
  const exponent = num(at(96n + baseLen, expLen))
  const modulus = num(at(96n + baseLen + expLen, modLen))
  return { ...f, status: 1, gas: f.gas - cost, output: ownView(modexp(base, exponent, modulus, modLen)) }
}
