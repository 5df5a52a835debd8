import { ripemd160 } from '@noble/hashes/legacy.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { describe, expect, it } from 'vitest'
import { keccak256 } from '../src/check/keccak.ts'
import {
  initialState,
  MD_BLOCK,
  MD_CHUNK,
  mdAbsorb,
  mdFinish,
  RIPEMD160,
  SHA256,
  stateFromBytes,
  stateToBytes,
} from '../src/check/precompiles/md-hashes.ts'
import { absorb, emptySponge, KECCAK_CHUNK, RATE, squeeze } from '../src/check/sponge.ts'
import { mdStates } from '../src/commit/md-hashes.ts'
import { spongeStates } from '../src/commit/sponge.ts'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + (i >> 8) * 13) & 0xff)

describe('the keccak sponge of SPEC.md §6.1', () => {
  it('the checker’s keccak256 (WebAssembly) is @noble/hashes’s, at every length about the rate and split into parts', () => {
    const data = Uint8Array.from({ length: 3 * RATE + 5 }, (_, i) => (i * 37 + 11) & 0xff)
    for (const n of [0, 1, 31, 32, 64, RATE - 1, RATE, RATE + 1, 2 * RATE, 3 * RATE + 5]) {
      const input = data.subarray(0, n)
      expect(hex(keccak256(input)), `${n} bytes`).toBe(hex(keccak_256(input)))
      expect(hex(keccak256(input.subarray(0, n >> 1), input.subarray(n >> 1))), `${n} bytes in two parts`).toBe(hex(keccak_256(input)))
    }
  })

  it('absorbing whole blocks, then squeezing the rest, gives keccak256, at every split and around the block edges', () => {
    for (const n of [0, 1, 55, 135, 136, 137, 271, 272, 273, 1000, KECCAK_CHUNK - 1, KECCAK_CHUNK, KECCAK_CHUNK + 1, 100_000]) {
      const data = bytes(n)
      const expected = hex(keccak_256(data))
      expect(hex(squeeze(emptySponge(), data)), `${n} bytes in one go`).toBe(expected)
      for (const blocks of [1, 2, 240]) {
        const cut = blocks * RATE
        if (cut > n) continue
        expect(hex(squeeze(absorb(emptySponge(), data.subarray(0, cut)), data.subarray(cut))), `${n} bytes cut at ${cut}`).toBe(expected)
      }
    }
  })

  it('the checker’s states between steps are the generator’s (read from @noble/hashes’s own sponge)', () => {
    const data = bytes(100_000)
    const states = spongeStates(data)
    expect(states.length).toBe(3)
    let state = emptySponge()
    for (const [k, theirs] of states.entries()) {
      state = absorb(state, data.subarray(k * KECCAK_CHUNK, (k + 1) * KECCAK_CHUNK))
      expect(hex(state), `after step ${k}`).toBe(hex(theirs))
    }
    expect(hex(squeeze(state, data.subarray(3 * KECCAK_CHUNK)))).toBe(hex(keccak_256(data)))
    expect(spongeStates(bytes(KECCAK_CHUNK))).toEqual([])
  })

  it('refuses to absorb part of a block', () => {
    expect(() => absorb(emptySponge(), bytes(100))).toThrow(/whole blocks of 136 bytes, not 100/)
  })
})

describe('SHA-256 and RIPEMD-160 as chains of compressions (SPEC.md §5.3)', () => {
  const hashes = [
    ['SHA-256', SHA256, sha256, 'sha256'],
    ['RIPEMD-160', RIPEMD160, ripemd160, 'ripemd160'],
  ] as const
  it('compressing whole blocks, then padding the rest, gives @noble/hashes’s digest, at every block edge and chunk split', () => {
    for (const [name, hash, reference] of hashes)
      for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 127, 128, 1000, MD_CHUNK - 1, MD_CHUNK, MD_CHUNK + 1, 3 * MD_CHUNK + 57]) {
        const data = bytes(n)
        const expected = hex(reference(data))
        expect(hex(mdFinish(hash, initialState(hash), data, n)), `${name} of ${n} bytes in one go`).toBe(expected)
        for (const blocks of [1, 2, 512]) {
          const cut = blocks * MD_BLOCK
          if (cut > n) continue
          const state = mdAbsorb(hash, initialState(hash), data.subarray(0, cut))
          expect(hex(mdFinish(hash, state, data.subarray(cut), n)), `${name} of ${n} bytes cut at ${cut}`).toBe(expected)
        }
      }
  })

  it('the checker’s states between steps are the generator’s (read from @noble/hashes’s hashers), in the bytes the frame commits to', () => {
    const data = bytes(100_000)
    for (const [name, hash, , kind] of hashes) {
      const states = mdStates(kind, data)
      expect(states.length, name).toBe(3)
      let state = initialState(hash)
      for (const [k, theirs] of states.entries()) {
        state = mdAbsorb(hash, state, data.subarray(k * MD_CHUNK, (k + 1) * MD_CHUNK))
        expect(hex(stateToBytes(hash, state)), `${name} after step ${k}`).toBe(hex(theirs))
        expect(hex(stateToBytes(hash, stateFromBytes(hash, theirs))), `${name} state ${k} read back`).toBe(hex(theirs))
      }
    }
    expect(mdStates('sha256', data.subarray(0, MD_CHUNK))).toEqual([])
  })

  it('refuses to compress part of a block', () => {
    expect(() => mdAbsorb(SHA256, initialState(SHA256), bytes(65))).toThrow(/whole blocks of 64/)
  })
})
