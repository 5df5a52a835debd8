import { type Address, concatBytes, createAddressFromPrivateKey, utf8ToBytes } from '@ethereumjs/util'
import { keccak_256 } from '@noble/hashes/sha3.js'

/** An externally owned account the generator signs for. */
export interface Wallet {
  key: Uint8Array
  address: Address
}

/** The deterministic wallet number `index` of a corpus: its key is keccak256("stepproof wallet" ‖ index). */
export function wallet(index: number): Wallet {
  const key = keccak_256(concatBytes(utf8ToBytes('stepproof wallet'), new Uint8Array([index >> 8, index & 0xff])))
  return { key, address: createAddressFromPrivateKey(key) }
}

/** A deterministic stream of pseudo-random words: keccak256(seed ‖ counter). */
export class Rng {
  private counter = 0
  constructor(private readonly seed: string) {}

  /** The next 256-bit word. */
  next(): bigint {
    const bytes = keccak_256(utf8ToBytes(`${this.seed}/${this.counter++}`))
    return BigInt(`0x${Buffer.from(bytes).toString('hex')}`)
  }

  /** A whole number in [0, n). */
  below(n: number): number {
    return Number(this.next() % BigInt(n))
  }
}
