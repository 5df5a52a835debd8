import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { instructionSuite } from './instruction-suite.ts'
import { buildAssembly, buildGo, buildMips, PROGRAMS, runQemu, runVm } from './toolchain.ts'

/** Differential tests: each program's stdout and exit code on the VM must equal qemu-mips's. */
describe('the VM agrees with qemu-mips', () => {
  it('on every instruction form of the generated suite, word by word', () => {
    const suite = instructionSuite()
    const elf = buildAssembly(suite.source, 'suite')
    const qemu = runQemu(elf)
    const vm = runVm(elf)
    expect(qemu.exitCode).toBe(0)
    expect(vm.fault).toBeUndefined()
    expect(vm.exitCode).toBe(0)
    expect(qemu.stdout.length).toBe(suite.words.length * 4)
    const q = Buffer.from(qemu.stdout, 'latin1')
    const v = Buffer.from(vm.stdout, 'latin1')
    const differences = suite.words
      .map((what, i) => ({ what, qemu: q.readUInt32BE(4 * i), vm: v.length >= 4 * i + 4 ? v.readUInt32BE(4 * i) : -1 }))
      .filter((d) => d.qemu !== d.vm)
    expect(differences).toEqual([])
  })

  for (const program of ['arith', 'memory', 'control', 'sha256']) {
    it(`on the C program ${program}.c (gcc -O2)`, () => {
      const elf = buildMips([join(PROGRAMS, `${program}.c`)], program)
      const qemu = runQemu(elf)
      const vm = runVm(elf)
      expect(vm.fault).toBeUndefined()
      expect(qemu.stdout.length).toBeGreaterThan(0)
      expect({ stdout: vm.stdout, exitCode: vm.exitCode }).toEqual({ stdout: qemu.stdout, exitCode: qemu.exitCode })
    })
  }

  for (const program of ['hashing', 'bigint', 'maps', 'channels', 'gcloop']) {
    it(`on the Go program ${program} (Go runtime patched as Cannon does)`, () => {
      const elf = buildGo(join(PROGRAMS, '..', 'go', program), program)
      const qemu = runQemu(elf)
      const vm = runVm(elf)
      expect(vm.fault).toBeUndefined()
      expect(qemu.stdout.length).toBeGreaterThan(0)
      expect({ stdout: vm.stdout, exitCode: vm.exitCode }).toEqual({ stdout: qemu.stdout, exitCode: qemu.exitCode })
    })
  }

  it('differs where Cannon differs from the hardware: a signed add that overflows wraps instead of trapping', () => {
    const source = [
      '  .set noreorder',
      '  .text',
      '  .globl __start',
      '__start:',
      '  lui $8, 0x7fff',
      '  ori $8, $8, 0xffff',
      '  add $4, $8, $8',
      '  li $2, 4246',
      '  syscall',
    ].join('\n')
    const elf = buildAssembly(source, 'overflow')
    expect(runQemu(elf).signal).toBe('SIGFPE')
    // 0x7fffffff + 0x7fffffff = 0xfffffffe; exit_group keeps the low byte.
    expect(runVm(elf).exitCode).toBe(0xfe)
  })
})
