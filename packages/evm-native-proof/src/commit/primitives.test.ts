import { keccak_256 } from '@noble/hashes/sha3.js'
import { describe, expect, it } from 'vitest'
import { checkMapLookup, rootFromBranch } from '../check/merkle.ts'
import { ChunkedBytes } from './bytes-tree.ts'
import { CodeTree, codeLeaf, jumpdests } from './code-tree.ts'
import { H, uint, ZERO32 } from './hash.ts'
import { IndexedMap } from './indexed-map.ts'
import { SparseMerkleTree, zeroHash } from './merkle.ts'
import { StackChain } from './stack.ts'

// xorshift32, seeded: failures reproduce.
function rng(seed: number) {
  let s = seed >>> 0 || 1
  return (n: number) => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return (s >>> 0) % n
  }
}

/** The root of a complete tree over `leaves` (2^depth of them), computed level by level. */
function naiveRoot(leaves: Uint8Array[]): Uint8Array {
  let level = leaves
  while (level.length > 1) {
    const next: Uint8Array[] = []
    for (let i = 0; i < level.length; i += 2)
      next.push(keccak_256(new Uint8Array([...(level[i] as Uint8Array), ...(level[i + 1] as Uint8Array)])))
    level = next
  }
  return level[0] as Uint8Array
}

describe('uint', () => {
  it('writes big-endian at every width, about 2^53, 2^64, 2^160 and 2^256, and throws when a value does not fit', () => {
    const values = [
      0n,
      1n,
      255n,
      256n,
      2n ** 53n - 1n,
      2n ** 53n,
      2n ** 64n - 1n,
      2n ** 64n,
      2n ** 160n - 1n,
      2n ** 160n,
      2n ** 255n,
      2n ** 256n - 1n,
    ]
    for (const width of [1, 2, 4, 5, 8, 13, 20, 32])
      for (const v of values.flatMap((x) => [x, x + 1n, x + 7n])) {
        const hex = v.toString(16).padStart(2 * width, '0')
        if (hex.length > 2 * width) expect(() => uint(v, width), `${v} in ${width}`).toThrow(RangeError)
        else expect(Buffer.from(uint(v, width)).toString('hex'), `${v} in ${width}`).toBe(hex)
      }
  })
})

describe('SparseMerkleTree', () => {
  it('has the root of a naive full tree after random writes, zero writes included, and proofs that lead to it', () => {
    const rand = rng(7)
    const t = new SparseMerkleTree(6)
    const leaves = Array.from({ length: 64 }, () => ZERO32)
    for (let round = 0; round < 40; round++) {
      for (let k = rand(4); k >= 0; k--) {
        const i = rand(64)
        const leaf = rand(3) === 0 ? new Uint8Array(32) : keccak_256(new Uint8Array([round, k, i]))
        t.set(i, leaf)
        leaves[i] = leaf
      }
      expect(t.root()).toEqual(naiveRoot(leaves))
      const i = rand(64)
      expect(rootFromBranch(t.leaf(i), i, t.proof(i))).toEqual(t.root())
    }
  })

  it('starts at the all-zero root and refuses leaves outside it', () => {
    expect(new SparseMerkleTree(24).root()).toBe(zeroHash(24))
    expect(() => new SparseMerkleTree(4).set(16, ZERO32)).toThrow(/outside the tree/)
  })
})

describe('ChunkedBytes (T_24)', () => {
  it('commits to the bytes in 32-byte chunks, zero-padded, however they were written', () => {
    const bytes = Uint8Array.from({ length: 100 }, (_, i) => i + 1)
    const piecewise = new ChunkedBytes()
    piecewise.write(60, bytes.subarray(60))
    piecewise.write(0, bytes.subarray(0, 60))
    expect(piecewise.root()).toEqual(ChunkedBytes.root(bytes))
    const t = new SparseMerkleTree(24)
    for (let c = 0; c < 4; c++) {
      const chunk = new Uint8Array(32)
      chunk.set(bytes.subarray(32 * c, 32 * c + 32))
      t.set(c, chunk)
    }
    expect(ChunkedBytes.root(bytes)).toEqual(t.root())
    const { leaf, siblings } = piecewise.proof(3)
    expect(leaf.subarray(0, 4)).toEqual(Uint8Array.from([97, 98, 99, 100]))
    expect(rootFromBranch(leaf, 3, siblings)).toEqual(piecewise.root())
  })
})

describe('CodeTree', () => {
  it('flags JUMPDEST opcodes and not 0x5b bytes inside PUSH data', () => {
    // PUSH2 0x5b5b, JUMPDEST, PUSH1 0x5b, JUMPDEST, STOP
    const code = Uint8Array.from([0x61, 0x5b, 0x5b, 0x5b, 0x60, 0x5b, 0x5b, 0x00])
    expect([...jumpdests(code)]).toEqual([0, 0, 0, 1, 0, 0, 1, 0])
    const tree = new CodeTree(code)
    expect(tree.chunks[0]?.mask).toBe(((1 << (31 - 3)) | (1 << (31 - 6))) >>> 0)
  })

  it('hashes each chunk with its mask, leaves past the code zero, and proves chunks', () => {
    const code = Uint8Array.from({ length: 70 }, (_, i) => (i === 40 ? 0x5b : 0x01))
    const tree = new CodeTree(code)
    expect(tree.chunks.length).toBe(3)
    const t = new SparseMerkleTree(16)
    for (const [i, c] of tree.chunks.entries()) t.set(i, H(c.chunk, uint(c.mask, 4)))
    expect(tree.root()).toEqual(t.root())
    const c1 = tree.chunks[1] as { chunk: Uint8Array; mask: number }
    expect(c1.mask).toBe((1 << (31 - 8)) >>> 0)
    expect(rootFromBranch(codeLeaf(c1.chunk, c1.mask), 1, tree.proof(1))).toEqual(tree.root())
  })
})

describe('StackChain', () => {
  it('equals the fold H(H(0 ‖ a) ‖ b)… whatever stacks it moved through, and opens the top', () => {
    const chain = new StackChain()
    const fold = (items: bigint[]) => items.reduce((s, v) => H(s, uint(v)), ZERO32 as Uint8Array)
    const rand = rng(11)
    let stack: bigint[] = []
    for (let i = 0; i < 200; i++) {
      if (stack.length > 0 && rand(3) === 0) stack = stack.slice(0, stack.length - 1 - rand(Math.min(3, stack.length)))
      else stack = [...stack, BigInt(rand(1000))]
      if (rand(4) === 0 && stack.length > 0) stack[stack.length - 1] = 7n
      expect(chain.update(stack)).toEqual(fold(stack))
    }
    chain.update([1n, 2n, 3n])
    expect(chain.open(2)).toEqual({ items: [3n, 2n], below: fold([1n]) })
    expect(chain.update([])).toEqual(ZERO32)
  })
})

describe('IndexedMap', () => {
  it('proves membership and non-membership to the independent checker, and reverts to the exact commitment', () => {
    const m = new IndexedMap()
    const empty = m.commitment()
    const rand = rng(3)
    const keys: bigint[] = []
    for (let i = 0; i < 50; i++) {
      const k = BigInt(1 + rand(10_000))
      m.set(k, BigInt(i))
      if (!keys.includes(k)) keys.push(k)
    }
    const snapshot = m.commitment()
    const mark = m.mark()
    for (const probe of [...keys, 5n, 10_001n, 123_456_789n]) {
      const p = m.proof(probe)
      const r = checkMapLookup(m.commitment(), m.count, probe, { index: p.index, ...p.leaf, siblings: p.siblings })
      expect(r.present).toBe(m.has(probe))
      if (r.present) expect(r.value).toBe(m.get(probe))
    }
    // A witness for another key is refused.
    const k0 = keys[0] as bigint
    const p = m.proof(k0)
    expect(() =>
      checkMapLookup(m.commitment(), m.count, k0 + 1n, { index: p.index, ...p.leaf, value: p.leaf.value + 1n, siblings: p.siblings }),
    ).toThrow(/not in the map/)
    m.set(20_000n, 1n)
    m.set(k0, 999n)
    expect(m.commitment()).not.toEqual(snapshot)
    m.revert(mark)
    expect(m.commitment()).toEqual(snapshot)
    expect(m.get(k0)).not.toBe(999n)
    m.revert(0)
    expect(m.commitment()).toEqual(empty)
    expect(m.entries()).toEqual([])
  })
})
