import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildBlock, createVM } from '@ethereumjs/vm'
import { describe, expect, it } from 'vitest'
import { loadTrace } from './chain.ts'
import { REPO_ROOT } from './corpus.ts'
import { commonFor } from './forks.ts'
import { quantity, toHex } from './hex.ts'
import { importBlockchainTestFile } from './importer.ts'
import { executeReference } from './reference.ts'
import type { BlockTrace } from './trace.ts'

const FIXTURE = join(REPO_ROOT, 'packages/block-traces/test-data/blockchain-tests/ethereum-tests__bcStateTests_suicideStorageCheck.json')

/**
 * A two-block BlockchainTests file: the fixture's own (externally written) block 1, then an empty
 * block 2 that ethereumjs seals on top of it. Block 2's trace can only load if the importer's
 * state after block 1 hashes to the fixture's own stateRoot for block 1.
 */
async function twoBlockTest(): Promise<{ path: string; test: Record<string, unknown> }> {
  const json = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, Record<string, unknown>>
  const [name, test] = Object.entries(json)[0] as [string, Record<string, unknown>]
  const blocks = test.blocks as { rlp: string }[]
  const single = (await importBlockchainTestFile(FIXTURE)).traces[0]
  if (single === undefined) throw new Error('fixture did not import')
  const { blockchain, stateManager, block } = await loadTrace(single)
  const vm = await createVM({ common: commonFor(single.fork, 1n), blockchain, stateManager })
  const { runBlock } = await import('@ethereumjs/vm')
  await runBlock(vm, { block, generate: true })
  await blockchain.putBlock(block)
  const builder = await buildBlock(vm, {
    parentBlock: block,
    headerData: { timestamp: block.header.timestamp + 12n, coinbase: block.header.coinbase, gasLimit: block.header.gasLimit },
    withdrawals: [{ index: 0n, validatorIndex: 7n, address: `0x${'aa'.repeat(20)}`, amount: 5n }],
    blockOpts: { putBlockIntoBlockchain: false, calcDifficultyFromHeader: block.header },
  })
  const { block: second } = await builder.build()
  const { postState: _onlyForTheLastBlock, ...rest } = test
  const twoBlocks = { ...rest, blocks: [...blocks, { rlp: toHex(second.serialize()) }], lastblockhash: toHex(second.hash()) }
  const path = join(mkdtempSync(join(tmpdir(), 'chain-')), 'two-blocks.json')
  writeFileSync(path, JSON.stringify({ [name]: twoBlocks }))
  return { path, test: twoBlocks }
}

describe('multi-block BlockchainTests', () => {
  it('imports each block with the state after the previous one as its pre-state', async () => {
    const { path } = await twoBlockTest()
    const { traces, skipped } = await importBlockchainTestFile(path)
    expect(skipped).toEqual([])
    expect(traces.map((t) => t.id.split('::').pop())).toEqual(['block1', 'block2'])
    const [first, second] = traces as [(typeof traces)[0], (typeof traces)[0]]
    expect(second.parent.stateRoot).toBe(first.expected.stateRoot)
    expect(second.ancestors?.map((h) => h.number)).toEqual(['0x0'])
    for (const trace of traces) expect((await executeReference(trace)).mismatches).toEqual([])
  })

  it('executes a block whose parent is not a genesis block', async () => {
    const { path } = await twoBlockTest()
    const second = (await importBlockchainTestFile(path)).traces[1]
    expect(second?.parent.number).toBe('0x1')
    expect((await executeReference(second as NonNullable<typeof second>)).match).toBe(true)
  })

  it('skips a chain whose final state differs from its postState', async () => {
    const { path, test } = await twoBlockTest()
    const json = JSON.parse(readFileSync(path, 'utf8'))
    const name = Object.keys(json)[0] as string
    json[name].postState = test.pre
    writeFileSync(path, JSON.stringify(json))
    const { traces, skipped } = await importBlockchainTestFile(path)
    expect(traces).toEqual([])
    expect(skipped[0]?.reason).toBe("the state after the last block differs from the test's postState")
  })

  it('rejects a block whose base fee does not follow from its parent (ethereumjs header rules): a validity mismatch', async () => {
    const { path } = await twoBlockTest()
    const second = (await importBlockchainTestFile(path)).traces[1] as BlockTrace
    const wrongFee = quantity(BigInt(second.block.header.baseFeePerGas ?? '0x0') + 1n)
    const altered = { ...second, block: { ...second.block, header: { ...second.block.header, baseFeePerGas: wrongFee } } }
    const r = await executeReference(altered)
    // Rejected: a verdict that differs from the trace's (valid) expectation.
    expect(r.verdict).toBe('invalid')
    expect(r.rejected).toMatch(/^Invalid block: base fee not correct/)
    expect(r.mismatches.map((m) => m.field)).toEqual(['validity'])
  })
})
