/** Exit code for input that is malformed, missing or unsupported. */
export const EXIT_BAD_INPUT = 2
/** Exit code for a check that ran and failed (a root mismatch, a rejected claim). */
export const EXIT_CHECK_FAILED = 1

/**
 * Input that stepproof cannot use: a malformed file, an unknown fork, a missing path.
 * The message names what was wrong, what was expected and, where it helps, what to do.
 */
export class InputError extends Error {
  override readonly name = 'InputError'
  readonly exitCode = EXIT_BAD_INPUT
}

/** A check that ran to completion and failed. */
export class CheckFailedError extends Error {
  override readonly name = 'CheckFailedError'
  readonly exitCode = EXIT_CHECK_FAILED
}
