import type { Memory } from './memory.ts'
import { type CpuState, cloneState } from './state.ts'
import { MipsVm, type PreimageOracle } from './vm.ts'
import { proveNextStep, type StepWitness } from './witness.ts'

/** A saved VM: state and memory at one step. */
export interface Checkpoint {
  state: CpuState
  memory: Memory
}

/** Saves a VM, hashing its memory first so that restoring it later costs no rehashing. */
function checkpoint(vm: MipsVm): Checkpoint {
  vm.memory.merkleRoot()
  return { state: cloneState(vm.state), memory: vm.memory.clone() }
}

/** Summary of a whole run. */
export interface RunSummary {
  steps: number
  exited: boolean
  exitCode: number
  stdout: Uint8Array
  stderr: Uint8Array
  /** Status-tagged hash of the final state. */
  finalHash: Uint8Array
  fault?: { step: number; pc: number; reason: string }
  seconds: number
}

/**
 * A program run once from its start, with a checkpoint kept every `interval` steps, so that the
 * state at any step k (its commitment, or the witness of the step from k) is reached by replaying
 * at most `interval` steps from the nearest checkpoint rather than from step 0.
 */
export class CheckpointedRun {
  private readonly checkpoints: Checkpoint[] = []
  summary: RunSummary | undefined

  constructor(
    private readonly start: () => MipsVm,
    private readonly oracle: PreimageOracle | undefined,
    readonly interval = 10_000_000,
  ) {}

  /** Runs to the end (or `maxSteps`), keeping checkpoints; `onProgress` gets the step count now and then. */
  execute(maxSteps = Number.POSITIVE_INFINITY, onProgress?: (steps: number) => void): RunSummary {
    const started = performance.now()
    const vm = this.start()
    this.checkpoints.length = 0
    this.checkpoints.push(checkpoint(vm))
    while (!vm.state.exited && vm.state.step < maxSteps) {
      const target = Math.min(maxSteps, (Math.floor(vm.state.step / this.interval) + 1) * this.interval)
      vm.run(target - vm.state.step)
      if (!vm.state.exited && vm.state.step % this.interval === 0) {
        this.checkpoints.push(checkpoint(vm))
      }
      onProgress?.(vm.state.step)
    }
    this.summary = {
      steps: vm.state.step,
      exited: vm.state.exited,
      exitCode: vm.state.exitCode,
      stdout: Uint8Array.from(vm.stdout),
      stderr: Uint8Array.from(vm.stderr),
      finalHash: vm.stateHash(),
      ...(vm.fault ? { fault: vm.fault } : {}),
      seconds: (performance.now() - started) / 1000,
    }
    return this.summary
  }

  /** A VM positioned at step `k` (0 ≤ k ≤ steps), restored from the nearest checkpoint. */
  vmAt(k: number): MipsVm {
    const steps = this.summary?.steps
    if (steps === undefined) throw new Error('execute() the run before asking for a step')
    if (!Number.isInteger(k) || k < 0 || k > steps) throw new RangeError(`step ${k} is outside the run (0..${steps})`)
    const cp = this.checkpoints[Math.min(Math.floor(k / this.interval), this.checkpoints.length - 1)] as Checkpoint
    const vm = new MipsVm(cloneState(cp.state), cp.memory.clone(), this.oracle)
    vm.run(k - vm.state.step)
    return vm
  }

  /** The status-tagged state hash after `k` steps. */
  commitmentAt(k: number): Uint8Array {
    return this.vmAt(k).stateHash()
  }

  /** The witness of the step from state k to state k + 1. */
  proveStep(k: number): StepWitness {
    const steps = this.summary?.steps ?? 0
    if (k >= steps) throw new RangeError(`step ${k} is not followed by another step (the run has ${steps})`)
    return proveNextStep(this.vmAt(k))
  }
}
