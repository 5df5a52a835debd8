/**
 * The generator's side of SPEC.md §5.3's long SHA-256 and RIPEMD-160 inputs: the compression states
 * such a hash passes through, MD_CHUNK bytes a step. They are read from @noble/hashes's own hashers
 * (their `get()`, protected in its types, returns the state words); the checker compresses with its
 * own code (src/check/precompiles/md-hashes.ts), so the two agree only if both follow the standards.
 */
import { ripemd160 } from '@noble/hashes/legacy.js'
import { sha256 } from '@noble/hashes/sha2.js'

/** The bytes a step of a long SHA-256 or RIPEMD-160 input hashes (the checker's MD_CHUNK, written apart): 512 blocks of 64. */
export const MD_CHUNK = 32768

/** The states after each step but the last of hashing `input` MD_CHUNK bytes a step (none when it fits one step). */
export function mdStates(kind: 'sha256' | 'ripemd160', input: Uint8Array): Uint8Array[] {
  const hasher = kind === 'sha256' ? sha256.create() : ripemd160.create()
  const states: Uint8Array[] = []
  for (let at = 0; input.length - at > MD_CHUNK; at += MD_CHUNK) {
    hasher.update(input.subarray(at, at + MD_CHUNK))
    states.push(hasherState(hasher, kind))
  }
  return states
}

/** A hasher's state after whole 64-byte blocks: SHA-256's in its big-endian words, RIPEMD-160's in its little-endian ones (as their digests are). */
export function hasherState(hasher: unknown, kind: 'sha256' | 'ripemd160'): Uint8Array {
  const words = (hasher as { get(): number[] }).get()
  const bytes = new Uint8Array(words.length * 4)
  for (const [i, w] of words.entries()) new DataView(bytes.buffer).setUint32(4 * i, w >>> 0, kind === 'ripemd160')
  return bytes
}
