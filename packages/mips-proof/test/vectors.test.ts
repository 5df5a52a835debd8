import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_ROOT } from '@stepproof/block-traces'
import { describe, expect, it } from 'vitest'
import { generateVectors, serializeVectors, VECTORS_FILE } from '../scripts/vectors.ts'

describe('the shared MIPS step vectors', () => {
  it('committed for the forge tests are exactly what the TypeScript VM produces now', async () => {
    const committed = readFileSync(join(REPO_ROOT, VECTORS_FILE), 'utf8')
    expect(serializeVectors(await generateVectors()) === committed, 'stale vectors: run `pnpm gen:mips-vectors`').toBe(true)
  }, 600_000)
})
