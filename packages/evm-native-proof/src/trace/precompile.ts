/**
 * precompile steps (SPEC.md §4; the checker's side is src/check/precompile.ts): a call into a
 * precompile runs it in one step, from the frame's calldata; the frame exit follows.
 */
import { frameData } from './encoding.ts'
import type { Frame, Tracing } from './state.ts'

/** The identity precompile's address (its last byte). */
export const IDENTITY = 4

import { viewItems } from './witness-parts.ts'

/** The precompile's step, once the call into it (its value moved) is sealed. */
export async function precompileStep(t: Tracing, f: Frame): Promise<void> {
  await t.seal()
  // The frame, then its whole input (SPEC.md §5.3), where it lies in the caller's memory; identity's
  // output is that input, read by nothing here.
  const identity = f.codeAddress[19] === IDENTITY && f.codeAddress.subarray(0, 19).every((b) => b === 0)
  const proof = async () => [frameData(f), ...(identity ? [] : viewItems(f.calldata, 0n, BigInt(f.calldata.size)))]
  await t.cutWitness('precompile', async () => ({ proof: await proof(), codes: [] }))
  t.push('precompile')
}
