/**
 * The list tries (transactions, withdrawals: keyed rlp(index), not hashed) as the checker walks them
 * itself (src/check/list-ends.ts): presence and absence of every key against ethereumjs's own trie,
 * with leaves longer than POSTED_LEAF_BYTES named by their hash and read from the BytesOracle.
 */
import { createMPT } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import { Rng } from '@stepproof/block-traces'
import { describe, expect, it } from 'vitest'
import { bytesOracle, WitnessError } from '../src/check/index.ts'
import { keccak } from '../src/check/layout.ts'
import { listHas } from '../src/check/list-ends.ts'
import { ItemReader } from '../src/check/witness-reader.ts'
import { ChunkedBytes } from '../src/commit/bytes-tree.ts'
import { concat } from '../src/commit/hash.ts'
import { listProof, POSTED_LEAF_BYTES } from '../src/trace/list-ends.ts'

async function listTrie(values: Uint8Array[]) {
  const trie = await createMPT({})
  for (const [i, v] of values.entries()) await trie.put(RLP.encode(i), v)
  return trie
}

const check = (root: Uint8Array, index: number, items: Uint8Array[], bytes: Uint8Array[]) => {
  const r = new ItemReader(items)
  return listHas(r, root, index, 'transactions', bytesOracle(bytes)).then((has) => {
    r.done()
    return has
  })
}

describe('list tries walked by the checker, long leaves through the bytes oracle', () => {
  it('gives ethereumjs’s presence or absence for every key of random lists, long leaves posted', async () => {
    const rng = new Rng('list-trie')
    let posted = 0
    for (const n of [0, 1, 2, 3, 16, 17, 40, 130]) {
      const values = Array.from({ length: n }, () => {
        const long = rng.below(5) === 0
        return Uint8Array.from({ length: long ? POSTED_LEAF_BYTES + rng.below(20_000) : 1 + rng.below(200) }, () => rng.below(256))
      })
      const trie = await listTrie(values)
      // Every key of the small lists; of the long one, every seventh, the edges of one-byte keys and past the end.
      const keys = Array.from({ length: n + 3 }, (_, i) => i).filter(
        (i) => n < 100 || i % 7 === 0 || [126, 127, 128, 129].includes(i) || i >= n,
      )
      for (const i of keys) {
        const { items, bytes } = await listProof(trie, RLP.encode(i))
        posted += bytes.length
        expect(await check(trie.root(), i, items, bytes), `n = ${n}, key ${i}`).toBe((await trie.get(RLP.encode(i))) !== null)
        for (const b of bytes) expect(b.length).toBeGreaterThan(POSTED_LEAF_BYTES)
        expect(
          items.reduce((s, x) => s + x.length, 0),
          `n = ${n}, key ${i}: the proof's size`,
        ).toBeLessThan(8_000)
      }
    }
    expect(posted).toBeGreaterThan(10)
  })

  it('refuses a changed node, a leaf not posted, a changed head, a node off the path or listed twice, and a branch posted as a leaf', async () => {
    const values = [new Uint8Array(50).fill(1), new Uint8Array(9_000).fill(2), new Uint8Array(70).fill(3)]
    const trie = await listTrie(values)
    const { items, bytes } = await listProof(trie, RLP.encode(1))
    expect(bytes).toHaveLength(1)
    expect(items).toHaveLength(3)
    expect(await check(trie.root(), 1, items, bytes)).toBe(true)
    const flip = (i: number, at: number) => items.map((x, j) => (j === i ? x.map((b, k) => (k === at ? b ^ 1 : b)) : x))
    for (let i = 0; i < items.length; i++)
      for (const at of [0, (items[i] as Uint8Array).length >> 1, (items[i] as Uint8Array).length - 1])
        await expect(check(trie.root(), 1, flip(i, at), bytes), `item ${i} byte ${at}`).rejects.toThrow(WitnessError)
    await expect(check(trie.root(), 1, items, [])).rejects.toThrow(/not posted/)
    const other = (await listProof(trie, RLP.encode(0))).items[0] as Uint8Array
    const mine = RLP.decode(items[0] as Uint8Array) as Uint8Array[]
    const id = (n: Uint8Array) => Buffer.from(RLP.encode(n)).toString('hex')
    const offPath = (RLP.decode(other) as Uint8Array[]).filter((n) => !mine.some((m) => id(m) === id(n)))
    expect(offPath.length).toBeGreaterThan(0)
    const extra = [RLP.encode([...mine, ...offPath]), ...items.slice(1)]
    await expect(check(trie.root(), 1, extra, bytes)).rejects.toThrow(/off the key's path/)
    const nodes = RLP.decode(items[0] as Uint8Array) as Uint8Array[]
    await expect(check(trie.root(), 1, [RLP.encode([nodes[0] as Uint8Array, ...nodes]), ...items.slice(1)], bytes)).rejects.toThrow(/twice/)
    // A branch posted as if it were a leaf (its first child's hash read as a path) is refused, not taken for an absence.
    // (A trie whose root branch's first child hash starts with 0x3_, which reads as an odd leaf path.)
    let big = await listTrie([])
    let branch: Uint8Array = new Uint8Array()
    for (let salt = 0; ; salt++) {
      big = await listTrie(Array.from({ length: 40 }, (_, i) => new Uint8Array(100).fill(i + salt)))
      const nodes = RLP.decode((await listProof(big, RLP.encode(5))).items[0] as Uint8Array) as Uint8Array[]
      branch = nodes[0] as Uint8Array
      if ((((RLP.decode(branch) as Uint8Array[])[0] as Uint8Array)[0] as number) >> 4 === 3) break
    }
    const tree = new ChunkedBytes()
    tree.write(0, branch)
    const head = tree.range(0, 1)
    await expect(check(big.root(), 5, [RLP.encode([[keccak(branch)]]), head.leaves, concat(head.siblings)], [branch])).rejects.toThrow(
      WitnessError,
    )
    // The empty trie has no key, and takes no node.
    expect(await check((await createMPT({})).root(), 0, [RLP.encode([])], [])).toBe(false)
  })
})
