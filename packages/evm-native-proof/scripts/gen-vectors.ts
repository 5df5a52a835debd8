/** Writes contracts/test/vectors/evm-steps.json: `pnpm gen:evm-vectors`. */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { REPO_ROOT } from '@stepproof/block-traces'
import { generateVectors, serializeVectors, VECTORS_FILE } from './vectors.ts'

const vectors = await generateVectors()
const out = join(REPO_ROOT, VECTORS_FILE)
writeFileSync(out, serializeVectors(vectors))
console.log(`${vectors.steps.length} step vectors and ${vectors.shapes.length} opcode shapes written to ${out}`)
