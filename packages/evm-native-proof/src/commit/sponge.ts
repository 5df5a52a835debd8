/**
 * The generator's side of SPEC.md §6.1's keccak sponge: the Keccak-f states a long KECCAK256 or LOG
 * passes through, KECCAK_CHUNK bytes a step. They are read from @noble/hashes's own keccak256 sponge
 * (its `state`, protected in its types, is FIPS 202's 200-byte state); the checker absorbs with its
 * own code (src/check/sponge.ts), so the two agree only if both follow keccak256.
 */
import { keccak_256 } from '@noble/hashes/sha3.js'

/** Keccak-256's rate, and the bytes a step of a long hash absorbs (the checker's KECCAK_CHUNK, written apart). */
export const KECCAK_RATE = 136
export const KECCAK_CHUNK = 240 * KECCAK_RATE

/** The states after each step but the last of hashing `stream` KECCAK_CHUNK bytes a step (none when it fits one step). */
export function spongeStates(stream: Uint8Array): Uint8Array[] {
  const hasher = keccak_256.create()
  const states: Uint8Array[] = []
  for (let at = 0; stream.length - at > KECCAK_CHUNK; at += KECCAK_CHUNK) {
    hasher.update(stream.subarray(at, at + KECCAK_CHUNK))
    states.push((hasher as unknown as { state: Uint8Array }).state.slice())
  }
  return states
}
