import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { type BlockTrace, InputError, importBlockchainTestFile, loadCorpus, REPO_ROOT } from '@stepproof/block-traces'
import { describe, expect, it } from 'vitest'
import { checkStep, WitnessError } from '../src/check/index.ts'
import { keccak, readState } from '../src/check/layout.ts'
import { rangeRoot } from '../src/check/trees.ts'
import { traceBlock } from '../src/trace/tracer.ts'
import type { StepWitness } from '../src/trace/witness.ts'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const WIDE = join(process.env.STEPPROOF_FIXTURES ?? join(REPO_ROOT, '../shared/fixtures'), 'eest-wide')
/** Ten Shanghai blocks from genesis (execution-spec-tests): the last one's tree reaches below genesis. */
const NEAR_GENESIS = join(
  WIDE,
  'eest-v5.4.0__blockchain_tests__shanghai__eip4895_withdrawals__test_multiple_withdrawals_same_address.json.gz',
)

const generated = () => loadCorpus('standard').find((e) => e.trace.id === 'standard/eth-transfers')?.trace as BlockTrace

async function nearGenesis(): Promise<BlockTrace> {
  const { traces } = await importBlockchainTestFile(NEAR_GENESIS)
  const chain = traces.filter((t) => t.id.includes('fork_Shanghai') && t.id.includes('multiple_blocks'))
  return chain[chain.length - 1] as BlockTrace
}

/**
 * Steps 1–4 of a block's proof, each re-derived by the checker; the tree they leave must be T_8 of
 * the 256 hashes ethereumjs's chain gives BLOCKHASH (zero below genesis), computed here by the
 * checker's own range arithmetic, and each step opens the headers of the blocks that exist.
 */
async function expectBound(t: BlockTrace, headersPerStep: number[]) {
  const run = await traceBlock(t, { witness: (k) => k <= 4 })
  expect(run.steps.slice(0, 5).map((s) => s.kind)).toEqual(['block-start', 'block-hashes', 'block-hashes', 'block-hashes', 'block-hashes'])
  for (const w of run.witnesses) expect(hex(await checkStep(w)), `${t.id} step ${w.step}`).toBe(hex(w.post))
  const hashSteps = run.witnesses.slice(1)
  // Each witness: blockEnv, the leaves, their siblings, the headers; the last also the list proofs.
  const listItems = (hashSteps[3]?.proof.length ?? 0) - 3 - (headersPerStep[3] ?? 0)
  expect(listItems === 1 || listItems === 2).toBe(true)
  expect(hashSteps.map((w, j) => w.proof.length - 3 - (j === 3 ? listItems : 0))).toEqual(headersPerStep)
  const number = run.loaded.block.header.number
  const leaves = await Promise.all(
    Array.from({ length: 256 }, async (_, i) => {
      const n = number - 256n + BigInt(i)
      return n < 0n ? new Uint8Array(32) : (await run.loaded.blockchain.getBlock(n)).hash()
    }),
  )
  const env = ((hashSteps[0] as StepWitness).proof[0] as Uint8Array).slice()
  env.set(rangeRoot(leaves, 0, 8, []), 13 * 32)
  expect(hex(readState(hashSteps[3]?.postStateData as Uint8Array).blockEnvHash)).toBe(hex(keccak(env)))
  return run
}

describe('BLOCKHASH’s 256 hashes bound to the chain (block-hashes, SPEC.md §4)', () => {
  it('fills them from 254 ancestor headers, 64 a step, on a generated block at height 21,000,001', async () => {
    const t = generated()
    expect(t.ancestors).toHaveLength(256)
    await expectBound(t, [64, 64, 64, 62])
  }, 60_000)

  it.skipIf(!existsSync(NEAR_GENESIS))(
    'opens only the blocks that exist near genesis, the leaves below it zero',
    async () => {
      const t = await nearGenesis()
      expect(t.block.header.number).toBe('0xa')
      // Block 10: leaves 246–254 are blocks 0–8 (255 is the parent, bound by block-start); 0–245 stay zero.
      await expectBound(t, [9, 0, 0, 0])
    },
    60_000,
  )

  it('rejects a header that is not the chain’s, in any position, and headers out of order', async () => {
    const run = await traceBlock(generated(), { witness: (k) => k === 1 })
    const w = run.witnesses[0]
    if (w === undefined) throw new Error('no witness of step 1')
    const headers = w.proof.slice(3)
    const replaced = (i: number, header: Uint8Array) => ({ ...w, proof: w.proof.map((x, j) => (j === i ? header : x)) })
    // The block's own header, the parent's, a header of the same chain at another leaf.
    await expect(checkStep(replaced(3, run.loaded.block.header.serialize()))).rejects.toThrow(WitnessError)
    await expect(checkStep(replaced(3, run.loaded.parent.header.serialize()))).rejects.toThrow(WitnessError)
    await expect(checkStep(replaced(10, headers[0] as Uint8Array))).rejects.toThrow(/does not hash to leaf/)
    await expect(checkStep({ ...w, proof: [...w.proof.slice(0, 3), ...headers.slice().reverse()] })).rejects.toThrow(WitnessError)
    // A witness with a header too few or too many.
    await expect(checkStep({ ...w, proof: w.proof.slice(0, -1) })).rejects.toThrow(WitnessError)
    await expect(checkStep({ ...w, proof: [...w.proof, headers[0] as Uint8Array] })).rejects.toThrow(WitnessError)
  }, 60_000)

  it('refuses to trace a block whose trace lacks an ancestor, naming the block', async () => {
    const t = generated()
    const short = { ...t, ancestors: t.ancestors?.slice(10) }
    await expect(traceBlock(short)).rejects.toThrow(InputError)
    await expect(traceBlock(short)).rejects.toThrow(/carries no header of block 20999753 .* must hold blocks 20999746 to 20999999/)
  }, 60_000)
})
