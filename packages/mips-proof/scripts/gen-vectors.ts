/** Writes contracts/test/vectors/mips-steps.json: `pnpm gen:mips-vectors`. */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_ROOT } from '@stepproof/block-traces'
import { generateVectors, serializeVectors, VECTORS_FILE } from './vectors.ts'

const vectors = await generateVectors()
const out = join(REPO_ROOT, VECTORS_FILE)
writeFileSync(out, serializeVectors(vectors))
console.log(`${vectors.length} vectors written to ${out}`)
