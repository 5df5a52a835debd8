import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { corpusFiles } from './corpus.ts'
import { InputError } from './errors.ts'
import { parseBlockTrace, readBlockTrace, readJsonFile } from './trace.ts'

const sample = () => readJsonFile(corpusFiles('fixtures')[0] as string) as Record<string, unknown>

describe('block trace validation', () => {
  it('accepts a committed corpus trace', () => {
    expect(parseBlockTrace(sample(), 'sample').format).toBe('stepproof/block-trace@1')
  })

  it('names the field and the expectation when a field has the wrong type', () => {
    const bad = sample()
    ;(bad.block as { header: Record<string, unknown> }).header.gasLimit = 30_000_000
    expect(() => parseBlockTrace(bad, 'x.json')).toThrow(/^x\.json: not a valid block trace: field block\.header\.gasLimit: .*string/)
  })

  it('rejects an unknown fork, listing the supported ones', () => {
    const bad = { ...sample(), fork: 'Frontier' }
    expect(() => parseBlockTrace(bad, 'x.json')).toThrow(
      'field fork: unknown fork "Frontier"; supported forks are Shanghai, Cancun, Prague, Osaka',
    )
  })

  it('rejects a missing field by name', () => {
    const { expected: _dropped, ...bad } = sample()
    expect(() => parseBlockTrace(bad, 'x.json')).toThrow(/field expected: /)
  })

  it('rejects a non-hex hash', () => {
    const bad = sample()
    ;(bad.expected as Record<string, unknown>).stateRoot = '0xnothex'
    expect(() => parseBlockTrace(bad, 'x.json')).toThrow('field expected.stateRoot: expected a 32-byte 0x-hex hash')
  })

  it('reports truncated JSON with the file name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trace-'))
    const path = join(dir, 'cut.json')
    writeFileSync(path, '{"format": "stepproof/block-trace@1", "id": ')
    expect(() => readBlockTrace(path)).toThrow(new RegExp(`^${path}: not valid JSON`))
  })

  it('reports a missing file as an input error', () => {
    expect(() => readBlockTrace('/nonexistent/trace.json')).toThrow(InputError)
    expect(() => readBlockTrace('/nonexistent/trace.json')).toThrow('/nonexistent/trace.json: no such file')
  })
})
