import { mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type AnyCorpusName, type BlockTrace, executeReference, loadAnyCorpus } from '@stepproof/block-traces'
import { checkBlock, executeNative, NativeProver, opcodeClass, STEP_KINDS, type StepKind, traceBlock } from '@stepproof/evm-native-proof'
import { type MipsBlockRow, type MipsScaling, measureMipsBlock, mipsScaling } from './mips-blocks.ts'

/** The proof systems the comparison covers, and whether each can run yet. */
export const APPROACHES = [
  {
    name: 'mips',
    status:
      'per-block steps, phases, preimages and time below (go-ethereum v1.17.10 on the TypeScript MIPS VM); step gas by instruction class: `pnpm bench:mips-gas`; VM speed: `pnpm bench:mips-vm`; bisection rounds and game gas: not yet',
  },
  {
    name: 'evm-native',
    status: `per-block steps by kind and tracing time below (SPEC.md commitments after every step, on ethereumjs); the witness of every step (all ${STEP_KINDS.length} kinds) re-executed by the reference checker, with sizes by opcode class and step kind; on-chain verifier: not yet`,
  },
] as const

/** One block's row in the comparison. */
export interface BlockRow {
  id: string
  corpus: AnyCorpusName
  fork: string
  txs: number
  gasUsed: number
  referenceSeconds: number
  referenceMatch: boolean
  /** The MIPS approach on this block, unless the run left MIPS out. */
  mips?: MipsBlockRow
  /** The native approach on this block: steps and the cost of tracing them. */
  native?: NativeBlockRow
}

export interface NativeBlockRow {
  match: boolean
  steps: number
  stepsByKind: Record<StepKind, number>
  opcodeClasses: Record<string, number>
  /** Tracing with a commitment after every step, against the plain ethereumjs run of the same block. */
  seconds: number
  overReference: number
  /** Every opcode step's witness cut and re-executed by the reference checker. */
  witnesses: {
    opcodeSteps: number
    checked: number
    failures: number
    /** Witness bytes over the checked steps. */
    bytes: SizeStats
    /** Tracing with every witness cut, plus the checker, in seconds. */
    seconds: number
  }
  /** Transaction checkpoints (NativeProver): their size, and a late step proven from one against a run of the block. */
  checkpoints: {
    count: number
    bytes: number
    /** The step proven: the middle of the last transaction. */
    step: number
    proveSeconds: number
    fullRunSeconds: number
  }
}

/** Size statistics in bytes. */
export interface SizeStats {
  count: number
  median: number
  p99: number
  max: number
  mean: number
}

export function sizeStats(values: number[]): SizeStats {
  const v = values.slice().sort((a, b) => a - b)
  const at = (q: number) => v[Math.min(v.length - 1, Math.floor(q * v.length))] ?? 0
  return {
    count: v.length,
    median: at(0.5),
    p99: at(0.99),
    max: v[v.length - 1] ?? 0,
    mean: v.length === 0 ? 0 : Math.round(v.reduce((a, b) => a + b, 0) / v.length),
  }
}

/** Specular's one-step state proof without the bytecode it also sends (SPEC.md §0). */
export const SPECULAR_STATE_PROOF_BYTES = 558

/** The whole comparison run: what was measured, and what could not be yet. */
export interface ComparisonReport {
  generatedBy: string
  corpora: AnyCorpusName[]
  blocks: BlockRow[]
  approaches: { name: string; status: string }[]
  /** Marginal MIPS steps per transaction and per gas, fitted on the scaling corpus when it ran. */
  mipsScaling?: MipsScaling
  /** Native witness sizes over every checked step of every block, by opcode class (other steps by kind). */
  nativeWitnessBytes?: { all: SizeStats; byClass: Record<string, SizeStats> }
}

export interface ComparisonOptions {
  /** Run every block through the MIPS guest too (the slow part: 0.2 to 1 billion steps a block). */
  mips?: boolean
  /** Called once the corpora are loaded, with the number of blocks. */
  onStart?: (total: number) => void
  /** Called after each block, for progress. */
  onBlock?: (row: BlockRow, index: number, total: number) => void
  /** Called during a block's MIPS run with the steps so far. */
  onMipsSteps?: (id: string, steps: number) => void
}

/** Runs the comparison over the given corpora. */
export async function runComparison(corpora: AnyCorpusName[], opts: ComparisonOptions = {}): Promise<ComparisonReport> {
  const entries = (await Promise.all(corpora.map(async (corpus) => (await loadAnyCorpus(corpus)).map((e) => ({ ...e, corpus }))))).flat()
  const blocks: BlockRow[] = []
  const allSizes: number[] = []
  const sizesByClass = new Map<string, number[]>()
  opts.onStart?.(entries.length)
  for (const [i, { trace, corpus }] of entries.entries()) {
    const result = await executeReference(trace)
    const row: BlockRow = {
      id: trace.id,
      corpus,
      fork: trace.fork,
      txs: trace.block.transactions.length,
      gasUsed: Number(BigInt(result.gasUsed)),
      referenceSeconds: result.seconds,
      referenceMatch: result.match,
    }
    const native = await executeNative(trace)
    const checked = await checkBlock(trace)
    const checkpoints = await measureCheckpoints(trace)
    for (const { kind, opcode, bytes } of checked.sizes) {
      allSizes.push(bytes)
      const c = opcode === undefined ? kind : opcodeClass(opcode)
      sizesByClass.set(c, [...(sizesByClass.get(c) ?? []), bytes])
    }
    row.native = {
      witnesses: {
        opcodeSteps: checked.witnessed,
        checked: checked.checked,
        failures: checked.failures.length,
        bytes: sizeStats(checked.sizes.map((x) => x.bytes)),
        seconds: checked.seconds,
      },
      match: native.match,
      steps: native.steps,
      stepsByKind: native.stepsByKind,
      opcodeClasses: native.opcodeClasses,
      seconds: native.seconds,
      overReference: native.seconds / result.seconds,
      checkpoints,
    }
    if (opts.mips) row.mips = await measureMipsBlock(trace, (steps) => opts.onMipsSteps?.(trace.id, steps))
    blocks.push(row)
    opts.onBlock?.(row, i, entries.length)
  }
  const scaling = blocks.filter((b): b is BlockRow & { mips: MipsBlockRow } => b.corpus === 'scaling' && b.mips !== undefined)
  return {
    generatedBy: `pnpm stepproof bench --corpus ${corpora.join(',')}${opts.mips ? '' : ' --no-mips'}`,
    corpora,
    blocks,
    approaches: APPROACHES.map((a) => ({ ...a })),
    ...(scaling.length >= 2 ? { mipsScaling: mipsScaling(scaling) } : {}),
    ...(allSizes.length === 0
      ? {}
      : {
          nativeWitnessBytes: {
            all: sizeStats(allSizes),
            byClass: Object.fromEntries([...sizesByClass].sort().map(([c, v]) => [c, sizeStats(v)])),
          },
        }),
  }
}

const millions = (n: number) => (n / 1e6).toFixed(1)

/** Builds a NativeProver and proves the middle step of the block's last transaction, from its checkpoint and from a run of the block. */
async function measureCheckpoints(trace: BlockTrace): Promise<NativeBlockRow['checkpoints']> {
  const prover = await NativeProver.build(trace)
  const steps = Array.from({ length: prover.steps }, (_, k) => k)
  const starts = steps.filter((k) => prover.kindOf(k) === 'tx-start')
  const last = starts[starts.length - 1]
  const end = steps.findLast((k) => prover.kindOf(k) === 'tx-receipt') ?? 0
  const step = last === undefined ? 0 : Math.floor((last + end) / 2)
  let t = performance.now()
  await prover.proveStep(step)
  const proveSeconds = (performance.now() - t) / 1000
  t = performance.now()
  await traceBlock(trace, { witness: (k) => k === step })
  const fullRunSeconds = (performance.now() - t) / 1000
  return { count: prover.checkpoints, bytes: prover.checkpointBytes, step, proveSeconds, fullRunSeconds }
}

function checkpointSection(rows: (BlockRow & { native: NativeBlockRow })[]): string[] {
  const withTxs = rows.filter((b) => b.txs > 0)
  if (withTxs.length === 0) return []
  const speedups = withTxs.map((b) => b.native.checkpoints.fullRunSeconds / b.native.checkpoints.proveSeconds).sort((a, b) => a - b)
  return [
    '## EVM-native: checkpoints',
    '',
    `One run of a block keeps every step's commitment (commitmentAt(k) is a lookup) and a checkpoint before each transaction and one before the block's tail (the 352-byte state, the gas counters, the receipts, bloom and request items so far; the world state stays in the run's node store), so proveStep(k) re-runs only k's transaction (or the tail: withdrawals, system calls, block end). Proving the middle step of each block's last transaction from its checkpoint against a run of the whole block: median ${(speedups[Math.floor(speedups.length / 2)] ?? 0).toFixed(1)}× faster, ${(speedups[0] ?? 0).toFixed(1)}× to ${(speedups[speedups.length - 1] ?? 0).toFixed(1)}×.`,
    '',
    '| block | txs | checkpoints | checkpoint KiB | step | from checkpoint s | whole block s |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...withTxs.map((b) => {
      const c = b.native.checkpoints
      return `| ${shortId(b.id)} | ${b.txs} | ${c.count} | ${(c.bytes / 1024).toFixed(1)} | ${c.step} | ${c.proveSeconds.toFixed(2)} | ${c.fullRunSeconds.toFixed(2)} |`
    }),
    '',
  ]
}

function witnessSection(report: ComparisonReport, rows: (BlockRow & { native: NativeBlockRow })[]): string[] {
  const all = report.nativeWitnessBytes
  if (all === undefined) return []
  const opcodeSteps = rows.reduce((a, b) => a + b.native.witnesses.opcodeSteps, 0)
  const checked = rows.reduce((a, b) => a + b.native.witnesses.checked, 0)
  const failures = rows.reduce((a, b) => a + b.native.witnesses.failures, 0)
  const stat = (s: SizeStats) => `${s.count} | ${s.median} | ${s.p99} | ${s.max} | ${(s.median / SPECULAR_STATE_PROOF_BYTES).toFixed(1)}×`
  return [
    '## EVM-native: a witness for every step',
    '',
    `Every step's witness (SPEC.md §5: opcodes, precompiles, frame exits, and the block- and transaction-level steps) was cut and re-executed by the reference checker: ${checked} of ${opcodeSteps} re-derived the generator's post-commitment, ${failures} disagreed, ${opcodeSteps - checked - failures} had no witness. Sizes in bytes as serialized (stateData, then each item with a 4-byte length; code posted to the CodeOracle not counted); Specular's state proof is ~${SPECULAR_STATE_PROOF_BYTES} B without the bytecode it also sends.`,
    '',
    '| opcode class, or step kind | steps | median | p99 | max | median ÷ Specular |',
    '|---|---:|---:|---:|---:|---:|',
    `| **all** | ${stat(all.all)} |`,
    ...Object.entries(all.byClass).map(([c, s]) => `| ${c} | ${stat(s)} |`),
    '',
    '| block | steps witnessed | checked | disagreed | witness median | p99 | max | witnesses + checker s |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((b) => {
      const w = b.native.witnesses
      return `| ${shortId(b.id)} | ${w.opcodeSteps} | ${w.checked} | ${w.failures === 0 ? 0 : `**${w.failures}**`} | ${w.bytes.median} | ${w.bytes.p99} | ${w.bytes.max} | ${w.seconds.toFixed(1)} |`
    }),
    '',
  ]
}

function nativeSection(report: ComparisonReport): string[] {
  const rows = report.blocks.filter((b): b is BlockRow & { native: NativeBlockRow } => b.native !== undefined)
  if (rows.length === 0) return []
  const kinds = [
    'opcode',
    'frame-exit',
    'precompile',
    'tx-start',
    'tx-payload',
    'tx-access-list',
    'tx-authorization',
    'withdrawal',
    'system-call',
  ] as const
  const ratios = rows.map((b) => b.native.overReference).sort((a, b) => a - b)
  const lines = [
    '## EVM-native: steps per block',
    '',
    `Every step of SPEC.md's state transition gets a commitment. Tracing time over the plain ethereumjs run of the same block: median ${(ratios[Math.floor(ratios.length / 2)] ?? 0).toFixed(1)}×, max ${(ratios[ratios.length - 1] ?? 0).toFixed(1)}× (aim: under 5×).`,
    '',
    `| block | txs | gas | steps | ${kinds.join(' | ')} | other | trace s | × ethereumjs | MIPS steps per native step | roots match |`,
    `|---|---:|---:|---:|${kinds.map(() => '---:').join('|')}|---:|---:|---:|---:|---|`,
    ...rows.map((b) => {
      const n = b.native
      const named = kinds.reduce((a, k) => a + n.stepsByKind[k], 0)
      const perStep = b.mips === undefined ? '–' : Math.round(b.mips.steps / n.steps).toLocaleString('en')
      return `| ${shortId(b.id)} | ${b.txs} | ${b.gasUsed} | ${n.steps} | ${kinds.map((k) => n.stepsByKind[k]).join(' | ')} | ${n.steps - named} | ${n.seconds.toFixed(2)} | ${n.overReference.toFixed(1)} | ${perStep} | ${n.match ? 'yes' : '**no**'} |`
    }),
    '',
    ...witnessSection(report, rows),
    ...checkpointSection(rows),
    '',
  ]
  return lines
}

function mipsSection(report: ComparisonReport): string[] {
  const rows = report.blocks.filter((b): b is BlockRow & { mips: MipsBlockRow } => b.mips !== undefined)
  if (rows.length === 0) return []
  const total = (f: (m: MipsBlockRow) => number) => rows.reduce((a, b) => a + f(b.mips), 0)
  const lines = [
    '## MIPS: go-ethereum in the MIPS VM, per block',
    '',
    `${rows.length} blocks, ${millions(total((m) => m.steps))}M steps in ${total((m) => m.seconds).toFixed(0)} s. ` +
      'Phases are split where the guest marks them on stderr: start-up (Go runtime and package init), ' +
      "input (boot data, decoding, opening the pre-state), execution (go-ethereum's StateProcessor), " +
      'commitment (state root, receipts root, verdict). Steps in millions. The last two columns compare the same guest built ' +
      'for amd64 and run with the oracle on pipes: its result line, and the preimages it asked for (natively Go randomises ' +
      "map iteration, and go-ethereum walks maps when it commits, so the order of the commitment phase's requests can differ).",
    '',
    '| block | txs | gas | steps | start-up | input | execution | commitment | steps/gas | preimages | KiB | s | guest MiB | peak RSS MiB | matches | amd64 build: output | amd64 build: preimage requests |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|',
    ...rows.map((b) => {
      const m = b.mips
      const p = m.phaseSteps
      return `| ${shortId(b.id)} | ${b.txs} | ${b.gasUsed} | ${millions(m.steps)} | ${millions(p['start-up'])} | ${millions(p.input)} | ${millions(p.execution)} | ${millions(p.commitment)} | ${(p.execution / b.gasUsed).toFixed(0)} | ${m.preimages} | ${(m.preimageBytes / 1024).toFixed(1)} | ${m.seconds.toFixed(1)} | ${m.guestMiB.toFixed(0)} | ${m.peakRssMiB.toFixed(0)} | ${m.match ? 'yes' : '**no**'} | ${m.nativeSameOutput ? 'same' : '**differs**'} | ${m.nativeRequests === 'different' ? '**different**' : m.nativeRequests} |`
    }),
    '',
  ]
  const s = report.mipsScaling
  if (s !== undefined) {
    lines.push(
      '### How MIPS steps grow with the block (scaling corpus)',
      '',
      `Least-squares fits over ${s.blocks} blocks of the same transaction mix:`,
      '',
      '| quantity | slope | intercept | r² |',
      '|---|---:|---:|---:|',
      `| execution steps per transaction | ${Math.round(s.executionStepsPerTx.slope).toLocaleString('en')} | ${millions(s.executionStepsPerTx.intercept)}M | ${s.executionStepsPerTx.r2.toFixed(4)} |`,
      `| execution steps per gas | ${s.executionStepsPerGas.slope.toFixed(1)} | ${millions(s.executionStepsPerGas.intercept)}M | ${s.executionStepsPerGas.r2.toFixed(4)} |`,
      `| all steps per gas | ${s.totalStepsPerGas.slope.toFixed(1)} | ${millions(s.totalStepsPerGas.intercept)}M | ${s.totalStepsPerGas.r2.toFixed(4)} |`,
      '',
      `Fixed cost per block (start-up + input + commitment), median: ${millions(s.fixedStepsMedian)}M steps.`,
      '',
    )
  }
  return lines
}

/** Fixture ids carry the whole test path; the table shows the file and the case. */
function shortId(id: string): string {
  const parts = id.split('::')
  if (parts.length < 3) return id
  const testCase = /\[(.*)\]$/.exec(parts[parts.length - 1] ?? '')?.[1] ?? ''
  return `${parts[0]?.replace(/\.json$/, '')} [${testCase}]`
}

/** Renders the report as Markdown. */
export function renderMarkdown(report: ComparisonReport): string {
  const lines = [
    `<!-- generated by \`${report.generatedBy}\`; do not edit -->`,
    '# stepproof comparison',
    '',
    `Corpora: ${report.corpora.join(', ')}. ${report.blocks.length} blocks.`,
    '',
    '## Approaches',
    '',
    '| approach | status |',
    '|---|---|',
    ...report.approaches.map((a) => `| ${a.name} | ${a.status} |`),
    '',
    '## Blocks (reference execution on ethereumjs)',
    '',
    '| block | fork | txs | gas used | ethereumjs s | matches expected roots |',
    '|---|---|---:|---:|---:|---|',
    ...report.blocks.map(
      (b) =>
        `| ${shortId(b.id)} | ${b.fork} | ${b.txs} | ${b.gasUsed} | ${b.referenceSeconds.toFixed(3)} | ${b.referenceMatch ? 'yes' : '**no**'} |`,
    ),
    '',
    ...nativeSection(report),
    ...mipsSection(report),
  ]
  return lines.join('\n')
}

/** Writes report.json and report.md into `dir`, each atomically. */
export function writeReport(report: ComparisonReport, dir: string): string[] {
  mkdirSync(dir, { recursive: true })
  const files: [string, string][] = [
    ['report.json', `${JSON.stringify(report, null, 2)}\n`],
    ['report.md', renderMarkdown(report)],
  ]
  return files.map(([name, text]) => {
    const path = join(dir, name)
    writeFileSync(`${path}.partial`, text)
    renameSync(`${path}.partial`, path)
    return path
  })
}
