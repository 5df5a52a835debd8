import { H, uint } from './hash.ts'
import { SparseMerkleTree } from './merkle.ts'

/** Depth of the code tree: 2^16 chunks of 32 bytes, above any code or initcode size limit. */
export const CODE_TREE_DEPTH = 16

const JUMPDEST = 0x5b
const PUSH1 = 0x60
const PUSH32 = 0x7f

/** Which bytes of `code` are JUMPDEST opcodes (not PUSH data): one flag per byte. */
export function jumpdests(code: Uint8Array): Uint8Array {
  const out = new Uint8Array(code.length)
  for (let pc = 0; pc < code.length; pc++) {
    const op = code[pc] as number
    if (op === JUMPDEST) out[pc] = 1
    else if (op >= PUSH1 && op <= PUSH32) pc += op - PUSH1 + 1
  }
  return out
}

/**
 * The code tree `C(code)` of SPEC.md: leaf i (for every chunk the code covers) is
 * H(chunk_i ‖ mask_i), the 32 code bytes zero-padded and a 4-byte mask whose bit 31 − j flags byte
 * j as a valid jump destination; leaves past the code are zero.
 */
export class CodeTree {
  private readonly tree = new SparseMerkleTree(CODE_TREE_DEPTH)
  readonly chunks: { chunk: Uint8Array; mask: number }[] = []

  constructor(readonly code: Uint8Array) {
    if (code.length > 32 * 2 ** CODE_TREE_DEPTH) throw new RangeError(`code of ${code.length} bytes exceeds the code tree`)
    const dests = jumpdests(code)
    for (let i = 0; i * 32 < code.length; i++) {
      const chunk = new Uint8Array(32)
      chunk.set(code.subarray(i * 32, i * 32 + 32))
      let mask = 0
      for (let j = 0; j < 32; j++) if (dests[i * 32 + j] === 1) mask |= 1 << (31 - j)
      this.chunks.push({ chunk, mask: mask >>> 0 })
      this.tree.set(i, codeLeaf(chunk, mask >>> 0))
    }
  }

  root(): Uint8Array {
    return this.tree.root()
  }

  /** Leaves `lo … hi` as chunk ‖ mask (36 bytes each) and the siblings that prove them together. */
  range(lo: number, hi: number): { leaves: Uint8Array; siblings: Uint8Array[] } {
    const leaves = new Uint8Array((hi - lo + 1) * 36)
    for (let i = lo; i <= hi; i++) {
      const c = this.chunks[i]
      if (c === undefined) throw new RangeError(`chunk ${i} is past the code's ${this.chunks.length} chunks`)
      leaves.set(c.chunk, (i - lo) * 36)
      leaves.set(uint(c.mask, 4), (i - lo) * 36 + 32)
    }
    return { leaves, siblings: this.tree.rangeProof(lo, hi) }
  }

  proof(index: number): Uint8Array[] {
    return this.tree.proof(index)
  }
}

/** A code-tree leaf. */
export function codeLeaf(chunk: Uint8Array, mask: number): Uint8Array {
  return H(chunk, uint(mask, 4))
}
