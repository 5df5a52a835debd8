import { readdirSync, readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { artifact, CONTRACTS_DIR } from '@stepproof/contracts'
import { EVM_PARTS } from '@stepproof/evm-native-proof'

/** Size of a set of Solidity sources and of the contracts they deploy. */
export interface CodeSize {
  files: { path: string; lines: number }[]
  lines: number
  deployed: { contract: string; bytes: number }[]
}

/** Non-blank lines that are not only a comment (`//`, `/* … *\/` blocks, NatSpec). */
export function countCodeLines(source: string): number {
  let inBlock = false
  let count = 0
  for (const raw of source.split('\n')) {
    let line = raw.trim()
    if (inBlock) {
      const end = line.indexOf('*/')
      if (end === -1) continue
      inBlock = false
      line = line.slice(end + 2).trim()
    }
    if (line.startsWith('/*')) {
      if (!line.includes('*/')) inBlock = true
      continue
    }
    if (line === '' || line.startsWith('//')) continue
    count++
  }
  return count
}

/** The .sol files under `dir` (relative to contracts/), sorted. */
function solidityFiles(dir: string): string[] {
  return (readdirSync(join(CONTRACTS_DIR, dir), { recursive: true }) as string[])
    .filter((f) => f.endsWith('.sol'))
    .sort()
    .map((f) => join(dir, f))
}

/** Counts the lines of `files` (relative to contracts/) and the deployed bytes of `contracts` ([file, name]). */
export function codeSize(files: string[], contracts: [string, string][]): CodeSize {
  const counted = files.map((path) => ({ path, lines: countCodeLines(readFileSync(join(CONTRACTS_DIR, path), 'utf8')) }))
  return {
    files: counted,
    lines: counted.reduce((a, f) => a + f.lines, 0),
    deployed: contracts.map(([file, name]) => ({
      contract: name,
      bytes: (artifact(basename(file), name).deployedBytecode.length - 2) / 2,
    })),
  }
}

/** The MIPS verifier's sources and contracts. */
export const MIPS_VERIFIER = {
  files: [
    'src/mips/MIPS.sol',
    'src/mips/PreimageOracle.sol',
    'src/mips/IPreimageOracle.sol',
    'src/mips/lib/MIPSInstructions.sol',
    'src/mips/lib/MIPSMemory.sol',
    'src/mips/lib/MIPSState.sol',
    'src/mips/lib/MIPSSyscalls.sol',
    'src/mips/lib/PreimageKeyLib.sol',
  ],
  contracts: [
    ['MIPS.sol', 'MIPS'],
    ['PreimageOracle.sol', 'PreimageOracle'],
  ] as [string, string][],
}

/** The EVM-native verifier's sources (every file under contracts/src/evm/) and its deployed parts. */
export const EVM_VERIFIER = {
  files: (): string[] => solidityFiles('src/evm'),
  contracts: [
    ['EvmStepVerifier.sol', 'EvmStepVerifier'],
    ['CodeOracle.sol', 'CodeOracle'],
    ['BytesOracle.sol', 'BytesOracle'],
    ...EVM_PARTS.map((c): [string, string] => [`${c}.sol`, c]),
  ] as [string, string][],
}
