/**
 * precompile steps (SPEC.md §4; the checker's side is src/check/precompile.ts): a call into a
 * precompile runs it in one step, from the frame's calldata; the frame exit follows.
 */
import { frameData } from './encoding.ts'
import type { Frame, Tracing } from './state.ts'
import { precompileWitness } from './witness.ts'

/** The precompile's step, once the call into it (its value moved) is sealed. */
export async function precompileStep(t: Tracing, f: Frame): Promise<void> {
  await t.seal()
  await t.cutWitness('precompile', async () => ({ proof: precompileWitness(frameData(f), f.calldata), codes: [] }))
  t.push('precompile')
}
