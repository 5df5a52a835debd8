/**
 * How the reference checker reads a witness: the items of SPEC.md §5 in the order the step needs
 * them. Anything that does not hash to what the state commits to is a {@link WitnessError}.
 */

import { WitnessError } from './errors.ts'

export { WitnessError }

/** Reads the witness items one by one; `done` requires every item to have been used. */
export class ItemReader {
  private at = 0

  constructor(private readonly items: readonly Uint8Array[]) {}

  /** The next item; its length must be `length` when given. */
  next(what: string, length?: number): Uint8Array {
    const item = this.items[this.at]
    if (item === undefined) throw new WitnessError(`the witness ends where the step needs ${what}`)
    if (length !== undefined && item.length !== length)
      throw new WitnessError(`${what} (item ${this.at}) is ${item.length} bytes, not ${length}`)
    this.at++
    return item
  }

  /** The next item, which must be `length` bytes and hash (with `hash`, keccak256) to `commitment`. */
  opened(what: string, length: number, commitment: Uint8Array, hash: (b: Uint8Array) => Uint8Array): Uint8Array {
    const b = this.next(what, length)
    const h = hash(b)
    if (h.length !== commitment.length || h.some((x, i) => x !== commitment[i]))
      throw new WitnessError(`${what} does not hash to what the state commits to`)
    return b
  }

  /** The next item split into 32-byte words (its length must be a multiple of 32, `count` of them when given). */
  words(what: string, count?: number): Uint8Array[] {
    const item = this.next(what, count === undefined ? undefined : count * 32)
    if (item.length % 32 !== 0) throw new WitnessError(`${what} is ${item.length} bytes, not whole words`)
    return Array.from({ length: item.length / 32 }, (_, i) => item.subarray(i * 32, i * 32 + 32))
  }

  /** How many items are left. */
  get remaining(): number {
    return this.items.length - this.at
  }

  get used(): number {
    return this.at
  }

  done(): void {
    if (this.at !== this.items.length)
      throw new WitnessError(`the witness has ${this.items.length - this.at} item(s) the step did not use (from item ${this.at})`)
  }
}
