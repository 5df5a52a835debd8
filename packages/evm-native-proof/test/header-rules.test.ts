import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { RLP } from '@ethereumjs/rlp'
import { type BlockTrace, importBlockchainTestFile, loadTrace, REPO_ROOT } from '@stepproof/block-traces'
import { describe, expect, it } from 'vitest'
import { expectedBaseFee, expectedExcessBlobGas, headerViolation } from '../src/check/header.ts'

/**
 * The header rules block-start proves (src/check/header.ts), held to execution-spec-tests: every
 * header of these files (written elsewhere) keeps the rules against its parent's, except exactly the
 * blocks the fixtures say a client must reject for a header rule.
 */
const FIXTURES = process.env.STEPPROOF_FIXTURES ?? join(REPO_ROOT, '../shared/fixtures')
const INVALID = join(FIXTURES, 'eest-invalid')
const WIDE = join(FIXTURES, 'eest-wide')
const file = (dir: string, name: string) => join(dir, `eest-v5.4.0__blockchain_tests__${name}.json.gz`)

const HEADER_EXCEPTIONS = /BlockException\.(INCORRECT_EXCESS_BLOB_GAS|INVALID_GASLIMIT|INVALID_BASEFEE_PER_GAS)/
const FILES: [string, string][] = [
  [INVALID, 'cancun__eip4844_blobs__test_invalid_excess_blob_gas_above_target_change'],
  [INVALID, 'cancun__eip4844_blobs__test_invalid_static_excess_blob_gas'],
  [INVALID, 'cancun__eip4844_blobs__test_invalid_static_excess_blob_gas_from_zero_on_blobs_above_target'],
  [INVALID, 'frontier__validation__test_gas_limit_below_minimum'],
  [INVALID, 'london__validation__test_invalid_header'],
  // Valid chains whose blob base fee meets Osaka's EIP-7918 reserve price, and whose gas limit moves.
  [WIDE, 'osaka__eip7918_blob_reserve_price__test_reserve_price_boundary'],
  [WIDE, 'osaka__eip7918_blob_reserve_price__test_reserve_price_various_base_fee_scenarios'],
  [WIDE, 'frontier__validation__test_gas_limit_below_minimum'],
]
const FORK_ID: Record<string, number> = { Shanghai: 0, Cancun: 1, Prague: 2, Osaka: 3 }

async function headers(t: BlockTrace): Promise<[Uint8Array[], Uint8Array[]]> {
  const loaded = await loadTrace(t)
  return [RLP.decode(loaded.block.header.serialize()) as Uint8Array[], RLP.decode(loaded.parent.header.serialize()) as Uint8Array[]]
}

describe.skipIf(!existsSync(INVALID) || !existsSync(WIDE))('header rules against the parent (execution-spec-tests)', () => {
  for (const [dir, name] of FILES)
    it(`${name}: a header breaks a rule exactly when the fixture rejects it for one`, async () => {
      const { traces } = await importBlockchainTestFile(file(dir, name))
      expect(traces.length).toBeGreaterThan(0)
      const verdicts = []
      for (const t of traces) {
        const [h, parent] = await headers(t)
        const violation = headerViolation(h, parent, FORK_ID[t.fork] as number)
        verdicts.push({ id: t.id, rejectedForHeader: HEADER_EXCEPTIONS.test(t.expected.invalid ?? ''), violation: violation !== undefined })
      }
      expect(verdicts.filter((v) => v.rejectedForHeader !== v.violation)).toEqual([])
    }, 120_000)

  it('base fee and excess blob gas at their edges (EIP-1559, EIP-4844, EIP-7918)', () => {
    // At the target the base fee stays; one gas above it moves the fee by at least 1 wei.
    expect(expectedBaseFee(30_000_000n, 15_000_000n, 7n)).toBe(7n)
    expect(expectedBaseFee(30_000_000n, 15_000_001n, 7n)).toBe(8n)
    expect(expectedBaseFee(30_000_000n, 30_000_000n, 1_000_000_000n)).toBe(1_125_000_000n)
    expect(expectedBaseFee(30_000_000n, 0n, 1_000_000_000n)).toBe(875_000_000n)
    // Below the target the excess is zero; Cancun's target is three blobs, Prague's six.
    expect(expectedExcessBlobGas(0n, 3n * 131072n - 1n, 7n, 1)).toBe(0n)
    expect(expectedExcessBlobGas(0n, 6n * 131072n, 7n, 1)).toBe(3n * 131072n)
    expect(expectedExcessBlobGas(0n, 6n * 131072n, 7n, 2)).toBe(0n)
    // Osaka, a parent with no excess (blob base fee 1 wei) and seven blobs: at a base fee of 1 gwei
    // the reserve price (2^13 × base fee > 2^17 × blob base fee) holds, and the excess grows by
    // 7 blobs × (9 − 6) / 9, not by the one blob above the target it would grow by at 1 wei.
    expect(expectedExcessBlobGas(0n, 7n * 131072n, 1_000_000_000n, 3)).toBe((7n * 131072n * 3n) / 9n)
    expect(expectedExcessBlobGas(0n, 7n * 131072n, 1n, 3)).toBe(131072n)
    // Before Osaka the reserve price does not apply.
    expect(expectedExcessBlobGas(0n, 7n * 131072n, 1_000_000_000n, 2)).toBe(131072n)
  })
})
