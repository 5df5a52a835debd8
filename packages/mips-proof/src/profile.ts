import { readFileSync } from 'node:fs'
import { parseElf } from './elf/elf.ts'
import type { MipsVm } from './vm/vm.ts'

/** Where a run spends its steps, by function, from the pc sampled every `interval` steps. */
export interface Profile {
  steps: number
  interval: number
  samples: number
  functions: { name: string; samples: number; share: number }[]
}

/** A lookup from pc to the ELF function symbol containing it. */
export function symbolizer(elfPath: string): (pc: number) => string {
  const symbols = parseElf(readFileSync(elfPath), elfPath)
    .symbols.filter((s) => s.size > 0)
    .sort((a, b) => a.value - b.value)
  return (pc) => {
    let lo = 0
    let hi = symbols.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if ((symbols[mid] as { value: number }).value <= pc) lo = mid
      else hi = mid - 1
    }
    const s = symbols[lo]
    return s !== undefined && pc >= s.value && pc < s.value + s.size ? s.name : `0x${pc.toString(16)}`
  }
}

/**
 * Runs `vm` to its end (or `maxSteps`), sampling the pc every `interval` steps: a statistical
 * profile by function, the way a sampling profiler reads a native program.
 */
export function profileRun(vm: MipsVm, elfPath: string, opts: { interval?: number; maxSteps?: number } = {}): Profile {
  const interval = opts.interval ?? 10_000
  const maxSteps = opts.maxSteps ?? Number.POSITIVE_INFINITY
  const name = symbolizer(elfPath)
  const counts = new Map<string, number>()
  let samples = 0
  while (!vm.state.exited && vm.state.step < maxSteps) {
    vm.run(Math.min(interval, maxSteps - vm.state.step))
    if (vm.state.exited) break
    const f = name(vm.state.pc)
    counts.set(f, (counts.get(f) ?? 0) + 1)
    samples++
  }
  return {
    steps: vm.state.step,
    interval,
    samples,
    functions: [...counts.entries()]
      .map(([n, c]) => ({ name: n, samples: c, share: c / Math.max(samples, 1) }))
      .sort((a, b) => b.samples - a.samples),
  }
}
