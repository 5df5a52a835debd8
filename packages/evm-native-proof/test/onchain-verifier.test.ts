import { loadCorpus, Rng } from '@stepproof/block-traces'
import { type Anvil, startAnvil } from '@stepproof/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkStep } from '../src/check/index.ts'
import { keccak } from '../src/check/layout.ts'
import { deployEvmVerifier, type EvmDeployment, provenOnChain, proveOnChain } from '../src/onchain.ts'
import { traceBlock } from '../src/trace/tracer.ts'
import type { StepWitness } from '../src/trace/witness.ts'

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

  // Random mutations of real witnesses against the Solidity verifier on Anvil: a changed byte of the
  // state or of a witness item, a dropped or repeated item, a cut item. The verifier must do what the
  // reference checker does with the same input: revert where the checker rejects the witness, and
  // give the checker's post where it accepts it (a changed state is another pre-state, with a post of
  // its own; a changed byte the step never reads leaves the honest post).
  /** A witness with one random change. */
  function mutate(w: StepWitness, rng: Rng): { what: string; w: StepWitness } {
    const items = w.proof.map((p) => p.slice())
    const kind = rng.below(5)
    if (kind === 0) {
      const stateData = w.stateData.slice()
      const at = rng.below(stateData.length)
      stateData[at] = (stateData[at] as number) ^ (1 << rng.below(8))
      return { what: `state byte ${at}`, w: { ...w, stateData } }
    }
    const i = rng.below(items.length)
    const item = items[i] as Uint8Array
    if (kind === 1 && item.length > 0) {
      const at = rng.below(item.length)
      item[at] = (item[at] as number) ^ (1 << rng.below(8))
      return { what: `item ${i} byte ${at}`, w: { ...w, proof: items } }
    }
    if (kind === 2) return { what: `item ${i} dropped`, w: { ...w, proof: items.filter((_, j) => j !== i) } }
    if (kind === 3) return { what: `item ${i} repeated`, w: { ...w, proof: [...items.slice(0, i + 1), item, ...items.slice(i + 1)] } }
    return { what: `item ${i} cut`, w: { ...w, proof: items.map((p, j) => (j === i ? p.subarray(0, p.length >> 1) : p)) } }
  }

  it('does what the checker does, over 600 mutations of proven steps of every kind', async () => {
    const rng = new Rng('onchain-fuzz')
    const picked: StepWitness[] = []
    const perKind = new Map<string, number>()
    for (const name of ['nested-calls', 'selfdestruct-transient', 'memory-keccak-logs', 'deployments', 'storage-refunds']) {
      const { trace } = loadCorpus('standard').find((e) => e.trace.id === `standard/${name}`) ?? {}
      if (trace === undefined) throw new Error(`no standard block ${name}`)
      await traceBlock(trace, {
        witness: () => true,
        onWitness: async (w) => {
          if (!provenOnChain(w)) return
          const key = w.kind === 'opcode' ? `opcode ${w.opcode}` : w.kind
          // At most 3 steps of each opcode or kind, the rest sampled thinly.
          if ((perKind.get(key) ?? 0) >= 3 && rng.below(200) !== 0) return
          perKind.set(key, (perKind.get(key) ?? 0) + 1)
          picked.push(w)
        },
      })
    }
    let reverted = 0
    let accepted = 0
    const other: string[] = []
    for (let k = 0; k < 600; k++) {
      const w = picked[k % picked.length] as StepWitness
      const m = mutate(w, rng)
      const expected = await checkStep({ pre: keccak(m.w.stateData), stateData: m.w.stateData, proof: m.w.proof, codes: m.w.codes }).then(
        hex,
        () => 'rejected',
      )
      let got: string
      try {
        got = (await proveOnChain(d, m.w)).onchainPost
      } catch (e) {
        // A revert of the verifier, not some other failure of the node or the client.
        if (!/revert/i.test(String(e))) throw e
        got = 'rejected'
      }
      if (got !== expected) other.push(`step ${w.step} (${w.kind} ${w.opcode ?? ''}), ${m.what}: checker ${expected}, verifier ${got}`)
      if (got === 'rejected') reverted++
      else accepted++
    }
    expect(other).toEqual([])
    expect(picked.length).toBeGreaterThan(150)
    // Nearly every byte of a witness is read and committed to: most mutations are rejected by both.
    expect(reverted).toBeGreaterThan(400)
    console.log(
      `${picked.length} steps (${perKind.size} opcodes and kinds); 600 mutations: ${reverted} rejected by both, ${accepted} accepted by both with the same post`,
    )
  }, 600_000)
})
