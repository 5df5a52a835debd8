import { existsSync, readdirSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { InputError } from './errors.ts'
import { type BlockTrace, readBlockTrace } from './trace.ts'

/** The built-in corpora: generated scenarios, the scaling series, and the imported BlockchainTests fixtures. */
export const CORPORA = ['standard', 'scaling', 'fixtures'] as const
/** One of {@link CORPORA}. */
export type CorpusName = (typeof CORPORA)[number]

/** The repository root (two levels above this package's src). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')

/** The folder a corpus's traces are committed in. */
export function corpusDir(name: CorpusName): string {
  return join(REPO_ROOT, 'packages/block-traces/corpus', name)
}

/** One row of `stepproof traces list`. */
export interface CorpusEntry {
  id: string
  fork: string
  txs: number
  gasUsed: string
  source: string
  path: string
}

/** Parses a corpus name, with an error listing the known ones. */
export function parseCorpusName(name: string): CorpusName {
  const found = CORPORA.find((c) => c === name)
  if (found === undefined) throw new InputError(`unknown corpus "${name}"; the corpora are ${CORPORA.join(', ')}`)
  return found
}

/** The trace files of a corpus, sorted by name. */
export function corpusFiles(name: CorpusName): string[] {
  const dir = corpusDir(name)
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(dir, f))
}

/** Reads every trace of a corpus. */
export function loadCorpus(name: CorpusName): { trace: BlockTrace; path: string }[] {
  return corpusFiles(name).map((path) => ({ trace: readBlockTrace(path), path }))
}

/** Lists a corpus as `traces list` prints it; paths are relative to the repository root. */
export function listCorpus(name: CorpusName): CorpusEntry[] {
  return loadCorpus(name).map(({ trace, path }) => ({
    id: trace.id,
    fork: trace.fork,
    txs: trace.block.transactions.length,
    gasUsed: trace.expected.gasUsed,
    source: trace.source,
    path: relative(REPO_ROOT, path),
  }))
}

/**
 * Resolves what a user named: a path to a trace file (relative to `cwd`), or the id of a trace in
 * one of the built-in corpora.
 */
export function resolveTrace(ref: string, cwd: string): { trace: BlockTrace; path: string } {
  const asPath = resolve(cwd, ref)
  if (existsSync(asPath)) return { trace: readBlockTrace(asPath), path: asPath }
  for (const name of CORPORA) {
    for (const entry of loadCorpus(name)) {
      if (entry.trace.id === ref) return entry
    }
  }
  throw new InputError(`${ref}: no such trace file, and no trace of the corpora (${CORPORA.join(', ')}) has this id`)
}
