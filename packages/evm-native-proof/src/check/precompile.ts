/**
 * The reference checker's `precompile` step (SPEC.md §5.3): the whole input is opened from the
 * frame's calldata, then every precompile of the fork is re-executed with its gas — ECRECOVER,
 * SHA-256, RIPEMD-160, identity, MODEXP (EIP-198 with EIP-2565's gas; Osaka's EIP-7823 bounds
 * and EIP-7883 gas), BN254 (EIP-196/197), BLAKE2F (EIP-152), KZG point evaluation (EIP-4844),
 * BLS12-381 (EIP-2537) and P-256 (EIP-7951). A gas cost above the frame's gas, or an input the
 * EIP rejects, fails the frame with all its gas.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { ripemd160 } from '@noble/hashes/legacy.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { type FrameState, join, keccak, type MachineState, num, writeFrame } from './layout.ts'
import { blake2f, blake2fRounds } from './precompiles/blake2f.ts'
import * as curves from './precompiles/curves.ts'
import { emptyView, ownView, readView } from './trees.ts'
import type { ItemReader } from './witness-reader.ts'

const words = (n: number) => BigInt(Math.ceil(n / 32))
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
const OSAKA = 3
const IDENTITY = 4

interface Precompile {
  gas(input: Uint8Array, forkId: number): bigint
  /** The output; throws {@link curves.PrecompileFailure} for an input the EIP rejects. */
  run(input: Uint8Array, forkId: number): Uint8Array
}

/** Every precompile up to Osaka by address; which exist in a fork is the caller's (SPEC.md §4) concern. */
const PRECOMPILES: Record<number, Precompile> = {
  1: { gas: () => 3000n, run: ecrecover },
  2: { gas: (i) => 60n + 12n * words(i.length), run: (i) => sha256(i) },
  3: { gas: (i) => 600n + 120n * words(i.length), run: (i) => join([new Uint8Array(12), ripemd160(i)]) },
  // Identity is checked apart (checkPrecompile): its output is a view of its input.
  4: { gas: (i) => 15n + 3n * words(i.length), run: (i) => i.slice() },
  5: { gas: modexpGas, run: modexp },
  6: { gas: () => 150n, run: curves.bn254Add },
  7: { gas: () => 6000n, run: curves.bn254Mul },
  8: { gas: (i) => 45000n + 34000n * BigInt(Math.floor(i.length / 192)), run: curves.bn254Pairing },
  9: {
    // A malformed input costs nothing up front and then fails with all the gas.
    gas: (i) => BigInt(blake2fRounds(i) ?? 0),
    run: (i) => {
      if (blake2fRounds(i) === undefined) throw new curves.PrecompileFailure('BLAKE2F: malformed input')
      return blake2f(i)
    },
  },
  10: { gas: () => 50000n, run: curves.pointEvaluation },
  11: { gas: () => 375n, run: curves.blsG1Add },
  12: { gas: curves.blsG1MsmGas, run: curves.blsG1Msm },
  13: { gas: () => 600n, run: curves.blsG2Add },
  14: { gas: curves.blsG2MsmGas, run: curves.blsG2Msm },
  15: { gas: (i) => 37700n + 32600n * BigInt(Math.floor(i.length / 384)), run: curves.blsPairing },
  16: { gas: () => 5500n, run: curves.blsMapFpToG1 },
  17: { gas: () => 23800n, run: curves.blsMapFp2ToG2 },
  256: { gas: () => 6900n, run: curves.p256Verify },
}

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

/** `length` bytes of the input from `offset` (either may be huge), zeros past the end. */
function slice(input: Uint8Array, offset: bigint, length: bigint): Uint8Array {
  const out = new Uint8Array(Number(length))
  if (offset < BigInt(input.length)) out.set(input.subarray(Number(offset), Number(offset) + out.length))
  return out
}

function modexpLengths(input: Uint8Array): [bigint, bigint, bigint] {
  const head = slice(input, 0n, 96n)
  return [num(head.subarray(0, 32)), num(head.subarray(32, 64)), num(head.subarray(64, 96))]
}

/** EIP-2565's (and, from Osaka, EIP-7883's) gas. */
function modexpGas(input: Uint8Array, forkId: number): bigint {
  const [baseLen, expLen, modLen] = modexpLengths(input)
  const osaka = forkId >= OSAKA
  // The iteration count: from the exponent's first (up to) 32 bytes and its length beyond them.
  const head = expLen === 0n ? 0n : num(slice(input, 96n + baseLen, expLen < 32n ? expLen : 32n))
  const headBits = BigInt(head.toString(2).length) - (head === 0n ? 1n : 0n)
  const beyond = expLen > 32n ? (expLen - 32n) * (osaka ? 16n : 8n) : 0n
  const iterations = beyond + (headBits > 1n ? headBits - 1n : 0n)
  const count = iterations < 1n ? 1n : iterations
  // biome-ignore lint/complexity/useMathMinMax: Math.max does not take bigints
  const maxLen = baseLen > modLen ? baseLen : modLen
  const w = (maxLen + 7n) / 8n
  if (osaka) {
    const gas = count * (maxLen > 32n ? 2n * w * w : 16n)
    return gas < 500n ? 500n : gas
  }
  const gas = (count * w * w) / 3n
  return gas < 200n ? 200n : gas
}

function modexp(input: Uint8Array, forkId: number): Uint8Array {
  const [baseLen, expLen, modLen] = modexpLengths(input)
  if (forkId >= OSAKA && (baseLen > 1024n || expLen > 1024n || modLen > 1024n))
    throw new curves.PrecompileFailure('MODEXP: a length is above 1,024 bytes (EIP-7823)')
  if (modLen === 0n) return new Uint8Array()
  // Before Osaka a length this large cannot be paid for: the gas check fails first.
  const base = num(slice(input, 96n, baseLen))
  const exponent = num(slice(input, 96n + baseLen, expLen))
  const modulus = num(slice(input, 96n + baseLen + expLen, modLen))
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
  const precompile = PRECOMPILES[address]
  if (precompile === undefined) throw new Error(`0x${address.toString(16)} is not a precompile`)
  const failed: FrameState = { ...f, status: 3, gas: 0n, output: emptyView() }
  if (address === IDENTITY) {
    // Its output is its input where it lies (SPEC.md §5.3): nothing is read, the gas is the size's.
    r.done()
    const cost = 15n + 3n * words(f.calldata.size)
    const frame = cost <= f.gas ? { ...f, status: 1, gas: f.gas - cost, output: f.calldata } : failed
    return { ...s, frameHash: keccak(writeFrame(frame)) }
  }
  const input = readView(r, 'input', f.calldata, 0n, BigInt(f.calldata.size))
  r.done()
  const cost = precompile.gas(input, s.forkId)
  let frame = failed
  if (cost <= f.gas) {
    try {
      const output = precompile.run(input, s.forkId)
      frame = { ...f, status: 1, gas: f.gas - cost, output: ownView(output) }
    } catch (e) {
      if (!(e instanceof curves.PrecompileFailure)) throw e
    }
  }
  return { ...s, frameHash: keccak(writeFrame(frame)) }
}
