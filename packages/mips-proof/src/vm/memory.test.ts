import { keccak_256 } from '@noble/hashes/sha3.js'
import { describe, expect, it } from 'vitest'
import { MEMORY_PROOF_SIZE, Memory, rootFromProof, ZERO_HASHES } from './memory.ts'

describe('memory and its Merkle tree', () => {
  it('reads zero where nothing was written', () => {
    expect(new Memory().getWord(0x12345678)).toBe(0)
  })

  it('stores words big-endian', () => {
    const m = new Memory()
    m.setWord(0x1000, 0x11223344)
    expect([0, 1, 2, 3].map((i) => m.getByte(0x1000 + i))).toEqual([0x11, 0x22, 0x33, 0x44])
  })

  it('has the all-zero tree as the root of empty memory', () => {
    expect(new Memory().merkleRoot()).toEqual(ZERO_HASHES[27])
  })

  it('hashes a leaf as its 32 bytes and pairs as keccak256(left ‖ right)', () => {
    const m = new Memory()
    m.setWord(0, 0x01020304)
    const leaf = new Uint8Array(32)
    leaf.set([1, 2, 3, 4])
    let node = leaf
    for (let h = 0; h < 27; h++) {
      const pair = new Uint8Array(64)
      pair.set(node, 0)
      pair.set(ZERO_HASHES[h] as Uint8Array, 32)
      node = keccak_256(pair)
    }
    expect(m.merkleRoot()).toEqual(node)
  })

  it('gives proofs of 28 × 32 bytes that lead back to the root', () => {
    const m = new Memory()
    for (const a of [0, 0x40, 0x1000, 0x7fffcffc, 0x05000000, 0xfffffffc]) m.setWord(a, a ^ 0x5a5a5a5a)
    const root = m.merkleRoot()
    for (const a of [0, 0x44, 0x1000, 0x7fffcff8, 0x05000000, 0xfffffffc, 0x30000000]) {
      const proof = m.merkleProof(a)
      expect(proof.length).toBe(MEMORY_PROOF_SIZE)
      expect(rootFromProof(proof, a)).toEqual(root)
    }
  })

  it('keeps the root current after writes (lazily rehashing only dirty pages)', () => {
    const m = new Memory()
    m.setWord(0x2000, 1)
    const before = m.merkleRoot()
    m.setWord(0x2004, 2)
    const after = m.merkleRoot()
    expect(after).not.toEqual(before)
    const fresh = new Memory()
    fresh.setWord(0x2000, 1)
    fresh.setWord(0x2004, 2)
    expect(fresh.merkleRoot()).toEqual(after)
  })

  it('clones independently', () => {
    const m = new Memory()
    m.setWord(0x3000, 7)
    m.merkleRoot()
    const c = m.clone()
    c.setWord(0x3000, 8)
    expect(m.getWord(0x3000)).toBe(7)
    expect(c.merkleRoot()).not.toEqual(m.merkleRoot())
  })

  it('rehashes incrementally to the same root and proofs as hashing from scratch, clones included', () => {
    // xorshift32: deterministic, so a failure reproduces.
    let seed = 0x5eed1234
    const rand = (n: number) => {
      seed ^= seed << 13
      seed ^= seed >>> 17
      seed ^= seed << 5
      return (seed >>> 0) % n
    }
    // A few pages, so leaves are hit repeatedly; values often zero, so leaves go back to the zero leaf.
    const addr = () => ((0x10000 + rand(3) * 0x1000 + rand(1024) * 4) & ~3) >>> 0
    const value = () => (rand(3) === 0 ? 0 : rand(0x7fffffff) - 0x3fffffff)
    const fresh = (m: Memory) => {
      const f = new Memory()
      for (const p of m.pageIndices()) for (let w = 0; w < 1024; w++) f.setWord(p * 4096 + w * 4, m.getWord(p * 4096 + w * 4))
      return f
    }
    const m = new Memory()
    let clone: Memory | undefined
    for (let round = 0; round < 60; round++) {
      for (let i = rand(6); i >= 0; i--) m.setWord(addr(), value())
      if (round === 20) clone = m.clone()
      if (clone !== undefined && round % 3 === 0) clone.setWord(addr(), value())
      for (const mem of clone === undefined ? [m] : [m, clone]) {
        const root = mem.merkleRoot()
        expect(root).toEqual(fresh(mem).merkleRoot())
        const a = addr()
        expect(rootFromProof(mem.merkleProof(a), a)).toEqual(root)
      }
    }
  })
})
