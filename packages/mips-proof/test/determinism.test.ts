import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { goVersion } from '../src/guest.ts'
import { vmFromElf } from '../src/program.ts'
import { buildGo, PROGRAMS } from './toolchain.ts'

describe('determinism', () => {
  const source = join(PROGRAMS, '..', 'go', 'channels')

  it('two clean Go builds of the same program are byte-identical', () => {
    const a = readFileSync(buildGo(source, 'a'))
    const b = readFileSync(buildGo(source, 'b'))
    expect(createHash('sha256').update(a).digest('hex')).toBe(createHash('sha256').update(b).digest('hex'))
  })

  it('the state hash after the first 100,000 steps of a Go program is the same on every run', () => {
    const elf = buildGo(source, 'channels')
    const hashes = [0, 1].map(() => {
      const vm = vmFromElf(elf)
      vm.run(100_000)
      return Buffer.from(vm.stateHash()).toString('hex')
    })
    expect(hashes[0]).toBe(hashes[1])
    expect(hashes[0]?.slice(0, 2)).toBe('03') // unfinished
  })

  /**
   * Pinned on the machine that wrote this test and checked on every other that runs it (CI runs on
   * a fresh one): the same source and Go toolchain must give the same ELF, and the same ELF the same
   * state after 100,000 steps. If the ELF hash differs, the toolchain changed (update both values
   * after checking why); if only the state hash differs, the VM's behaviour changed.
   */
  it('gives, on any machine, the state hash recorded for the first 100,000 steps of a pinned build', () => {
    const elf = buildGo(source, 'golden')
    expect(goVersion()).toBe('go1.26.8')
    expect(createHash('sha256').update(readFileSync(elf)).digest('hex')).toBe(
      'a0f4cb8b6635af581114ad7ebcd7303fc9e1024a41f6aa684aa6b91d14a660f9',
    )
    const vm = vmFromElf(elf)
    vm.run(100_000)
    expect(Buffer.from(vm.stateHash()).toString('hex')).toBe('0384861b95158c30e29c9c3d627e67964cde95d9bd076c6f8e2bcf8cd8b000af')
  })
})
