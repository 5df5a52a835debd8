import { CheckFailedError, type ExecResult, executeReference, InputError, resolveTrace } from '@stepproof/block-traces'
import type { Command } from 'commander'
import { printJson, userCwd } from './output.ts'

/** The engines `stepproof exec` knows, and whether each is implemented yet. */
const ENGINES = {
  ethereumjs: executeReference,
} as const

/** Registers `stepproof exec`. */
export function registerExec(program: Command): void {
  program
    .command('exec <trace>')
    .description('execute a trace (a file, or the id of a corpus trace) and compare with its expected result')
    .option('--engine <name>', `execution engine: ${Object.keys(ENGINES).join(', ')}`, 'ethereumjs')
    .option('--json', 'print the result as JSON')
    .action(async (ref: string, opts: { engine: string; json?: boolean }) => {
      const run = ENGINES[opts.engine as keyof typeof ENGINES]
      if (run === undefined) {
        throw new InputError(
          `unknown engine "${opts.engine}"; available: ${Object.keys(ENGINES).join(', ')} (mips and evm-native are not implemented yet)`,
        )
      }
      const { trace } = resolveTrace(ref, userCwd())
      const result: ExecResult = await run(trace)
      if (opts.json) printJson(result)
      else printHuman(result)
      if (!result.match) {
        throw new CheckFailedError(
          `${result.id}: ${result.engine} result differs from the expectation in ${result.mismatches.map((m) => m.field).join(', ')}`,
        )
      }
    })
}

function printHuman(r: ExecResult): void {
  console.log(`${r.id} on ${r.engine}: ${r.match ? 'match' : 'MISMATCH'} (${r.seconds.toFixed(2)} s)`)
  console.log(`  stateRoot    ${r.stateRoot}`)
  console.log(`  receiptsRoot ${r.receiptsRoot}`)
  console.log(`  gasUsed      ${BigInt(r.gasUsed)}`)
  for (const m of r.mismatches) console.log(`  ${m.field}: expected ${m.expected}, got ${m.actual}`)
}
