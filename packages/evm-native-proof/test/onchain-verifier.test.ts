import { loadCorpus } from '@stepproof/block-traces'
import { type Anvil, startAnvil } from '@stepproof/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deployEvmVerifier, type EvmDeployment, provenOnChain, proveOnChain } from '../src/onchain.ts'
import { traceBlock } from '../src/trace/tracer.ts'

const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}`

/**
 * The Solidity verifier on a real Anvil (EIP-170's limit enforced on every part), held to the
 * tracer's commitments step by step over whole blocks of the standard corpus: every step it proves
 * must give the post the reference checker gives (the tracer's, which the checker re-derives in
 * test/checker.test.ts); the steps it does not prove yet are counted, by kind.
 */
describe('EvmStepVerifier on Anvil, whole blocks step by step', () => {
  let anvil: Anvil
  let d: EvmDeployment
  beforeAll(async () => {
    anvil = await startAnvil()
    d = await deployEvmVerifier(anvil)
  }, 120_000)
  afterAll(async () => {
    await anvil?.stop()
  })

  const proven: Record<string, number> = {}
  const unproven: Record<string, number> = {}
  for (const { trace } of loadCorpus('standard'))
    it(`${trace.id}: every step the verifier proves gives the tracer's post on-chain`, async () => {
      const wrong: string[] = []
      const here: Record<string, number> = {}
      let maxGas = 0
      await traceBlock(trace, {
        witness: () => true,
        onWitness: async (w) => {
          const kind = w.kind === 'opcode' ? `opcode 0x${(w.opcode ?? 0).toString(16)}` : w.kind
          if (!provenOnChain(w)) {
            unproven[w.kind] = (unproven[w.kind] ?? 0) + 1
            return
          }
          const r = await proveOnChain(d, w)
          if (r.onchainPost !== hex(w.post)) wrong.push(`step ${w.step} (${kind})`)
          here[w.kind] = (here[w.kind] ?? 0) + 1
          proven[w.kind] = (proven[w.kind] ?? 0) + 1
          if (r.executionGas > maxGas) maxGas = r.executionGas
        },
      })
      expect(wrong).toEqual([])
      console.log(`${trace.id}: proven on-chain ${JSON.stringify(here)}, max step gas ${maxGas}`)
    }, 600_000)

  it('covers opcode steps and frame exits of every block, and counts what it does not prove yet', () => {
    expect(proven.opcode ?? 0).toBeGreaterThan(10_000)
    expect(proven['frame-exit'] ?? 0).toBeGreaterThan(50)
    console.log(`standard corpus: proven on-chain ${JSON.stringify(proven)}, not yet ${JSON.stringify(unproven)}`)
  })
})
