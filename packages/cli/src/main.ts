#!/usr/bin/env -S npx tsx
import { InputError } from '@stepproof/block-traces'
import { Command, CommanderError } from 'commander'
import { registerBench } from './bench.ts'
import { registerCheck } from './check.ts'
import { registerExec } from './exec.ts'
import { registerFuzz } from './fuzz.ts'
import { registerMinimise } from './minimise.ts'
import { registerMips } from './mips.ts'
import { fail } from './output.ts'
import { registerProve } from './prove.ts'
import { registerTraces } from './traces.ts'
import { registerVerdicts } from './verdicts.ts'
import { registerWitness } from './witness.ts'

// A closed pipe (`stepproof ... | head`) ends the command quietly.
process.stdout.on('error', (e: NodeJS.ErrnoException) => process.exit(e.code === 'EPIPE' ? 0 : 1))

const program = new Command()
  .name('stepproof')
  .description('EVM-native vs MIPS fault proofs, measured over the same blocks')
  .exitOverride()
  // Errors are printed once, by fail(), as one line.
  .configureOutput({ outputError: () => {} })
registerTraces(program)
registerExec(program)
registerBench(program)
registerMips(program)
registerProve(program)
registerWitness(program)
registerCheck(program)
registerVerdicts(program)
registerFuzz(program)
registerMinimise(program)

try {
  await program.parseAsync(process.argv)
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version end here too, successfully.
    if (error.exitCode === 0) process.exit(0)
    fail(new InputError(error.message.replace(/^error: /, '')))
  }
  fail(error)
}
