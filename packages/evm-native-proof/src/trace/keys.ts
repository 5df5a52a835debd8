import { bytesToHex } from '@ethereumjs/util'
import { H } from '../commit/hash.ts'

/** A map key of SPEC.md §2: H(tag ‖ parts) as a u256 (1 warm address, 2 warm slot, 3 transient slot, 4 self-destructed, 5 created). */
export function mapKey(tag: number, ...parts: Uint8Array[]): bigint {
  return BigInt(bytesToHex(H(new Uint8Array([tag]), ...parts)))
}
