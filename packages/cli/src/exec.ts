import { CheckFailedError, type ExecResult, executeReference, type Hex, InputError, resolveTrace } from '@stepproof/block-traces'
import { executeNative } from '@stepproof/evm-native-proof'
import { executeGeth, executeMips } from '@stepproof/mips-proof'
import type { Command } from 'commander'
import { printJson, userCwd } from './output.ts'

/** The engines `stepproof exec` knows, and whether each is implemented yet. */
const ENGINES: Record<string, (trace: Parameters<typeof executeReference>[0], claim?: Hex) => Promise<ExecResult>> = {
  ethereumjs: (trace) => executeReference(trace),
  'evm-native': (trace) => executeNative(trace),
  geth: (trace) => executeGeth(trace),
  mips: (trace, claim) =>
    executeMips(trace, {
      ...(claim === undefined ? {} : { claim }),
      // Long runs (hundreds of millions of steps) report progress on a terminal.
      onProgress: (steps) => {
        if (process.stderr.isTTY) process.stderr.write(`\rstepproof: ${(steps / 1e6).toFixed(0)}M MIPS steps…`)
      },
    }),
}

/** Registers `stepproof exec`. */
export function registerExec(program: Command): void {
  program
    .command('exec <trace>')
    .description('execute a trace (a file, or the id of a corpus trace) and compare with its expected result')
    .option('--engine <name>', `execution engine: ${Object.keys(ENGINES).join(', ')}`, 'ethereumjs')
    .option('--claim <root>', "mips: the post-state root the guest is asked to confirm (default: the trace's expected root)")
    .option('--json', 'print the result as JSON')
    .action(async (ref: string, opts: { engine: string; claim?: string; json?: boolean }) => {
      const run = ENGINES[opts.engine as keyof typeof ENGINES]
      if (run === undefined) {
        throw new InputError(`unknown engine "${opts.engine}"; available: ${Object.keys(ENGINES).join(', ')}`)
      }
      if (opts.claim !== undefined && !/^0x[0-9a-fA-F]{64}$/.test(opts.claim))
        throw new InputError(`--claim must be a 32-byte 0x-hex root, got "${opts.claim}"`)
      if (opts.claim !== undefined && opts.engine !== 'mips') throw new InputError('--claim applies to --engine mips only')
      const { trace } = await resolveTrace(ref, userCwd())
      const result: ExecResult = await run(trace, opts.claim as Hex | undefined)
      if (opts.json) printJson(result)
      else printHuman(result)
      if ('claimHolds' in result && result.claimHolds === false) {
        throw new CheckFailedError(`${result.id}: the guest rejected the claimed post-state root ${opts.claim ?? trace.expected.stateRoot}`)
      }
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
