import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
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
})
