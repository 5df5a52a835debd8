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

/**
 * What a step is proven in: a way to start the program afresh, and the data behind any preimage
 * key it reads (a step that reads the oracle needs that part loaded on-chain).
 */
export interface ProvableProgram {
  /** The ELF file the program runs. */
  elf: string
  newVm: () => MipsVm
  /** The oracle the program reads, for VMs restored from checkpoints. */
  oracle: PreimageOracle | undefined
  preimage: (key: Uint8Array) => Uint8Array
}

/** A standalone ELF: no oracle, so no preimage exists. */
export function elfProgram(path: string): ProvableProgram {
  return {
    elf: path,
    newVm: () => vmFromElf(path),
    oracle: undefined,
    preimage: (key) => {
      throw new Error(`${path} read preimage 0x${Buffer.from(key).toString('hex')}, but a bare ELF has no oracle`)
    },
  }
}

/** Whether `path` is an ELF file (by its magic), as opposed to, say, a block trace. */
export function isElfFile(path: string): boolean {
  if (!existsSync(path)) return false
  const head = readFileSync(path).subarray(0, 4)
  return head.length === 4 && head[0] === 0x7f && head.toString('latin1', 1, 4) === 'ELF'
}
