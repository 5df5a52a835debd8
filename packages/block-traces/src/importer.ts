import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { type Block, createBlockFromRLP } from '@ethereumjs/block'
import { z } from 'zod'
import { InputError } from './errors.ts'
import { commonFor, FORKS, type Fork } from './forks.ts'
import { expectedFromHeader, headerToTrace, withdrawalsToTrace } from './header.ts'
import { fromHex, quantity, toHex } from './hex.ts'
import { runOnEthereumjs } from './reference.ts'
import { dumpState, PreimageRecorder } from './state-dump.ts'
import { type BlockTrace, type BlockTraceInput, parseBlockTrace, readJsonFile, serializeBlockTrace, TRACE_FORMAT } from './trace.ts'

const fixtureAccount = z.object({
  nonce: z.string(),
  balance: z.string(),
  code: z.string(),
  storage: z.record(z.string(), z.string()),
})

/** One test of a BlockchainTests file, classic (ethereum/tests) or execution-spec-tests flavour. */
const BlockchainTestSchema = z.object({
  network: z.string(),
  genesisRLP: z.string(),
  pre: z.record(z.string(), fixtureAccount),
  blocks: z.array(
    z.looseObject({
      rlp: z.string(),
      expectException: z.string().optional(),
    }),
  ),
  postState: z.record(z.string(), fixtureAccount).optional(),
  postStateHash: z.string().optional(),
  lastblockhash: z.string(),
  config: z
    .looseObject({
      chainid: z.string().optional(),
      blobSchedule: z.record(z.string(), z.object({ target: z.string(), max: z.string(), baseFeeUpdateFraction: z.string() })).optional(),
    })
    .optional(),
})

/** Bump when the importer's output for the same input changes: imports cached from it (the wide corpus) are then redone. */
export const IMPORTER_VERSION = 2

/** A test the importer did not turn into traces, with the reason. */
export interface SkippedTest {
  test: string
  reason: string
}

/** What one import produced. */
export interface ImportResult {
  traces: BlockTrace[]
  skipped: SkippedTest[]
}

function normaliseAccount(acct: z.infer<typeof fixtureAccount>): BlockTraceInput['pre'][string] {
  const storage: Record<string, string> = {}
  for (const [slot, value] of Object.entries(acct.storage)) {
    if (BigInt(value) === 0n) continue
    storage[quantity(BigInt(slot))] = quantity(BigInt(value))
  }
  return { nonce: quantity(BigInt(acct.nonce)), balance: quantity(BigInt(acct.balance)), code: acct.code.toLowerCase(), storage }
}

function traceOf(
  testId: string,
  source: string,
  fork: Fork,
  chainId: number,
  blobSchedule: BlockTraceInput['chainConfig']['blobSchedule'],
  chain: Block[],
  block: Block,
  pre: BlockTraceInput['pre'],
  invalid?: string,
): BlockTrace {
  const header = headerToTrace(block.header)
  const parent = chain[chain.length - 1] as Block
  const ancestors = chain.slice(Math.max(0, chain.length - 1 - MAX_ANCESTORS), -1)
  const trace: BlockTraceInput = {
    format: TRACE_FORMAT,
    id: testId,
    source,
    fork,
    chainId,
    chainConfig: blobSchedule === undefined ? {} : { blobSchedule },
    parent: headerToTrace(parent.header),
    ...(ancestors.length === 0 ? {} : { ancestors: ancestors.map((b) => headerToTrace(b.header)) }),
    block: {
      header,
      transactions: block.transactions.map((tx) => toHex(tx.serialize())),
      ...(block.withdrawals === undefined ? {} : { withdrawals: withdrawalsToTrace(block.withdrawals) }),
    },
    pre,
    expected: { ...expectedFromHeader(header), ...(invalid === undefined ? {} : { invalid }) },
  }
  return parseBlockTrace(trace, testId)
}

/** BLOCKHASH reaches 256 blocks back. */
const MAX_ANCESTORS = 256

function sortedState(state: BlockTraceInput['pre']): string {
  return JSON.stringify(Object.fromEntries(Object.entries(state).sort(([a], [b]) => a.localeCompare(b))))
}

/** The id of block `index` (from 0) of a test with `count` blocks: the test's id, or `<test>::blockN` in a multi-block test. */
export function blockIdOf(testId: string, index: number, count: number): string {
  return count === 1 ? testId : `${testId}::block${index + 1}`
}

/** The id of a test of a BlockchainTests file: `<file name>::<test name>`. */
export function testIdOf(file: string, name: string): string {
  return `${basename(file)}::${name}`
}

async function convertTest(file: string, name: string, raw: unknown): Promise<ImportResult> {
  const testId = testIdOf(file, name)
  const skip = (reason: string, test = testId): ImportResult => ({ traces: [], skipped: [{ test, reason }] })
  const parsed = BlockchainTestSchema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    return skip(`not a BlockchainTests test: field ${issue?.path.join('.')}: ${issue?.message}`)
  }
  const test = parsed.data
  const fork = FORKS.find((f) => f === test.network)
  if (fork === undefined) return skip(`network "${test.network}" is not supported (supported: ${FORKS.join(', ')})`)
  const chainId = test.config?.chainid === undefined ? 1 : Number(BigInt(test.config.chainid))
  const blobSchedule =
    test.config?.blobSchedule === undefined
      ? undefined
      : Object.fromEntries(
          Object.entries(test.config.blobSchedule).map(([f, p]) => [
            f,
            {
              target: Number(BigInt(p.target)),
              max: Number(BigInt(p.max)),
              baseFeeUpdateFraction: Number(BigInt(p.baseFeeUpdateFraction)),
            },
          ]),
        )
  // Multi-block chains need each block's post-state: the recorder lets it be read back with real keys.
  const recorder = new PreimageRecorder()
  const common = commonFor(fork, BigInt(chainId), recorder.keccak256)
  const chain: Block[] = [createBlockFromRLP(fromHex(test.genesisRLP), { common })]
  let state: BlockTraceInput['pre'] = Object.fromEntries(
    Object.entries(test.pre).map(([a, acct]) => [a.toLowerCase(), normaliseAccount(acct)]),
  )
  const result: ImportResult = { traces: [], skipped: [] }
  const single = test.blocks.length === 1
  for (const [i, fixtureBlock] of test.blocks.entries()) {
    const blockId = blockIdOf(testId, i, test.blocks.length)
    if (fixtureBlock.expectException !== undefined) {
      // A block that must be rejected is a trace too, expected invalid; the chain goes on without it.
      let invalid: Block
      try {
        invalid = createBlockFromRLP(fromHex(fixtureBlock.rlp), { common })
      } catch (e) {
        result.skipped.push({ test: blockId, reason: `invalid block that does not decode (${(e as Error).message})` })
        continue
      }
      const source = `blockchain-tests:${basename(file)}#${name}${single ? '' : `#${i + 1}`}`
      result.traces.push(traceOf(blockId, source, fork, chainId, blobSchedule, chain, invalid, state, fixtureBlock.expectException))
      continue
    }
    const block = createBlockFromRLP(fromHex(fixtureBlock.rlp), { common })
    const trace = traceOf(
      blockId,
      `blockchain-tests:${basename(file)}#${name}${single ? '' : `#${i + 1}`}`,
      fork,
      chainId,
      blobSchedule,
      chain,
      block,
      state,
    )
    result.traces.push(trace)
    chain.push(block)
    if (!single) {
      const { stateManager } = await runOnEthereumjs(trace, common)
      state = await dumpState(stateManager, recorder)
    }
  }
  const last = chain[chain.length - 1] as Block
  if (toHex(last.hash()) !== test.lastblockhash.toLowerCase()) {
    const reason = `block hash ${toHex(last.hash())} is not the test's lastblockhash ${test.lastblockhash}`
    return { traces: [], skipped: [...result.skipped, { test: testId, reason }] }
  }
  if (!single && test.postState !== undefined) {
    const expected = Object.fromEntries(Object.entries(test.postState).map(([a, acct]) => [a.toLowerCase(), normaliseAccount(acct)]))
    if (sortedState(expected) !== sortedState(state)) return skip("the state after the last block differs from the test's postState")
  }
  return result
}

/** A test whose conversion threw (a block ethereumjs rejects, a state that does not hash to its root) is skipped with the error. */
function failedTest(testId: string, error: unknown): ImportResult {
  const message = error instanceof Error ? error.message : String(error)
  // The error names the test (or one of its blocks, `<test>::blockN`); the skip names the test already.
  const reason = message.startsWith(testId) ? message.slice(testId.length).replace(/^(::|: )/, '') : message
  return { traces: [], skipped: [{ test: testId, reason: `import failed: ${reason}` }] }
}

/** Converts every test of one BlockchainTests file (`.json` or `.json.gz`); tests it cannot take are skipped with a reason. */
export async function importBlockchainTestFile(file: string): Promise<ImportResult> {
  const json = readJsonFile(file)
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new InputError(`${file}: expected a BlockchainTests file (an object mapping test names to tests)`)
  }
  const result: ImportResult = { traces: [], skipped: [] }
  for (const [name, raw] of Object.entries(json)) {
    if (name === '_info') continue
    const one = await convertTest(file, name, raw).catch((e: unknown) => failedTest(testIdOf(file, name), e))
    result.traces.push(...one.traces)
    result.skipped.push(...one.skipped)
  }
  return result
}

/** Whether a file name is one the importer reads: BlockchainTests JSON, plain or gzipped. */
export function isBlockchainTestFile(name: string): boolean {
  return name.endsWith('.json') || name.endsWith('.json.gz')
}

/** The files an import path names: the file itself, or every *.json and *.json.gz below a folder, sorted. */
export function blockchainTestFiles(path: string): string[] {
  if (!existsSync(path)) throw new InputError(`${path}: no such file or folder`)
  if (!statSync(path).isDirectory()) return [path]
  const files: string[] = []
  for (const entry of readdirSync(path, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = join(path, entry.name)
    if (entry.isDirectory()) files.push(...blockchainTestFiles(full))
    else if (isBlockchainTestFile(entry.name)) files.push(full)
  }
  return files
}

/** Imports a file or folder of BlockchainTests. */
export async function importBlockchainTests(path: string): Promise<ImportResult> {
  const result: ImportResult = { traces: [], skipped: [] }
  for (const file of blockchainTestFiles(path)) {
    const one = await importBlockchainTestFile(file)
    result.traces.push(...one.traces)
    result.skipped.push(...one.skipped)
  }
  return result
}

/** A file name for a trace id: readable, bounded in length, unique by a short hash of the id. */
export function traceFileName(id: string): string {
  const slug = id.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 100)
  const tag = createHash('sha256').update(id).digest('hex').slice(0, 8)
  return `${slug}-${tag}.json`
}

/** Writes traces into `dir`, each atomically (temp file, then rename), and returns their paths. */
export function writeTraces(traces: BlockTrace[], dir: string): string[] {
  mkdirSync(dir, { recursive: true })
  return traces.map((trace) => {
    const path = join(dir, traceFileName(trace.id))
    const tmp = `${path}.partial`
    writeFileSync(tmp, serializeBlockTrace(trace))
    renameSync(tmp, path)
    return path
  })
}
