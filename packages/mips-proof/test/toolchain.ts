import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { goBuildMips } from '../src/go-build.ts'
import { vmFromElf } from '../src/program.ts'

/** The folder of the C test programs. */
export const PROGRAMS = join(dirname(fileURLToPath(import.meta.url)), 'programs')

/** Flags for the C test programs: MIPS32r1 big-endian, static, no libc, no PIC, no small data. */
export const CFLAGS = [
  '-march=mips32',
  '-EB',
  '-static',
  '-nostdlib',
  '-fno-pic',
  '-mno-abicalls',
  '-G0',
  '-O2',
  '-mno-check-zero-division',
]

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(cmd, args, { encoding: 'buffer', maxBuffer: 64 << 20, ...opts })
  if (r.error) throw r.error
  return r
}

/** Compiles C or assembly sources (with the test crt for C) into a static MIPS ELF; returns its path. */
export function buildMips(sources: string[], name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'mips-'))
  const out = join(dir, name)
  const withCrt = sources.some((s) => s.endsWith('.c')) ? [join(PROGRAMS, 'crt.S'), ...sources] : sources
  const r = run('mips-linux-gnu-gcc', [...CFLAGS, '-I', PROGRAMS, '-o', out, ...withCrt])
  if (r.status !== 0) throw new Error(`mips-linux-gnu-gcc failed:\n${r.stderr.toString()}`)
  return out
}

/** Writes generated assembly to a temp file and builds it. */
export function buildAssembly(source: string, name: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'asm-')), `${name}.S`)
  writeFileSync(path, source)
  return buildMips([path], name)
}

/** Builds a Go package for GOARCH=mips GOMIPS=softfloat, reproducibly. */
export function buildGo(packageDir: string, name: string): string {
  const out = join(mkdtempSync(join(tmpdir(), 'go-')), name)
  goBuildMips(packageDir, out)
  return out
}

/** How a program ended and what it printed. */
export interface Outcome {
  stdout: string
  exitCode: number | null
  signal: string | null
}

/** Runs an ELF under qemu-mips. */
export function runQemu(elf: string): Outcome {
  const r = run('qemu-mips', [elf])
  return { stdout: r.stdout.toString('latin1'), exitCode: r.status, signal: r.signal }
}

/** Runs an ELF on stepproof's VM. */
export function runVm(elf: string, maxSteps = 2_000_000_000): Outcome & { steps: number; fault?: string } {
  const vm = vmFromElf(elf)
  vm.run(maxSteps)
  return {
    stdout: Buffer.from(vm.stdout).toString('latin1'),
    exitCode: vm.state.exited ? vm.state.exitCode : null,
    signal: null,
    steps: vm.state.step,
    ...(vm.fault ? { fault: `${vm.fault.reason} (step ${vm.fault.step}, pc 0x${vm.fault.pc.toString(16)})` } : {}),
  }
}
