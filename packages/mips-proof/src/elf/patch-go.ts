import type { Memory } from '../vm/memory.ts'
import type { Elf } from './elf.ts'

/**
 * Go runtime functions a single-threaded VM must not run, each replaced by `jr $ra; nop`:
 * the ones that start the garbage collector and sysmon (they expect threads the VM does not have),
 * and runtime.check (it tests floating point, which softfloat Cannon skips). The list is Cannon's
 * (program/patch.go) for its single-threaded VM, except that Cannon names the force-GC helper's
 * init by number (runtime.init.5), which moved in later Go releases: see {@link goroutineInits}.
 */
export const GO_PATCHED_SYMBOLS = [
  'runtime.gcenable',
  'runtime.main.func1',
  'runtime.deductSweepCredit',
  'runtime.(*gcControllerState).commit',
  'flag.init',
  'runtime.check',
] as const

const RETURN = [0x03e00008, 0x00000000] // jr $ra; nop

/** Whether an ELF was built by the Go toolchain (it has the runtime's symbols). */
export function isGoProgram(elf: Elf): boolean {
  return elf.symbols.some((s) => s.name === 'runtime.main')
}

/**
 * The runtime's package init functions that start a goroutine (`init() { go forcegchelper() }`),
 * found by what they do — a `jal runtime.newproc` inside the function — rather than by number.
 */
export function goroutineInits(elf: Elf, memory: Memory): string[] {
  const newproc = elf.symbols.find((s) => s.name === 'runtime.newproc')
  if (newproc === undefined) return []
  const target = (newproc.value >>> 2) & 0x03ffffff
  return elf.symbols
    .filter((s) => /^runtime\.init\.\d+$/.test(s.name))
    .filter((s) => {
      for (let a = s.value; a < s.value + s.size; a += 4) {
        const insn = memory.getWord(a) >>> 0
        if (insn >>> 26 === 3 && (insn & 0x03ffffff) === target) return true
      }
      return false
    })
    .map((s) => s.name)
}

/** Patches the Go runtime in memory; returns the symbols patched. */
export function patchGoRuntime(elf: Elf, memory: Memory): string[] {
  const wanted = new Set<string>([...GO_PATCHED_SYMBOLS, ...goroutineInits(elf, memory)])
  const patched: string[] = []
  for (const sym of elf.symbols) {
    if (!wanted.has(sym.name)) continue
    for (const [i, w] of RETURN.entries()) memory.setWord(sym.value + 4 * i, w)
    patched.push(sym.name)
  }
  return patched.sort()
}
