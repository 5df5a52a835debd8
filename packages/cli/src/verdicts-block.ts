import { type ExecResult, executeReference, type Mismatch, readBlockTrace } from '@stepproof/block-traces'
import { executeNative } from '@stepproof/evm-native-proof'
import { executeGeth, executeMips } from '@stepproof/mips-proof'
import type { BlockItem } from './block-input.ts'

/** The clients `stepproof verdicts` can ask: ethereumjs, go-ethereum (the guest, native or in MIPS), and the native proof's tracer. */
export const VERDICT_ENGINES = ['ethereumjs', 'geth', 'mips', 'evm-native'] as const
export type VerdictEngine = (typeof VERDICT_ENGINES)[number]

/** What one block is sent to a worker with. */
export interface VerdictTask {
  item: BlockItem
  engines: VerdictEngine[]
  /** The native go-ethereum guest, built once by the parent. */
  gethBinary?: string
}

/** One engine's verdict on one block, against the block's expectation. */
export interface EngineVerdict {
  engine: VerdictEngine
  /** Absent when the engine failed to run (`error`). */
  verdict?: 'valid' | 'invalid'
  /** Whether the verdict (and, for a valid block, every root) is the expected one. */
  match: boolean
  rejected?: string
  mismatches?: Mismatch[]
  /** The engine did not finish: it threw, or its input was refused. */
  error?: string
  seconds: number
}

/** One line of the results file of `stepproof verdicts`. */
export interface VerdictResult {
  id: string
  fork: string
  folder: string
  /** What the fixture expects; unknown for a block that could not be read. */
  expected: 'valid' | 'invalid' | 'unknown'
  /** The fixture's exception, for a block expected invalid. */
  exception?: string
  engines: EngineVerdict[]
  /** Why no engine ran (the importer skipped the block, or the run timed out). */
  reason?: string
  seconds: number
}

const oneLine = (message: string) => message.replace(/\s*\n\s*/g, ' ')

/** A block no engine gave a verdict on. */
export function noVerdict(item: BlockItem, reason: string, seconds = 0): VerdictResult {
  const { id, fork, folder } = item
  return { id, fork, folder, expected: 'unknown', engines: [], reason: oneLine(reason), seconds }
}

const RUN: Record<VerdictEngine, (trace: ReturnType<typeof readBlockTrace>, task: VerdictTask) => Promise<ExecResult>> = {
  ethereumjs: (trace) => executeReference(trace),
  geth: (trace, task) => executeGeth(trace, task.gethBinary),
  mips: (trace) => executeMips(trace),
  'evm-native': (trace) => executeNative(trace),
}

/** Runs one block on each engine asked for and compares each verdict with the block's expectation. */
export async function verdictsOfBlock(task: VerdictTask): Promise<VerdictResult> {
  const started = performance.now()
  const { item } = task
  let trace: ReturnType<typeof readBlockTrace>
  try {
    trace = readBlockTrace(item.path)
  } catch (e) {
    return noVerdict(item, (e as Error).message, (performance.now() - started) / 1000)
  }
  const engines: EngineVerdict[] = []
  for (const engine of task.engines) {
    const t0 = performance.now()
    try {
      const r = await RUN[engine](trace, task)
      engines.push({
        engine,
        verdict: r.verdict,
        match: r.match,
        ...(r.rejected === undefined ? {} : { rejected: oneLine(r.rejected) }),
        ...(r.mismatches.length === 0 ? {} : { mismatches: r.mismatches }),
        seconds: (performance.now() - t0) / 1000,
      })
    } catch (e) {
      engines.push({ engine, match: false, error: oneLine((e as Error).message), seconds: (performance.now() - t0) / 1000 })
    }
  }
  const { id, fork, folder } = item
  const exception = trace.expected.invalid
  return {
    id,
    fork,
    folder,
    expected: exception === undefined ? 'valid' : 'invalid',
    ...(exception === undefined ? {} : { exception }),
    engines,
    seconds: (performance.now() - started) / 1000,
  }
}
