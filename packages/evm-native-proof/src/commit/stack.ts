import { H, uint, ZERO32 } from './hash.ts'

/**
 * The EVM stack as SPEC.md's keccak chain: the empty stack hashes to zero, pushing v onto a stack
 * hashed s gives H(s ‖ v). Keeps the hash of every prefix, so moving to a new stack rehashes only
 * the items above the part the two stacks share (a step changes a few items at the top).
 */
export class StackChain {
  private items: bigint[] = []
  /** prefix[i]: the hash of the bottom i items. */
  private prefix: Uint8Array[] = [ZERO32]

  /** Moves to `stack` (bottom first) and returns its hash. */
  update(stack: readonly bigint[]): Uint8Array {
    let common = 0
    const n = Math.min(stack.length, this.items.length)
    while (common < n && stack[common] === this.items[common]) common++
    this.items = stack.slice()
    this.prefix.length = common + 1
    for (let i = common; i < stack.length; i++) this.prefix.push(H(this.prefix[i] as Uint8Array, uint(stack[i] as bigint)))
    return this.hash
  }

  get hash(): Uint8Array {
    return this.prefix[this.items.length] as Uint8Array
  }

  /** What a step popping `k` items reveals: the items, top first, and the hash below them. */
  open(k: number): { items: bigint[]; below: Uint8Array } {
    if (k > this.items.length) throw new RangeError(`the stack holds ${this.items.length} items, not ${k}`)
    return { items: this.items.slice(this.items.length - k).reverse(), below: this.prefix[this.items.length - k] as Uint8Array }
  }
}
