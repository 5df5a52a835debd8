import { describe, expect, it } from 'vitest'
import { be, join } from '../src/check/layout.ts'
import { depositRequest } from '../src/check/tx-end.ts'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const bytes = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'))
const DEPOSIT_CONTRACT = bytes('00000000219ab540356cbb839cbe05303d7705fa')
// keccak256("DepositEvent(bytes,bytes,bytes,bytes,bytes)")
const DEPOSIT_TOPIC = bytes('649bbc62d0e31342afea4e5cd82d4049e7e1ee912fc0889aa790803be39038c5')

/** The Solidity ABI encoding of a tuple of `bytes` values: the head of offsets, then each length and its data padded to words. */
function abiBytes(values: Uint8Array[]): Uint8Array {
  const head: Uint8Array[] = []
  const tail: Uint8Array[] = []
  let offset = 32 * values.length
  for (const v of values) {
    head.push(be(offset))
    const padded = new Uint8Array(Math.ceil(v.length / 32) * 32)
    padded.set(v)
    tail.push(be(v.length), padded)
    offset += 32 + padded.length
  }
  return join([...head, ...tail])
}

describe('EIP-6110 deposit requests', () => {
  const fields = [48, 32, 8, 96, 8].map((n, i) => new Uint8Array(n).map((_, j) => (i * 31 + j) & 0xff))
  const data = abiBytes(fields)

  it('reads pubkey ‖ credentials ‖ amount ‖ signature ‖ index from a DepositEvent', () => {
    expect(data.length).toBe(576)
    const request = depositRequest([DEPOSIT_CONTRACT, [DEPOSIT_TOPIC], data])
    expect(request).toBeInstanceOf(Uint8Array)
    expect(hex(request as Uint8Array)).toBe(hex(join(fields)))
  })

  it('ignores other logs and marks a deposit log of another layout invalid', () => {
    expect(depositRequest([new Uint8Array(20), [DEPOSIT_TOPIC], data])).toBeUndefined()
    expect(depositRequest([DEPOSIT_CONTRACT, [new Uint8Array(32)], data])).toBeUndefined()
    expect(depositRequest([DEPOSIT_CONTRACT, [DEPOSIT_TOPIC], data.subarray(0, 575)])).toBe('invalid')
    const shifted = data.slice()
    shifted[31] = 0xc0 // the pubkey's offset
    expect(depositRequest([DEPOSIT_CONTRACT, [DEPOSIT_TOPIC], shifted])).toBe('invalid')
    // A longer pubkey in a data of the right size is refused too.
    expect(
      depositRequest([
        DEPOSIT_CONTRACT,
        [DEPOSIT_TOPIC],
        abiBytes([new Uint8Array(64), ...fields.slice(1, 4), new Uint8Array(0)]).subarray(0, 576),
      ]),
    ).toBe('invalid')
  })
})
