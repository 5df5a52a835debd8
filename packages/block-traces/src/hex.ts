import { bytesToHex, hexToBytes } from '@ethereumjs/util'

/** A 0x-prefixed hex string. */
export type Hex = `0x${string}`

/** Encodes a non-negative integer as minimal 0x-hex (0 is `0x0`), the form the traces use for quantities. */
export function quantity(value: bigint | number): Hex {
  return `0x${BigInt(value).toString(16)}`
}

/** Bytes to 0x-hex. */
export function toHex(bytes: Uint8Array): Hex {
  return bytesToHex(bytes) as Hex
}

/** 0x-hex to bytes. */
export function fromHex(hex: string): Uint8Array {
  return hexToBytes(hex as Hex)
}
