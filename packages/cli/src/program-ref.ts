import { resolve } from 'node:path'
import { resolveTrace } from '@stepproof/block-traces'
import { elfProgram, guestProgram, isElfFile, type ProvableProgram } from '@stepproof/mips-proof'

/**
 * The program a `--step` command proves in: a MIPS ELF file as it is, or a block trace (a file or
 * a corpus id) run by the go-ethereum guest with the trace's preimages.
 */
export async function programFor(ref: string, cwd: string): Promise<ProvableProgram> {
  const path = resolve(cwd, ref)
  if (isElfFile(path)) return elfProgram(path)
  return guestProgram((await resolveTrace(ref, cwd)).trace)
}
