import {
  type BlockOutcome,
  type BlockTrace,
  type ExecResult,
  execResult,
  type Hex,
  quantity,
  rejectedOutcome,
} from '@stepproof/block-traces'
import { buildGuest } from './guest.ts'
import { TraceOracle } from './host/block-host.ts'
import { type ProvableProgram, vmFromElf } from './program.ts'
import type { MipsVm } from './vm/vm.ts'

/** The result of executing a trace with go-ethereum inside the MIPS VM. */
export interface MipsExecResult extends ExecResult {
  engine: 'mips'
  steps: number
  exitCode: number
  preimages: { count: number; bytes: number }
  /** The guest's verdict on the claim: exit 0 holds, 1 does not (a wrong root, or a block go-ethereum rejects). */
  claimHolds: boolean
  /** The run split at the guest's phase markers, in order; see {@link PHASES}. */
  phases: PhaseCount[]
  /** Guest memory touched, in 4 KiB pages. */
  pages: number
  /** What the guest printed on stdout. */
  stdout: string
  /** With `keepRequests`: every preimage key the guest asked for, in order (hex). */
  requests?: string[]
}

/**
 * The phases of a guest run, split where the guest writes `stepproof-phase <name>` on stderr:
 * the Go runtime's start-up and package initialisation (up to main), reading and decoding the
 * boot data and opening the pre-state, go-ethereum's StateProcessor over the block, and the
 * post-state root, receipts root and verdict. Trie nodes and code are fetched lazily, so most
 * preimages fall in execution and commitment.
 */
export const PHASES = ['start-up', 'input', 'execution', 'commitment'] as const
export type Phase = (typeof PHASES)[number]

export interface PhaseCount {
  phase: Phase
  steps: number
  preimages: number
  preimageBytes: number
}

const MARKER = /^stepproof-phase (\w+)$/gm

/** Calls `onPhase` with each phase the guest announces on stderr and the step that announces it. */
export function watchPhases(vm: MipsVm, onPhase: (phase: Phase, step: number) => void): void {
  vm.onOutput = (fd, bytes, step) => {
    if (fd !== 2) return
    for (const m of Buffer.from(bytes).toString('utf8').matchAll(MARKER)) {
      const phase = PHASES.find((p) => p === m[1])
      if (phase !== undefined) onPhase(phase, step)
    }
  }
}

const LINE =
  /stateRoot=([0-9a-f]{64}) receiptsRoot=([0-9a-f]{64}) gasUsed=(\d+) logsBloom=([0-9a-f]{512}) requestsHash=([0-9a-f]{64}|none) claim=(true|false)/
const REJECTED = /^stepproof-guest: invalid block: (.*)$/m

/**
 * What the guest's stdout says of the block: the roots it computed, or, when go-ethereum would not
 * import the block (its header, its body, a transaction, or a post-state other than the header
 * claims), the rejection; `undefined` when it printed neither (it failed on its input).
 */
export function guestOutcome(trace: BlockTrace, stdout: string): BlockOutcome | undefined {
  const rejected = REJECTED.exec(stdout)?.[1]
  if (rejected !== undefined) return rejectedOutcome(trace, `go-ethereum: ${rejected}`)
  const m = LINE.exec(stdout)
  if (m === null) return undefined
  return {
    stateRoot: `0x${m[1]}` as Hex,
    receiptsRoot: `0x${m[2]}` as Hex,
    gasUsed: quantity(BigInt(m[3] as string)),
    logsBloom: `0x${m[4]}` as Hex,
    ...(m[5] === 'none' ? {} : { requestsHash: `0x${m[5]}` as Hex }),
  }
}

/**
 * Executes a trace's block with the go-ethereum guest on the MIPS VM: the host serves the
 * pre-state tries, code and boot data as preimages; the guest prints its roots and exits 0 when
 * the claimed post-state root (default: the trace's expected root) holds, 1 when it does not.
 */
export async function executeMips(
  trace: BlockTrace,
  opts: { claim?: Hex; maxSteps?: number; onProgress?: (steps: number) => void; keepRequests?: boolean } = {},
): Promise<MipsExecResult> {
  const started = performance.now()
  const { elf } = buildGuest()
  const oracle = await TraceOracle.forTrace(trace, opts.claim)
  const vm = vmFromElf(elf, oracle)
  // Where each phase starts: step and preimages served so far.
  const marks: { phase: Phase; step: number; preimages: number; bytes: number }[] = [{ phase: 'start-up', step: 0, preimages: 0, bytes: 0 }]
  watchPhases(vm, (phase, step) => marks.push({ phase, step, preimages: oracle.served.count, bytes: oracle.served.bytes }))
  const maxSteps = opts.maxSteps ?? 50_000_000_000
  while (!vm.state.exited && vm.state.step < maxSteps) {
    vm.run(Math.min(100_000_000, maxSteps - vm.state.step))
    opts.onProgress?.(vm.state.step)
  }
  const out = vm.stdoutText()
  const outcome = guestOutcome(trace, out)
  if (vm.fault) throw new Error(`${trace.id}: the guest faulted: ${vm.fault.reason} (step ${vm.fault.step})`)
  if (!vm.state.exited) throw new Error(`${trace.id}: the guest did not finish within ${vm.state.step} steps`)
  if (outcome === undefined)
    throw new Error(
      `${trace.id}: the guest exited with ${vm.state.exitCode} without a result: ${out.trim() || Buffer.from(vm.stderr).toString().slice(0, 500)}`,
    )
  return {
    ...execResult(trace, 'mips', outcome, started),
    engine: 'mips',
    steps: vm.state.step,
    exitCode: vm.state.exitCode,
    preimages: oracle.served,
    claimHolds: vm.state.exitCode === 0,
    phases: marks.map((m, i) => {
      const next = marks[i + 1] ?? { step: vm.state.step, preimages: oracle.served.count, bytes: oracle.served.bytes }
      return { phase: m.phase, steps: next.step - m.step, preimages: next.preimages - m.preimages, preimageBytes: next.bytes - m.bytes }
    }),
    pages: vm.memory.pageCount,
    stdout: out,
    ...(opts.keepRequests ? { requests: oracle.requests } : {}),
  }
}

/** The go-ethereum guest running a trace's block, as a program whose steps can be proven. */
export async function guestProgram(trace: BlockTrace): Promise<ProvableProgram> {
  const { elf } = buildGuest()
  const oracle = await TraceOracle.forTrace(trace)
  return { elf, newVm: () => vmFromElf(elf, oracle), oracle, preimage: (key) => oracle.getPreimage(key) }
}
