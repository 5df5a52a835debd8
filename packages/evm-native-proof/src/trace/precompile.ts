/**
 * precompile steps (SPEC.md §4; the checker's side is src/check/precompile.ts): a call into a
 * precompile runs it in one step, from the frame's calldata; the frame exit follows.
 */
import { frameData } from './encoding.ts'
import type { Frame, Tracing } from './state.ts'
import { viewItems } from './witness-parts.ts'

/** The precompile's step, once the call into it (its value moved) is sealed. */
export async function precompileStep(t: Tracing, f: Frame): Promise<void> {
  await t.seal()
  // The frame, then its whole input (SPEC.md §5.3), where it lies in the caller's memory.
  const proof = async () => [frameData(f), ...viewItems(f.calldata, 0n, BigInt(f.calldata.size))]
  await t.cutWitness('precompile', async () => ({ proof: await proof(), codes: [] }))
  t.push('precompile')
}
