import { type BlockTrace, type ExecResult, execResult, type Hex, quantity, rejectedOutcome, toHex } from '@stepproof/block-traces'
import { STEP_KINDS, type StepKind } from './trace/kinds.ts'
import { type NativeTrace, traceBlock } from './trace/tracer.ts'

/** The result of tracing a block into native steps. */
export interface NativeExecResult extends ExecResult {
  engine: 'evm-native'
  steps: number
  stepsByKind: Record<StepKind, number>
  /** Opcode steps by opcode class. */
  opcodeClasses: Record<string, number>
  /** The commitment before the first step and after the last. */
  initialCommitment: Hex
  finalCommitment: Hex
}

/** Coarse opcode classes, for the benchmark's step breakdown. */
export function opcodeClass(op: number): string {
  if (op === 0x54 || op === 0x55) return 'storage'
  if (op === 0x5c || op === 0x5d) return 'transient storage'
  if (op === 0x51 || op === 0x52 || op === 0x53 || op === 0x59 || op === 0x5e) return 'memory'
  if (op === 0x20) return 'keccak'
  if (op >= 0xa0 && op <= 0xa4) return 'log'
  if ([0xf0, 0xf1, 0xf2, 0xf4, 0xf5, 0xfa].includes(op)) return 'call/create'
  if ([0x00, 0xf3, 0xfd, 0xfe, 0xff].includes(op)) return 'halt'
  if (op === 0x56 || op === 0x57 || op === 0x5b || op === 0x58) return 'control'
  if (op >= 0x5f && op <= 0xbf) return 'stack'
  if (op >= 0x30 && op <= 0x4a) return 'environment'
  if ([0x35, 0x36, 0x37, 0x38, 0x39, 0x3c, 0x3d, 0x3e].includes(op)) return 'environment'
  return 'arithmetic'
}

/** A native run's verdict and roots against the trace's expectation: INVALID (SPEC.md §4) is the verdict of a rejected block. */
export function nativeOutcome(trace: BlockTrace, t: NativeTrace, started: number): ExecResult {
  const endKind = t.steps[t.steps.length - 1]?.kind
  const outcome =
    t.rejected !== undefined
      ? rejectedOutcome(trace, `the native proof ends in INVALID at step ${t.steps.length - 1}, a ${endKind} (${t.rejected})`)
      : {
          stateRoot: toHex(t.stateRoot),
          receiptsRoot: toHex(t.receiptsRoot),
          gasUsed: quantity(t.gasUsed),
          logsBloom: toHex(t.logsBloom),
          ...(t.requestsHash === undefined ? {} : { requestsHash: toHex(t.requestsHash) }),
        }
  return execResult(trace, 'evm-native', outcome, started)
}

/** Traces a block into native steps and compares the final commitment's roots with the expectation. */
export async function executeNative(trace: BlockTrace): Promise<NativeExecResult> {
  const started = performance.now()
  const t = await traceBlock(trace)
  const stepsByKind = Object.fromEntries(STEP_KINDS.map((k) => [k, 0])) as Record<StepKind, number>
  const opcodeClasses: Record<string, number> = {}
  for (const s of t.steps) {
    stepsByKind[s.kind]++
    if (s.opcode !== undefined) opcodeClasses[opcodeClass(s.opcode)] = (opcodeClasses[opcodeClass(s.opcode)] ?? 0) + 1
  }
  const last = t.steps[t.steps.length - 1]?.post
  if (last === undefined) throw new Error(`${trace.id}: the native trace ended with an unsealed step`)
  return {
    ...nativeOutcome(trace, t, started),
    engine: 'evm-native',
    steps: t.steps.length,
    stepsByKind,
    opcodeClasses,
    initialCommitment: toHex(t.initial),
    finalCommitment: toHex(last),
  }
}
