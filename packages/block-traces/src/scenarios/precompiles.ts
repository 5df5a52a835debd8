import { concatBytes, hexToBytes, setLengthLeft } from '@ethereumjs/util'
import { bls12_381 } from '@noble/curves/bls12-381.js'
import { bn254 } from '@noble/curves/bn254.js'
import { p256 } from '@noble/curves/nist.js'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { type Fork, getKzg } from '../forks.ts'
import { fromHex, type Hex, toHex } from '../hex.ts'

const word = (v: bigint, bytes = 32) => setLengthLeft(hexToBytes(`0x${v.toString(16).padStart(2, '0')}` as Hex), bytes)
const addr = (n: number): Hex => `0x${n.toString(16).padStart(40, '0')}`

function ecrecoverInput(): Uint8Array {
  const key = sha256(new TextEncoder().encode('stepproof ecrecover key'))
  const digest = sha256(new TextEncoder().encode('stepproof ecrecover message'))
  // 'recovered' format: recovery byte first, then r and s.
  const sig = secp256k1.sign(digest, key, { prehash: false, format: 'recovered' })
  return concatBytes(digest, word(27n + BigInt(sig[0] as number)), sig.slice(1, 33), sig.slice(33, 65))
}

function modexpInput(): Uint8Array {
  const base = word(0x1234567890abcdefn)
  const exp = word(0x10001n)
  const mod = word((1n << 255n) - 19n)
  return concatBytes(word(32n), word(32n), word(32n), base, exp, mod)
}

function bnG1(p: { x: bigint; y: bigint }): Uint8Array {
  return concatBytes(word(p.x), word(p.y))
}

function bnG2(p: { x: { c0: bigint; c1: bigint }; y: { c0: bigint; c1: bigint } }): Uint8Array {
  // The EVM (EIP-197) orders each Fp2 coordinate imaginary part first.
  return concatBytes(word(p.x.c1), word(p.x.c0), word(p.y.c1), word(p.y.c0))
}

function blake2fInput(): Uint8Array {
  const h = new Uint8Array(64).map((_, i) => (i * 7 + 1) & 0xff)
  const m = new Uint8Array(128).map((_, i) => (i * 13 + 5) & 0xff)
  const t = new Uint8Array(16)
  t[0] = 128
  return concatBytes(word(12n, 4), h, m, t, new Uint8Array([1]))
}

function pointEvaluationInput(): Uint8Array {
  const kzg = getKzg()
  // A blob of small field elements: element i holds i + 1 (always below the BLS modulus).
  const blob = new Uint8Array(131072)
  for (let i = 0; i < 4096; i++) blob.set(word(BigInt(i + 1)), i * 32)
  const blobHex = toHex(blob)
  const commitment = kzg.blobToKzgCommitment(blobHex)
  const z = '0x0000000000000000000000000000000000000000000000000000000000000017'
  const [proof, y] = kzg.computeProof(blobHex, z)
  const versionedHash = sha256(fromHex(commitment))
  versionedHash[0] = 0x01
  return concatBytes(versionedHash, fromHex(z), fromHex(y), fromHex(commitment), fromHex(proof))
}

const fp = (v: bigint) => word(v, 64)
function blsG1(p: { x: bigint; y: bigint }): Uint8Array {
  return concatBytes(fp(p.x), fp(p.y))
}
function blsG2(p: { x: { c0: bigint; c1: bigint }; y: { c0: bigint; c1: bigint } }): Uint8Array {
  // EIP-2537 orders each Fp2 coordinate c0 first.
  return concatBytes(fp(p.x.c0), fp(p.x.c1), fp(p.y.c0), fp(p.y.c1))
}

/** A precompile: its address, the first fork that has it, and how to make a valid input. */
export interface Precompile {
  name: string
  address: Hex
  since: Fork
  makeInput: () => Uint8Array
}

const bnBase = () => ({ g1: bn254.G1.Point.BASE, g2: bn254.G2.Point.BASE })
const blsBase = () => ({ b1: bls12_381.G1.Point.BASE, b2: bls12_381.G2.Point.BASE })
const blsScalar = word(0x5eedn)

/** Every precompile up to Osaka, in address order. */
export const PRECOMPILES: readonly Precompile[] = [
  { name: 'ecrecover', address: addr(1), since: 'Shanghai', makeInput: ecrecoverInput },
  {
    name: 'sha256',
    address: addr(2),
    since: 'Shanghai',
    makeInput: () => new TextEncoder().encode('stepproof sha256 input, longer than one word'),
  },
  { name: 'ripemd160', address: addr(3), since: 'Shanghai', makeInput: () => new TextEncoder().encode('stepproof ripemd160') },
  { name: 'identity', address: addr(4), since: 'Shanghai', makeInput: () => new Uint8Array(100).map((_, i) => i) },
  { name: 'modexp', address: addr(5), since: 'Shanghai', makeInput: modexpInput },
  {
    name: 'bn254-add',
    address: addr(6),
    since: 'Shanghai',
    makeInput: () => concatBytes(bnG1(bnBase().g1.toAffine()), bnG1(bnBase().g1.double().toAffine())),
  },
  { name: 'bn254-mul', address: addr(7), since: 'Shanghai', makeInput: () => concatBytes(bnG1(bnBase().g1.toAffine()), word(0xdeadbeefn)) },
  {
    name: 'bn254-pairing',
    address: addr(8),
    since: 'Shanghai',
    makeInput: () => {
      const { g1, g2 } = bnBase()
      return concatBytes(bnG1(g1.toAffine()), bnG2(g2.toAffine()), bnG1(g1.negate().toAffine()), bnG2(g2.toAffine()))
    },
  },
  { name: 'blake2f', address: addr(9), since: 'Shanghai', makeInput: blake2fInput },
  { name: 'kzg-point-evaluation', address: addr(0x0a), since: 'Cancun', makeInput: pointEvaluationInput },
  {
    name: 'bls12-g1add',
    address: addr(0x0b),
    since: 'Prague',
    makeInput: () => concatBytes(blsG1(blsBase().b1.toAffine()), blsG1(blsBase().b1.double().toAffine())),
  },
  {
    name: 'bls12-g1msm',
    address: addr(0x0c),
    since: 'Prague',
    makeInput: () => concatBytes(blsG1(blsBase().b1.toAffine()), blsScalar, blsG1(blsBase().b1.double().toAffine()), blsScalar),
  },
  {
    name: 'bls12-g2add',
    address: addr(0x0d),
    since: 'Prague',
    makeInput: () => concatBytes(blsG2(blsBase().b2.toAffine()), blsG2(blsBase().b2.double().toAffine())),
  },
  { name: 'bls12-g2msm', address: addr(0x0e), since: 'Prague', makeInput: () => concatBytes(blsG2(blsBase().b2.toAffine()), blsScalar) },
  {
    name: 'bls12-pairing',
    address: addr(0x0f),
    since: 'Prague',
    makeInput: () => {
      const { b1, b2 } = blsBase()
      return concatBytes(blsG1(b1.toAffine()), blsG2(b2.toAffine()), blsG1(b1.negate().toAffine()), blsG2(b2.toAffine()))
    },
  },
  { name: 'bls12-map-fp-to-g1', address: addr(0x10), since: 'Prague', makeInput: () => fp(0x1234567n) },
  { name: 'bls12-map-fp2-to-g2', address: addr(0x11), since: 'Prague', makeInput: () => concatBytes(fp(0x1234567n), fp(0x89abcdefn)) },
  { name: 'p256verify', address: addr(0x100), since: 'Osaka', makeInput: p256VerifyInput },
]

function p256VerifyInput(): Uint8Array {
  const key = sha256(new TextEncoder().encode('stepproof p256 key'))
  const digest = sha256(new TextEncoder().encode('stepproof p256 message'))
  const sig = p256.sign(digest, key, { prehash: false, format: 'compact' })
  const pub = p256.getPublicKey(key, false)
  // EIP-7951: hash ‖ r ‖ s ‖ x ‖ y, the public key uncompressed without its 0x04 prefix.
  return concatBytes(digest, sig, pub.slice(1))
}

const inputs = new Map<string, Hex>()
/** The input for a precompile, made once (the KZG proof takes a moment). */
export function precompileInput(p: Precompile): Hex {
  let input = inputs.get(p.name)
  if (input === undefined) {
    input = toHex(p.makeInput())
    inputs.set(p.name, input)
  }
  return input
}
