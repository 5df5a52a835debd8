import { keccak_256 } from '@noble/hashes/sha3.js'
import { describe, expect, it } from 'vitest'
import { absorb, emptySponge, KECCAK_CHUNK, RATE, squeeze } from '../src/check/sponge.ts'
import { spongeStates } from '../src/commit/sponge.ts'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + (i >> 8) * 13) & 0xff)

describe('the keccak sponge of SPEC.md §6.1', () => {
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
