import type { BlockTrace } from '../trace.ts'
import { scalingSpecs, standardSpecs } from './corpora.ts'
import { type BlockSpec, generateBlocks } from './generate.ts'

/** The block specs of each generated corpus. */
export const GENERATED_CORPORA: Record<'standard' | 'scaling', () => BlockSpec[]> = {
  standard: standardSpecs,
  scaling: () => scalingSpecs(),
}

/** Generates a whole corpus (deterministic: the same bytes on every run and machine). */
export function generateCorpus(name: 'standard' | 'scaling', onBlock?: (trace: BlockTrace, index: number, total: number) => void) {
  const specs = GENERATED_CORPORA[name]()
  return generateBlocks(name, specs, (trace, i) => onBlock?.(trace, i, specs.length))
}
