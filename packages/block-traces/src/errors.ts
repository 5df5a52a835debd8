/** Exit code for input that is malformed, missing or unsupported. */
export const EXIT_BAD_INPUT = 2
/** Exit code for a check that ran and failed (a root mismatch, a rejected claim). */
export const EXIT_CHECK_FAILED = 1

/**
 * The base of stepproof's named errors: each says what went wrong in words a user can act on and
 * carries the exit code the CLI ends with. Anything else that escapes is an internal error.
 */
export class StepproofError extends Error {
  override readonly name: string = 'StepproofError'
  readonly exitCode: number = EXIT_CHECK_FAILED
}

/**
 * Input that stepproof cannot use: a malformed file, an unknown fork, a missing path.
 * The message names what was wrong, what was expected and, where it helps, what to do.
 */
export class InputError extends StepproofError {
  override readonly name: string = 'InputError'
  override readonly exitCode: number = EXIT_BAD_INPUT
}

/** A check that ran to completion and failed. */
export class CheckFailedError extends StepproofError {
  override readonly name: string = 'CheckFailedError'
}
