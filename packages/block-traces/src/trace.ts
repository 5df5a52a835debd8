import { existsSync, readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { z } from 'zod'
import { InputError } from './errors.ts'
import { FORKS } from './forks.ts'
import type { Hex } from './hex.ts'

/** The format id every block trace carries; bump it when the layout changes. */
export const TRACE_FORMAT = 'stepproof/block-trace@1'

/** A string field that must match `pattern`; its parsed type is {@link Hex}. */
const hexField = (pattern: RegExp, expectation: string) =>
  z
    .string()
    .regex(pattern, expectation)
    .transform((s) => s as Hex)
const bytes = hexField(/^0x([0-9a-fA-F]{2})*$/, 'expected 0x-prefixed hex of whole bytes')
const quantity = hexField(/^0x(0|[1-9a-fA-F][0-9a-fA-F]*)$/, 'expected a 0x-prefixed hex quantity without leading zeros')
const hash = hexField(/^0x[0-9a-fA-F]{64}$/, 'expected a 32-byte 0x-hex hash')
const address = hexField(/^0x[0-9a-fA-F]{40}$/, 'expected a 20-byte 0x-hex address')
const word = hexField(/^0x[0-9a-fA-F]{1,64}$/, 'expected a 0x-hex word of at most 32 bytes')

/** A block header, with ethereumjs's field names so it feeds `createBlockHeader` directly. */
export const HeaderSchema = z.strictObject({
  parentHash: hash,
  uncleHash: hash,
  coinbase: address,
  stateRoot: hash,
  transactionsTrie: hash,
  receiptTrie: hash,
  logsBloom: bytes,
  difficulty: quantity,
  number: quantity,
  gasLimit: quantity,
  gasUsed: quantity,
  timestamp: quantity,
  extraData: bytes,
  mixHash: hash,
  nonce: bytes,
  baseFeePerGas: quantity.optional(),
  withdrawalsRoot: hash.optional(),
  blobGasUsed: quantity.optional(),
  excessBlobGas: quantity.optional(),
  parentBeaconBlockRoot: hash.optional(),
  requestsHash: hash.optional(),
})

/** An EIP-4895 withdrawal. */
export const WithdrawalSchema = z.strictObject({
  index: quantity,
  validatorIndex: quantity,
  address,
  amount: quantity,
})

/** An account of the pre-state. Storage maps slot to value, both as hex words. */
export const AccountSchema = z.strictObject({
  nonce: quantity,
  balance: quantity,
  code: bytes,
  storage: z.record(word, word),
})

const blobParams = z.strictObject({
  target: z.number().int().nonnegative(),
  max: z.number().int().nonnegative(),
  baseFeeUpdateFraction: z.number().int().positive(),
})

/** The whole of one block trace: everything needed to execute one block and check the result. */
export const BlockTraceSchema = z.strictObject({
  format: z.literal(TRACE_FORMAT, { error: `expected "${TRACE_FORMAT}"` }),
  id: z.string().min(1),
  source: z.string().min(1),
  generatedBy: z.string().optional(),
  fork: z.enum(FORKS, { error: (i) => `unknown fork ${JSON.stringify(i.input)}; supported forks are ${FORKS.join(', ')}` }),
  chainId: z.number().int().positive(),
  chainConfig: z.strictObject({ blobSchedule: z.record(z.string(), blobParams).optional() }),
  parent: HeaderSchema,
  /** Headers before the parent, oldest first, for BLOCKHASH: the native proof needs the 254 before the parent (or back to genesis). */
  ancestors: z.array(HeaderSchema).optional(),
  block: z.strictObject({
    header: HeaderSchema,
    transactions: z.array(bytes),
    withdrawals: z.array(WithdrawalSchema).optional(),
  }),
  pre: z.record(address, AccountSchema),
  expected: z.strictObject({
    stateRoot: hash,
    receiptsRoot: hash,
    gasUsed: quantity,
    logsBloom: bytes,
    requestsHash: hash.optional(),
    /** The block must be rejected, for this reason (an execution-spec-tests exception name); the roots are the header's claims. */
    invalid: z.string().min(1).optional(),
  }),
})

/** A validated block trace. */
export type BlockTrace = z.output<typeof BlockTraceSchema>
/** A block trace before validation (plain strings where the validated form has {@link Hex}). */
export type BlockTraceInput = z.input<typeof BlockTraceSchema>
/** A header as a trace stores it. */
export type TraceHeader = z.output<typeof HeaderSchema>
/** A pre-state account as a trace stores it. */
export type TraceAccount = z.output<typeof AccountSchema>

function describeIssue(issue: z.core.$ZodIssue): string {
  const field = issue.path.length === 0 ? '(top level)' : issue.path.map(String).join('.')
  return `field ${field}: ${issue.message}`
}

/** Validates parsed JSON as a block trace; `where` names the input (a file path) in the error. */
export function parseBlockTrace(json: unknown, where: string): BlockTrace {
  const result = BlockTraceSchema.safeParse(json)
  if (!result.success) {
    const issues = result.error.issues
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : ''
    throw new InputError(`${where}: not a valid block trace: ${describeIssue(issues[0] as z.core.$ZodIssue)}${more}`)
  }
  return result.data
}

/** Reads JSON from a file, gunzipped when its name ends in `.gz`, with errors that name the file. */
export function readJsonFile(path: string): unknown {
  if (!existsSync(path)) throw new InputError(`${path}: no such file`)
  const text = path.endsWith('.gz') ? gunzipped(path) : readFileSync(path, 'utf8')
  try {
    return JSON.parse(text)
  } catch (e) {
    throw new InputError(`${path}: not valid JSON (${(e as Error).message})`)
  }
}

function gunzipped(path: string): string {
  try {
    return gunzipSync(readFileSync(path)).toString('utf8')
  } catch (e) {
    throw new InputError(`${path}: not a valid gzip file (${(e as Error).message}); expected gzipped JSON`)
  }
}

/** Reads and validates a block trace file. */
export function readBlockTrace(path: string): BlockTrace {
  return parseBlockTrace(readJsonFile(path), path)
}

/** Serialises a trace the way the corpora are committed: stable key order, two-space indent. */
export function serializeBlockTrace(trace: BlockTrace): string {
  return `${JSON.stringify(trace, null, 2)}\n`
}
