import { createAddressFromString } from '@ethereumjs/util'
import { describe, expect, it } from 'vitest'
import { executeReference } from '../reference.ts'
import { Rng, wallet } from './accounts.ts'
import { sealBlock, systemContractsPre } from './fuzz.ts'
import { resealBlock } from './reseal.ts'

const EMPTY = createAddressFromString('0x00000000000000000000000000000000000e0e0e')
const NOBODY = createAddressFromString('0x00000000000000000000000000000000000fffff')

describe('blocks with withdrawals, sealed by ethereumjs’s builder', () => {
  it('a zero withdrawal deletes an existing empty recipient, as execution-specs says and ethereumjs’s runBlock does (its builder skips it)', async () => {
    const sender = wallet(1)
    const pre = {
      ...systemContractsPre('Cancun'),
      [sender.address.toString()]: { nonce: '0x0', balance: '0x56bc75e2d63100000', code: '0x', storage: {} },
      [EMPTY.toString()]: { nonce: '0x0', balance: '0x0', code: '0x', storage: {} },
    } as Parameters<typeof sealBlock>[0]['pre']
    const withdrawals = [
      { index: 7n, validatorIndex: 3n, address: EMPTY, amount: 0n },
      { index: 8n, validatorIndex: 3n, address: NOBODY, amount: 0n },
      { index: 9n, validatorIndex: 4n, address: sender.address, amount: 1n },
    ]
    const { trace, included } = await sealBlock(
      {
        id: 'withdrawals/zero',
        fork: 'Cancun',
        pre,
        rng: new Rng('withdrawals/zero'),
        coinbase: `0x${'c0'.repeat(20)}`,
        source: 'test',
        generatedBy: 'withdrawals.test.ts',
        withdrawals,
      },
      async (add) =>
        Number(await add({ from: sender, to: NOBODY, data: '0x', value: 0n, gasLimit: 21_000n, envelope: 'call', expect: 'success' }, 0)),
    )
    expect(included).toBe(1)
    expect(trace.block.withdrawals).toHaveLength(3)
    // ethereumjs's runBlock (the reference execution) reaches the sealed roots.
    const reference = await executeReference(trace)
    expect({ verdict: reference.verdict, match: reference.match, mismatches: reference.mismatches }).toEqual({
      verdict: 'valid',
      match: true,
      mismatches: [],
    })
    // Sealed again with the same transactions, the block is the same.
    const again = await resealBlock(trace, {})
    expect(again.trace.block.header).toEqual(trace.block.header)
  })
})
