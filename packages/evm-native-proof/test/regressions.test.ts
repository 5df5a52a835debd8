import { readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { executeReference, readBlockTrace } from '@stepproof/block-traces'
import { describe, expect, it } from 'vitest'
import { checkBlock } from '../src/verify-trace.ts'

const DIR = join(dirname(fileURLToPath(import.meta.url)), 'regressions')
const files = readdirSync(DIR).filter((f) => f.endsWith('.json'))

describe('blocks on which the native proof once disagreed with Ethereum (test/regressions/README.md)', () => {
  it('has the blocks', () => expect(files.length).toBeGreaterThanOrEqual(9))

  for (const file of files)
    it(`${file}: ethereumjs reaches the fixture's roots and the checker re-derives every step`, async () => {
      const trace = readBlockTrace(join(DIR, file))
      expect((await executeReference(trace)).mismatches).toEqual([])
      const r = await checkBlock(trace)
      expect(r.failures).toEqual([])
      expect(r.checked).toBe(r.steps)
    }, 120_000)
})
