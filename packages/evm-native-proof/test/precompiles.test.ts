import { bls12_381 } from '@noble/curves/bls12-381.js'
import { bn254 } from '@noble/curves/bn254.js'
import { blake2b } from '@noble/hashes/blake2.js'
import { describe, expect, it } from 'vitest'
import { be, join } from '../src/check/layout.ts'
import { blake2f, blake2fRounds, IV } from '../src/check/precompiles/blake2f.ts'
import * as curves from '../src/check/precompiles/curves.ts'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const u64le = (v: bigint) => {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setBigUint64(0, v, true)
  return b
}

/** EIP-152's input for one final block of an unkeyed BLAKE2b-512 of `message` (≤ 128 bytes). */
function oneBlockInput(message: Uint8Array, rounds: number, final = 1): Uint8Array {
  const h = IV.slice()
  h[0] = (h[0] as bigint) ^ 0x01010040n // digest length 64, fanout 1, depth 1
  const m = new Uint8Array(128)
  m.set(message)
  const r = new Uint8Array(4)
  new DataView(r.buffer).setUint32(0, rounds, false)
  return join([r, ...h.map(u64le), m, u64le(BigInt(message.length)), u64le(0n), new Uint8Array([final])])
}

describe('BLAKE2F (EIP-152)', () => {
  it('computes BLAKE2b-512 of a one-block message with 12 rounds, as @noble/hashes does', () => {
    for (const text of ['', 'abc', 'stepproof: one block of BLAKE2b, compressed by our own F', 'x'.repeat(128)]) {
      const message = new TextEncoder().encode(text)
      expect(hex(blake2f(oneBlockInput(message, 12)))).toBe(hex(blake2b(message)))
    }
  })

  it('charges one gas a round and rejects a wrong length or final flag', () => {
    const input = oneBlockInput(new TextEncoder().encode('abc'), 7)
    expect(blake2fRounds(input)).toBe(7)
    expect(blake2fRounds(input.subarray(0, 212))).toBeUndefined()
    expect(blake2fRounds(join([input, new Uint8Array(1)]))).toBeUndefined()
    const badFlag = input.slice()
    badFlag[212] = 2
    expect(blake2fRounds(badFlag)).toBeUndefined()
    expect(() => blake2f(badFlag)).toThrow(/final flag/)
    // More rounds than one schedule (10) wrap around SIGMA; 0 rounds only mixes h with the IV.
    expect(hex(blake2f(oneBlockInput(new Uint8Array(), 0)))).not.toBe(hex(blake2f(oneBlockInput(new Uint8Array(), 20))))
  })
})

describe('BN254 (EIP-196/197)', () => {
  const G = bn254.G1.Point.BASE.toAffine()
  const g1 = (p: { x: bigint; y: bigint }) => join([be(p.x), be(p.y)])
  it('adds and multiplies, reading a short input as zero-padded and (0, 0) as infinity', () => {
    expect(hex(curves.bn254Add(join([g1(G), g1(G)])))).toBe(hex(g1(bn254.G1.Point.BASE.double().toAffine())))
    expect(hex(curves.bn254Add(g1(G)))).toBe(hex(g1(G)))
    expect(hex(curves.bn254Mul(join([g1(G), be(3n)])))).toBe(hex(g1(bn254.G1.Point.BASE.multiply(3n).toAffine())))
    expect(hex(curves.bn254Mul(join([g1(G), be(0n)])))).toBe(hex(new Uint8Array(64)))
  })
  it('fails on a point off the curve, a coordinate not below p, and a pairing input of the wrong length', () => {
    expect(() => curves.bn254Add(join([be(1n), be(3n)]))).toThrow(curves.PrecompileFailure)
    expect(() => curves.bn254Mul(join([be(bn254.G1.Point.Fp.ORDER), be(2n), be(1n)]))).toThrow(curves.PrecompileFailure)
    expect(() => curves.bn254Pairing(new Uint8Array(191))).toThrow(curves.PrecompileFailure)
    expect(hex(curves.bn254Pairing(new Uint8Array()))).toBe(hex(be(1n)))
  })
})

describe('BLS12-381 (EIP-2537)', () => {
  const fp = (v: bigint) => be(v, 64)
  // A point on y² = x³ + 4 outside the prime-order subgroup: found by trying x = 1, 2, …
  const offSubgroup = (() => {
    const F = bls12_381.fields.Fp
    for (let x = 1n; ; x++) {
      const rhs = F.add(F.mul(F.sqr(x), x), 4n)
      let y: bigint
      try {
        y = F.sqrt(rhs)
      } catch {
        continue
      }
      const p = bls12_381.G1.Point.fromAffine({ x, y })
      if (!p.isTorsionFree()) return join([fp(x), fp(y)])
    }
  })()
  const G = bls12_381.G1.Point.BASE.toAffine()
  const base = join([fp(G.x), fp(G.y)])

  it('adds points outside the subgroup (no check for ADD) but refuses them in an MSM and a pairing', () => {
    expect(curves.blsG1Add(join([offSubgroup, new Uint8Array(128)]))).toHaveLength(128)
    expect(() => curves.blsG1Msm(join([offSubgroup, be(2n)]))).toThrow(/subgroup/)
    expect(() => curves.blsPairing(join([offSubgroup, new Uint8Array(256)]))).toThrow(/subgroup/)
  })
  it('refuses field elements with non-zero top bytes and inputs of the wrong size', () => {
    const bad = base.slice()
    bad[0] = 1
    expect(() => curves.blsG1Add(join([bad, base]))).toThrow(/top 16 bytes/)
    expect(() => curves.blsG1Add(base)).toThrow(/256 bytes/)
    expect(() => curves.blsG1Msm(new Uint8Array())).toThrow(/multiple of 160/)
  })
  it('prices an MSM by EIP-2537’s discount table', () => {
    expect(curves.blsG1MsmGas(160)).toBe(12000n)
    expect(curves.blsG1MsmGas(320)).toBe((2n * 12000n * 949n) / 1000n)
    expect(curves.blsG2MsmGas(288 * 200)).toBe((200n * 22500n * 524n) / 1000n)
    expect(curves.blsG1MsmGas(159)).toBe(0n)
  })
  it('multiplies by a scalar reduced mod r, as the group order allows', () => {
    const r = bls12_381.G1.Point.Fn.ORDER
    expect(hex(curves.blsG1Msm(join([base, be(r + 5n)])))).toBe(hex(curves.blsG1Msm(join([base, be(5n)]))))
  })
})

describe('P-256 (EIP-7951)', () => {
  it('returns nothing, not a failure, for an input of the wrong length or an invalid key', () => {
    expect(curves.p256Verify(new Uint8Array(159))).toHaveLength(0)
    expect(curves.p256Verify(join([be(1n), be(1n), be(1n), be(1n), be(1n)]))).toHaveLength(0)
  })
})
