import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The Foundry project folder. */
export const CONTRACTS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..')

/** Path of a Foundry binary shipped by the pinned npm packages. */
export function foundryBin(name: 'forge' | 'anvil' | 'cast'): string {
  return join(CONTRACTS_DIR, 'node_modules/.bin', name)
}

/** What a forge run printed and how it ended. */
export interface ForgeRun {
  code: number
  stdout: string
  stderr: string
}

/** Runs forge in the contracts folder (offline, solc-js behind tools/solc). */
export function forge(args: string[]): ForgeRun {
  const r = spawnSync(foundryBin('forge'), args, { cwd: CONTRACTS_DIR, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
}

/** Builds the contracts, throwing with forge's output if the build fails. */
export function forgeBuild(): void {
  const r = forge(['build'])
  if (r.code !== 0) throw new Error(`forge build failed:\n${r.stdout}\n${r.stderr}`)
}

/** A compiled contract: creation and runtime bytecode, and the ABI. */
export interface Artifact {
  abi: unknown[]
  bytecode: `0x${string}`
  deployedBytecode: `0x${string}`
}

/** Reads the artifact of `contract` from `file` (e.g. `Token.sol`), building first if it is missing. */
export function artifact(file: string, contract: string): Artifact {
  const path = join(CONTRACTS_DIR, 'out', file, `${contract}.json`)
  if (!existsSync(path)) forgeBuild()
  const json = JSON.parse(readFileSync(path, 'utf8'))
  return { abi: json.abi, bytecode: json.bytecode.object, deployedBytecode: json.deployedBytecode.object }
}
export * from './anvil.ts'
