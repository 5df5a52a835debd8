import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { IMPLEMENTED, NOOP } from './syscalls.ts'

describe('the syscall table in the README', () => {
  const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8')

  it('documents every implemented syscall with its behaviour', () => {
    for (const [num, info] of Object.entries(IMPLEMENTED)) expect(readme).toContain(`| ${num} | \`${info.name}\` | ${info.behaviour} |`)
  })

  it('lists every no-op syscall', () => {
    for (const [num, name] of Object.entries(NOOP)) {
      expect(readme).toContain(num)
      expect(readme).toContain(`\`${name}\``)
    }
  })
})
