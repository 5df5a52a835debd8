import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { executeReference, importBlockchainTestFile, REPO_ROOT, transferBlock } from '@stepproof/block-traces'
import { describe, expect, it } from 'vitest'
import { checkStep } from '../src/check/index.ts'
import { readState } from '../src/check/layout.ts'
import { executeNative } from '../src/exec-native.ts'
import { NativeProver } from '../src/prover.ts'
import { traceBlock } from '../src/trace/tracer.ts'
import { checkBlock } from '../src/verify-trace.ts'

/** Blocks execution-spec-tests says a client must reject (shared/fixtures/eest-invalid, written elsewhere). */
const INVALID = join(process.env.STEPPROOF_FIXTURES ?? join(REPO_ROOT, '../shared/fixtures'), 'eest-invalid')
const file = (name: string) => join(INVALID, `eest-v5.4.0__blockchain_tests__${name}.json.gz`)

/**
 * Transaction-level rejections (`tx`): the native proof must end in INVALID, through checked steps,
 * at the set-up step whose rule the transaction breaks (SPEC.md §4's order), which the fixture's
 * exception names (`stepOf`); header-level ones (a rule of the header against its parent's) at
 * block-start; a deposit log of another layout at its transaction's tx-receipt.
 */
const FILES: [string, 'tx' | 'block-start' | 'tx-receipt'][] = [
  ['frontier__validation__test_sender_balance', 'tx'],
  ['frontier__validation__test_tx_nonce', 'tx'],
  ['static__state_tests__stEIP1559__lowFeeCap', 'tx'],
  ['static__state_tests__stTransactionTest__NoSrcAccount', 'tx'],
  ['static__state_tests__stEIP3607__transactionCollidingWithNonEmptyAccount_send_Paris', 'tx'],
  // Refused at its second transaction: the first is traced, then the second's tx-start ends in INVALID.
  ['osaka__eip7825_transaction_gas_limit_cap__test_tx_gas_larger_than_block_gas_limit', 'tx'],
  // The intrinsic gas and EIP-7623's floor, checked at tx-enter once the lists are walked.
  ['prague__eip7623_increase_calldata_cost__test_transaction_validity_type_0', 'tx'],
  ['osaka__eip7825_transaction_gas_limit_cap__test_tx_gas_limit_cap_authorized_tx', 'tx'],
  ['cancun__eip4844_blobs__test_invalid_excess_blob_gas_above_target_change', 'block-start'],
  ['frontier__validation__test_gas_limit_below_minimum', 'block-start'],
  ['london__validation__test_invalid_header', 'block-start'],
  // EIP-6110: a deposit log of another ABI layout ends the proof at its transaction's receipt.
  ['prague__eip6110_deposits__test_invalid_log_length', 'tx-receipt'],
  ['prague__eip6110_deposits__test_invalid_layout', 'tx-receipt'],
]

/**
 * The set-up step whose rule a transaction breaks, by execution-spec-tests' exception: the sender's
 * rules are tx-payload's last step's, the intrinsic gas and the floor tx-enter's, the others
 * tx-start's. Of alternatives (`A|B`: a client may name either), the earliest step's.
 */
function stepOf(exception: string): string {
  const steps = exception
    .split('|')
    .map((e) =>
      /INSUFFICIENT_ACCOUNT_FUNDS|NONCE_MISMATCH|SENDER_NOT_EOA|INVALID_SIGNATURE/.test(e)
        ? 'tx-payload'
        : /INTRINSIC_GAS_TOO_LOW|INTRINSIC_GAS_BELOW_FLOOR_GAS_COST/.test(e)
          ? 'tx-enter'
          : 'tx-start',
    )
  return ['tx-start', 'tx-payload', 'tx-enter'].find((k) => (steps as string[]).includes(k)) as string
}

describe.skipIf(!existsSync(INVALID))('blocks that must be rejected (eest-invalid)', () => {
  for (const [name, lastKind] of FILES)
    it(`${name}: ethereumjs and the native proof reject every invalid block at its ${lastKind === 'tx' ? 'offending set-up step' : lastKind}, the checker agreeing step by step`, async () => {
      const { traces } = await importBlockchainTestFile(file(name))
      const invalid = traces.filter((t) => t.expected.invalid !== undefined)
      expect(invalid.length).toBeGreaterThan(0)
      for (const t of invalid) {
        expect((await executeReference(t)).match, t.id).toBe(true)
        const native = await executeNative(t)
        expect({ id: t.id, verdict: native.verdict, mismatches: native.mismatches }).toEqual({
          id: t.id,
          verdict: 'invalid',
          mismatches: [],
        })
        // The last step is a set-up step (or the block-start, or a tx-receipt) whose post-state is INVALID (phase 13), and every step re-derives.
        const run = await traceBlock(t, { witness: () => true })
        const last = run.witnesses[run.witnesses.length - 1]
        expect(last?.kind as string, t.id).toBe(lastKind === 'tx' ? stepOf(t.expected.invalid as string) : lastKind)
        if (lastKind === 'block-start') expect(run.witnesses).toHaveLength(1)
        expect(readState(last?.postStateData as Uint8Array).phase).toBe(13)
        const check = await checkBlock(t)
        expect(check.failures).toEqual([])
        expect(check.checked).toBe(check.steps)
      }
      // The prover proves the INVALID step of a rejected block (no checkpoints: from the block's start).
      const prover = await NativeProver.build(invalid[0] as (typeof invalid)[number])
      const w = await prover.proveStep(prover.steps - 1)
      expect(readState(w.postStateData).phase).toBe(13)
      expect(Buffer.from(await checkStep(w)).toString('hex')).toBe(Buffer.from(prover.commitmentAt(prover.steps)).toString('hex'))
    }, 300_000)

  it('a failed EIP-7251 system call: ethereumjs accepts the block (its bug), the native proof ends in INVALID at the call’s exit, checked', async () => {
    const { traces } = await importBlockchainTestFile(file('prague__eip7251_consolidations__test_system_contract_errors'))
    // The contract reverts or throws at once (its out-of-gas variants run 6,000 steps: the benchmark's).
    const invalid = traces.filter(
      (t) => t.expected.invalid === 'BlockException.SYSTEM_CONTRACT_CALL_FAILED' && !t.id.includes('out_of_gas'),
    )
    expect(invalid.length).toBeGreaterThan(0)
    for (const t of invalid) {
      // ethereumjs 10.1.3 does not implement "a failed system call makes the block invalid" (ethereum/EIPs#9508).
      expect((await executeReference(t)).verdict).toBe('valid')
      const native = await executeNative(t)
      expect({ verdict: native.verdict, match: native.match }).toEqual({ verdict: 'invalid', match: true })
      const run = await traceBlock(t, { witness: () => true })
      const last = run.witnesses[run.witnesses.length - 1]
      expect(last?.kind).toBe('frame-exit')
      expect(readState(last?.postStateData as Uint8Array).phase).toBe(13)
      const check = await checkBlock(t)
      expect(check.failures).toEqual([])
      expect(check.checked).toBe(check.steps)
    }
  }, 300_000)

  it('a Prague block whose EIP-7002 contract has no code: ethereumjs accepts it, the native proof ends in INVALID at that system call, checked', async () => {
    // go-ethereum v1.17.10 rejects this block ("failed to process withdrawal queue: empty system
    // contract"), as execution-specs' checked system call does; ethereumjs 10.1.3 skips the call.
    for (const missing of ['0x00000961ef480eb55e80d19ad83579a64c007002', '0x0000bbddc7ce488642fb579f8b00f3a590007251']) {
      const trace = await transferBlock('Prague', [missing])
      expect((await executeReference(trace)).verdict).toBe('valid')
      expect((await executeNative(trace)).verdict).toBe('invalid')
      const run = await traceBlock(trace, { witness: () => true })
      const last = run.witnesses[run.witnesses.length - 1]
      expect(last?.kind).toBe('system-call')
      expect(readState(last?.postStateData as Uint8Array).phase).toBe(13)
      for (const w of run.witnesses) expect(Buffer.from(await checkStep(w)).toString('hex')).toBe(Buffer.from(w.post).toString('hex'))
      // The first system call runs when only the second contract is missing: one more system-call step before it.
      expect(run.steps.filter((s) => s.kind === 'system-call')).toHaveLength(missing.endsWith('7002') ? 1 : 2)
    }
  }, 120_000)

  it('an invalid block is not mistaken for a valid one: expected valid, the same block is a validity mismatch', async () => {
    const { traces } = await importBlockchainTestFile(file(FILES[0]?.[0] as string))
    const t = traces.find((x) => x.expected.invalid !== undefined)
    if (t === undefined) throw new Error('no invalid block')
    const { invalid: _, ...valid } = t.expected
    const r = await executeReference({ ...t, expected: valid })
    expect(r.verdict).toBe('invalid')
    expect(r.mismatches.map((m) => m.field)).toEqual(['validity'])
  })
})
