import { existsSync, readFileSync } from 'node:fs'
import { InputError } from '@stepproof/block-traces'
import { parseElf } from './elf/elf.ts'
import { loadProgram } from './elf/load.ts'
import { isGoProgram, patchGoRuntime } from './elf/patch-go.ts'
import { MipsVm, type PreimageOracle } from './vm/vm.ts'

/** Loads an ELF file into a ready-to-run VM (Go programs get Cannon's runtime patches). */
export function vmFromElf(path: string, oracle?: PreimageOracle): MipsVm {
  if (!existsSync(path)) throw new InputError(`${path}: no such file`)
  const elf = parseElf(readFileSync(path), path)
  const { state, memory } = loadProgram(elf)
  if (isGoProgram(elf)) patchGoRuntime(elf, memory)
  return new MipsVm(state, memory, oracle)
}
