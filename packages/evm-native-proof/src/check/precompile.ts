/**
 * The reference checker's `precompile` step (SPEC.md §4) for the precompiles it implements:
 * ECRECOVER, SHA-256, RIPEMD-160 and the identity. The whole input is opened from the frame's
 * calldata; the output and the gas follow the Yellow Paper. Others are not re-executed yet.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { ripemd160 } from '@noble/hashes/legacy.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { type FrameState, join, keccak, type MachineState, num, writeFrame } from './layout.ts'
import { NotChecked } from './opcode.ts'
import { bytesRoot, openRange } from './trees.ts'
import type { ItemReader } from './witness-reader.ts'

const words = (n: number) => BigInt(Math.ceil(n / 32))
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n

/** Cost and output of the implemented precompiles, by address. */
const PRECOMPILES: Record<number, { gas(input: Uint8Array): bigint; run(input: Uint8Array): Uint8Array }> = {
  1: { gas: () => 3000n, run: ecrecover },
  2: { gas: (i) => 60n + 12n * words(i.length), run: (i) => sha256(i) },
  3: { gas: (i) => 600n + 120n * words(i.length), run: (i) => join([new Uint8Array(12), ripemd160(i)]) },
  4: { gas: (i) => 15n + 3n * words(i.length), run: (i) => i.slice() },
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

export function checkPrecompile(s: MachineState, f: FrameState, r: ItemReader): MachineState {
  const address = Number(num(f.codeAddress))
  const precompile = PRECOMPILES[address]
  if (precompile === undefined) throw new NotChecked(`precompile 0x${address.toString(16)} is not re-executed yet`)
  const input =
    f.calldataSize === 0
      ? new Uint8Array()
      : join(openRange(r, 'input', f.calldataRoot, 0, (f.calldataSize - 1) >> 5, 24).leaves).subarray(0, f.calldataSize)
  r.done()
  const cost = precompile.gas(input)
  const frame: FrameState =
    cost > f.gas
      ? { ...f, status: 3, gas: 0n, outputRoot: bytesRoot(new Uint8Array()), outputSize: 0 }
      : (() => {
          const output = precompile.run(input)
          return { ...f, status: 1, gas: f.gas - cost, outputRoot: bytesRoot(output), outputSize: output.length }
        })()
  return { ...s, frameHash: keccak(writeFrame(frame)) }
}
