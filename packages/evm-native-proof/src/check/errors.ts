/**
 * The checker's errors. A witness that does not prove what its step needs is a WitnessError: the
 * step is rejected (on-chain, the verifier reverts with a named error). An exceptional halt of the
 * EVM is not an error: it is a state, a failed frame (src/check/opcode.ts).
 */

/** A witness that does not prove what the step needs: missing, extra, malformed or not committed to. */
export class WitnessError extends Error {
  override name = 'WitnessError'
}
