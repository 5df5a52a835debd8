/**
 * The checker's keccak sponge (SPEC.md §6.1): KECCAK256 of a long range and the hash of a long log
 * absorb KECCAK_CHUNK bytes a step, the frame committing to the Keccak-f state between steps. The
 * permutation is @noble/hashes's Keccak-f[1600]; the absorbing, padding and squeezing are this
 * file's, held by the tests to keccak256 itself.
 */
import { keccakP } from '@noble/hashes/sha3.js'
import { equal, keccak } from './layout.ts'
import { type ItemReader, WitnessError } from './witness-reader.ts'

/** Keccak-256's rate: the bytes one permutation absorbs. */
export const RATE = 136
/** The bytes a step of a long hash absorbs: the most whole blocks within 32 KiB (SPEC.md §6.1). */
export const KECCAK_CHUNK = 240 * RATE
/** The Keccak-f state, 25 lanes of 8 bytes, in FIPS 202's byte order. */
export const SPONGE_BYTES = 200

function permute(state: Uint8Array): void {
  const w = new Uint32Array(50)
  for (let i = 0; i < 50; i++)
    w[i] =
      ((state[4 * i] as number) |
        ((state[4 * i + 1] as number) << 8) |
        ((state[4 * i + 2] as number) << 16) |
        ((state[4 * i + 3] as number) << 24)) >>>
      0
  keccakP(w)
  for (let i = 0; i < 50; i++) {
    const v = w[i] as number
    state[4 * i] = v & 0xff
    state[4 * i + 1] = (v >>> 8) & 0xff
    state[4 * i + 2] = (v >>> 16) & 0xff
    state[4 * i + 3] = v >>> 24
  }
}

/** The state before anything is absorbed. */
export const emptySponge = (): Uint8Array => new Uint8Array(SPONGE_BYTES)

/** The state after absorbing `blocks`, a whole number of RATE-byte blocks. */
export function absorb(state: Uint8Array, blocks: Uint8Array): Uint8Array {
  if (blocks.length % RATE !== 0) throw new Error(`a sponge absorbs whole blocks of ${RATE} bytes, not ${blocks.length}`)
  const s = state.slice()
  for (let at = 0; at < blocks.length; at += RATE) {
    for (let i = 0; i < RATE; i++) (s[i] as number) ^= blocks[at + i] as number
    permute(s)
  }
  return s
}

/** The digest: `tail` (any length) absorbed with Keccak's padding (0x01 … 0x80), then 32 bytes squeezed. */
export function squeeze(state: Uint8Array, tail: Uint8Array): Uint8Array {
  const whole = tail.length - (tail.length % RATE)
  const last = new Uint8Array(RATE)
  last.set(tail.subarray(whole))
  ;(last[tail.length - whole] as number) ^= 0x01
  ;(last[RATE - 1] as number) ^= 0x80
  return absorb(absorb(state, tail.subarray(0, whole)), last).slice(0, 32)
}

/** A sponge under way: its state, from the witness, checked against the frame's `sponge` word. */
export function openSponge(r: ItemReader, committed: Uint8Array): Uint8Array {
  const state = r.next('sponge state', SPONGE_BYTES)
  if (!equal(keccak(state), committed)) throw new WitnessError('the sponge state does not hash to the frame’s')
  return state
}
