import { RLP } from '@ethereumjs/rlp'
import { describe, expect, it } from 'vitest'
import { fuzzBlock } from './fuzz.ts'

describe('fuzzed blocks', () => {
  it('gives blocks withdrawals (zero ones too) and transactions access lists of several entries', async () => {
    let withdrawals = 0
    let zero = 0
    let longLists = 0
    for (let i = 0; i < 4; i++) {
      const { trace } = await fuzzBlock(`lists/${i}`, 'Cancun', 24)
      withdrawals += trace.block.withdrawals?.length ?? 0
      zero += (trace.block.withdrawals ?? []).filter((w) => BigInt(w.amount) === 0n).length
      for (const raw of trace.block.transactions) {
        // A typed transaction's fields: [chainId, nonce, …, accessList, …]; EIP-1559's list is field 8.
        if (!raw.startsWith('0x02')) continue
        const fields = RLP.decode(Buffer.from(raw.slice(4), 'hex')) as unknown[]
        if ((fields[8] as unknown[]).length > 1) longLists++
      }
    }
    expect(withdrawals).toBeGreaterThan(0)
    expect(zero).toBeGreaterThan(0)
    expect(longLists).toBeGreaterThan(0)
  })
})
