import { EXIT_BAD_INPUT, InputError, StepproofError } from '@stepproof/block-traces'

/** Prints a value as one JSON document on stdout (bigints as decimal strings). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`)
}

/** The exit code for an error: a named error's own (2 for bad input, 1 for a failed check), 1 for anything unexpected. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof InputError) return EXIT_BAD_INPUT
  if (error instanceof StepproofError) return error.exitCode
  return 1
}

/** Prints an error as one line on stderr, without a stack trace, and exits with its code. */
export function fail(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error)
  const unexpected = !(error instanceof StepproofError)
  process.stderr.write(`stepproof: ${unexpected ? 'internal error: ' : ''}${message.replace(/\s*\n\s*/g, ' ')}\n`)
  if (unexpected && process.env.STEPPROOF_DEBUG) process.stderr.write(`${(error as Error).stack}\n`)
  process.exit(exitCodeFor(error))
}

/** The folder the user ran the command from (pnpm runs scripts from the repository root). */
export function userCwd(): string {
  return process.env.INIT_CWD ?? process.cwd()
}

/** A whole number given on the command line, or an InputError naming the option. */
export function parseCount(value: string, what: string): number {
  if (!/^\d+$/.test(value)) throw new InputError(`${what} must be a whole number, got "${value}"`)
  const n = Number(value)
  if (!Number.isSafeInteger(n)) throw new InputError(`${what} is too large: ${value}`)
  return n
}
