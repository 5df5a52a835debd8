/**
 * The header rules block-start proves (SPEC.md §4): a block's header against its parent's, as
 * execution-specs' `validate_header` states them for Shanghai to Osaka — gas used within the gas
 * limit, the gas limit within 1/1024 of the parent's and at least 5,000, the EIP-1559 base fee, the
 * EIP-4844 excess blob gas (with Osaka's EIP-7918 reserve price), a later timestamp, at most 32
 * bytes of extra data, and the proof-of-stake constants (no difficulty, a zero nonce, no ommers).
 * The number and the fork's fields are checked by block-start itself; the parent hash binds the
 * parent. What the header claims of the block's outcome (state root, receipts root, gas used,
 * bloom, blob gas used, requests hash) is compared with the proof's final state, not here.
 */
import { equal, num } from './layout.ts'

/** The header fields the rules read, by their position in the header's RLP list. */
const F = {
  ommersHash: 1,
  difficulty: 7,
  gasLimit: 9,
  gasUsed: 10,
  timestamp: 11,
  extraData: 12,
  nonce: 14,
  baseFee: 15,
  blobGasUsed: 17,
  excessBlobGas: 18,
} as const

/** keccak256(rlp([])): the ommers hash of a block without ommers. */
const EMPTY_OMMERS_HASH = Uint8Array.from(Buffer.from('1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347', 'hex'))

const GAS_LIMIT_MINIMUM = 5000n
const GAS_LIMIT_ADJUSTMENT_FACTOR = 1024n
const ELASTICITY_MULTIPLIER = 2n
const BASE_FEE_MAX_CHANGE_DENOMINATOR = 8n
const GAS_PER_BLOB = 131072n
/** EIP-7918: a blob's execution cost that the blob base fee must cover. */
const BLOB_BASE_COST = 8192n

/** The blob schedule by fork (Cancun; Prague's EIP-7691, kept by Osaka): target and maximum blobs a block. */
export const BLOB_SCHEDULE: Record<number, { target: bigint; max: bigint; fraction: bigint }> = {
  1: { target: 3n, max: 6n, fraction: 3338477n },
  2: { target: 6n, max: 9n, fraction: 5007716n },
  3: { target: 6n, max: 9n, fraction: 5007716n },
}

/** EIP-4844's fake_exponential: factor × e^(numerator / denominator), in integers. */
export function fakeExponential(factor: bigint, numerator: bigint, denominator: bigint): bigint {
  let i = 1n
  let output = 0n
  let accumulated = factor * denominator
  while (accumulated > 0n) {
    output += accumulated
    accumulated = (accumulated * numerator) / (denominator * i)
    i++
  }
  return output / denominator
}

/** The blob base fee of a block with this excess blob gas (0 before Cancun). */
export function blobBaseFee(excessBlobGas: bigint, forkId: number): bigint {
  const schedule = BLOB_SCHEDULE[forkId]
  return schedule === undefined ? 0n : fakeExponential(1n, excessBlobGas, schedule.fraction)
}

/** execution-specs' check_gas_limit: within 1/1024 of the parent's (exclusive), and at least 5,000. */
function gasLimitHolds(gasLimit: bigint, parentGasLimit: bigint): boolean {
  const delta = parentGasLimit / GAS_LIMIT_ADJUSTMENT_FACTOR
  return gasLimit < parentGasLimit + delta && gasLimit > parentGasLimit - delta && gasLimit >= GAS_LIMIT_MINIMUM
}

/** EIP-1559's base fee from the parent's gas limit, gas used and base fee. */
export function expectedBaseFee(parentGasLimit: bigint, parentGasUsed: bigint, parentBaseFee: bigint): bigint {
  const target = parentGasLimit / ELASTICITY_MULTIPLIER
  if (parentGasUsed === target) return parentBaseFee
  if (parentGasUsed > target) {
    const delta = (parentBaseFee * (parentGasUsed - target)) / target / BASE_FEE_MAX_CHANGE_DENOMINATOR
    return parentBaseFee + (delta > 1n ? delta : 1n)
  }
  return parentBaseFee - (parentBaseFee * (target - parentGasUsed)) / target / BASE_FEE_MAX_CHANGE_DENOMINATOR
}

/** EIP-4844's excess blob gas from the parent's (from Osaka, EIP-7918: while the blob base fee is below the reserve price, it only grows). */
export function expectedExcessBlobGas(parentExcess: bigint, parentBlobGasUsed: bigint, parentBaseFee: bigint, forkId: number): bigint {
  const schedule = BLOB_SCHEDULE[forkId] as { target: bigint; max: bigint }
  const target = schedule.target * GAS_PER_BLOB
  if (parentExcess + parentBlobGasUsed < target) return 0n
  if (forkId >= 3 && BLOB_BASE_COST * parentBaseFee > GAS_PER_BLOB * blobBaseFee(parentExcess, forkId))
    return parentExcess + (parentBlobGasUsed * (schedule.max - schedule.target)) / schedule.max
  return parentExcess + parentBlobGasUsed - target
}

/**
 * The first rule the header breaks against its parent, or undefined when it keeps them all. `h` and
 * `parent` are the headers' RLP fields; `h` has the fork's fields (block-start checked their count).
 */
export function headerViolation(h: Uint8Array[], parent: Uint8Array[], forkId: number): string | undefined {
  const field = (fields: Uint8Array[], i: number) => num(fields[i] ?? new Uint8Array(0))
  const gasLimit = field(h, F.gasLimit)
  if (field(h, F.gasUsed) > gasLimit) return 'gas used above the gas limit'
  if (!gasLimitHolds(gasLimit, field(parent, F.gasLimit))) return 'gas limit out of bounds of the parent’s'
  // A parent from before London has no base fee: no Shanghai-or-later block follows it here.
  if (parent.length <= F.baseFee) return 'the parent header has no base fee'
  const baseFee = expectedBaseFee(field(parent, F.gasLimit), field(parent, F.gasUsed), field(parent, F.baseFee))
  if (field(h, F.baseFee) !== baseFee) return 'base fee is not the one the parent implies'
  if (field(h, F.timestamp) <= field(parent, F.timestamp)) return 'timestamp not after the parent’s'
  if ((h[F.extraData] as Uint8Array).length > 32) return 'extra data longer than 32 bytes'
  if (field(h, F.difficulty) !== 0n) return 'difficulty is not zero'
  if (!equal(h[F.nonce] as Uint8Array, new Uint8Array(8))) return 'nonce is not eight zero bytes'
  if (!equal(h[F.ommersHash] as Uint8Array, EMPTY_OMMERS_HASH)) return 'ommers hash is not that of no ommers'
  if (forkId >= 1) {
    // A parent from before Cancun has neither field: both count as zero.
    const excess = expectedExcessBlobGas(field(parent, F.excessBlobGas), field(parent, F.blobGasUsed), field(parent, F.baseFee), forkId)
    if (field(h, F.excessBlobGas) !== excess) return 'excess blob gas is not the one the parent implies'
  }
  return undefined
}
