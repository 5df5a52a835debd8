import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BlockTrace } from '@stepproof/block-traces'
import { buildNativeGuest, executeMips, PHASES, type Phase, runNativeGuest } from '@stepproof/mips-proof'

/** What running one block through the go-ethereum guest on the MIPS VM cost. */
export interface MipsBlockRow {
  match: boolean
  exitCode: number
  steps: number
  /** Steps per phase of the guest run (start-up, input, execution, commitment). */
  phaseSteps: Record<Phase, number>
  preimages: number
  preimageBytes: number
  seconds: number
  stepsPerSecond: number
  /** Guest memory touched (4 KiB pages). */
  guestMiB: number
  /** This process's resident set, sampled every 100M steps and at the end of the block. */
  peakRssMiB: number
  /** The same guest built for the host printed the same result line and exit code. */
  nativeSameOutput: boolean
  /**
   * How the host build's preimage requests compare: the same sequence, the same keys in another
   * order (Go randomises map iteration natively; the VM's runtime randomness is fixed, and
   * go-ethereum walks some maps when it commits), or different keys.
   */
  nativeRequests: 'same sequence' | 'same set, other order' | 'different'
}

let nativeBinary: string | undefined

/** Runs one block on the MIPS VM and measures it; `onSteps` reports progress within the block. */
export async function measureMipsBlock(trace: BlockTrace, onSteps: (steps: number) => void = () => {}): Promise<MipsBlockRow> {
  let peakRss = process.memoryUsage().rss
  const r = await executeMips(trace, {
    keepRequests: true,
    onProgress: (steps) => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss)
      onSteps(steps)
    },
  })
  peakRss = Math.max(peakRss, process.memoryUsage().rss)
  nativeBinary ??= buildNativeGuest(mkdtempSync(join(tmpdir(), 'stepproof-native-')))
  const native = await runNativeGuest(nativeBinary, trace)
  const mine = r.requests ?? []
  const sameSequence = native.requests.length === mine.length && native.requests.every((k, i) => k === mine[i])
  const sameSet = JSON.stringify([...native.requests].sort()) === JSON.stringify([...mine].sort())
  const phaseSteps = Object.fromEntries(PHASES.map((p) => [p, 0])) as Record<Phase, number>
  for (const p of r.phases) phaseSteps[p.phase] += p.steps
  return {
    match: r.match && r.claimHolds,
    exitCode: r.exitCode,
    steps: r.steps,
    phaseSteps,
    preimages: r.preimages.count,
    preimageBytes: r.preimages.bytes,
    seconds: r.seconds,
    stepsPerSecond: Math.round(r.steps / r.seconds),
    guestMiB: (r.pages * 4096) / 2 ** 20,
    peakRssMiB: peakRss / 2 ** 20,
    nativeSameOutput: native.exitCode === r.exitCode && native.stdout === r.stdout,
    nativeRequests: sameSequence ? 'same sequence' : sameSet ? 'same set, other order' : 'different',
  }
}

/** A least-squares line y = intercept + slope·x. */
export interface Fit {
  slope: number
  intercept: number
  /** Coefficient of determination. */
  r2: number
}

/** Fits y = intercept + slope·x by least squares; needs at least two distinct x. */
export function fitLine(points: readonly { x: number; y: number }[]): Fit {
  const n = points.length
  const mx = points.reduce((a, p) => a + p.x, 0) / n
  const my = points.reduce((a, p) => a + p.y, 0) / n
  const sxx = points.reduce((a, p) => a + (p.x - mx) ** 2, 0)
  if (n < 2 || sxx === 0) throw new Error('a line fit needs at least two distinct x values')
  const sxy = points.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0)
  const slope = sxy / sxx
  const intercept = my - slope * mx
  const ssTot = points.reduce((a, p) => a + (p.y - my) ** 2, 0)
  const ssRes = points.reduce((a, p) => a + (p.y - intercept - slope * p.x) ** 2, 0)
  return { slope, intercept, r2: ssTot === 0 ? 1 : 1 - ssRes / ssTot }
}

/**
 * How MIPS steps grow with the block on the scaling corpus (the same transaction mix at 1..64
 * transactions): the marginal execution steps per transaction and per unit of gas, and the fixed
 * cost (start-up, input, commitment) a block pays whatever its size.
 */
export interface MipsScaling {
  blocks: number
  executionStepsPerTx: Fit
  executionStepsPerGas: Fit
  totalStepsPerGas: Fit
  fixedStepsMedian: number
}

export function mipsScaling(rows: readonly { txs: number; gasUsed: number; mips: MipsBlockRow }[]): MipsScaling {
  const fixed = rows.map((r) => r.mips.steps - r.mips.phaseSteps.execution).sort((a, b) => a - b)
  return {
    blocks: rows.length,
    executionStepsPerTx: fitLine(rows.map((r) => ({ x: r.txs, y: r.mips.phaseSteps.execution }))),
    executionStepsPerGas: fitLine(rows.map((r) => ({ x: r.gasUsed, y: r.mips.phaseSteps.execution }))),
    totalStepsPerGas: fitLine(rows.map((r) => ({ x: r.gasUsed, y: r.mips.steps }))),
    fixedStepsMedian: fixed[Math.floor(fixed.length / 2)] ?? 0,
  }
}
