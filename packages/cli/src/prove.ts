import { InputError, toHex } from '@stepproof/block-traces'
import { startAnvil } from '@stepproof/contracts'
import { CheckpointedRun, deployMips, stepOnChain } from '@stepproof/mips-proof'
import type { Command } from 'commander'
import { printJson, userCwd } from './output.ts'
import { programFor } from './program-ref.ts'

/** Registers `stepproof prove`: one step proven by the deployed verifier on a local Anvil. */
export function registerProve(program: Command): void {
  program
    .command('prove <trace-or-elf>')
    .description('prove step K on-chain: deploy the verifier on a local Anvil and compare its post-state with the off-chain one')
    .requiredOption('--step <k>', 'the step to prove')
    .option('--vm <vm>', 'the proof system (mips; evm is not implemented yet)', 'mips')
    .option('--json', 'print the result as JSON')
    .action(async (ref: string, opts: { step: string; vm: string; json?: boolean }) => {
      if (opts.vm !== 'mips') throw new InputError(`--vm ${opts.vm}: only mips is implemented so far`)
      if (!/^\d+$/.test(opts.step)) throw new InputError(`--step must be a whole number, got "${opts.step}"`)
      const k = Number(opts.step)
      const program = await programFor(ref, userCwd())
      const run = new CheckpointedRun(program.newVm, program.oracle)
      const summary = run.execute(k + 1)
      if (summary.steps <= k) throw new InputError(`step ${k} is past the end of the program (it exits after ${summary.steps} steps)`)
      const witness = run.proveStep(k)
      const anvil = await startAnvil()
      try {
        const data = witness.preimage === undefined ? undefined : program.preimage(witness.preimage.key)
        const onchain = await stepOnChain(await deployMips(anvil), witness, data)
        const post = toHex(witness.post)
        const result = {
          vm: 'mips',
          step: k,
          pre: toHex(witness.pre),
          post,
          onchainPost: onchain.onchainPost,
          ok: onchain.onchainPost === post,
          gas: onchain.txGas,
          executionGas: onchain.executionGas,
          witnessBytes: onchain.witnessBytes,
        }
        if (opts.json) printJson(result)
        else
          console.log(
            `step ${k}: ${result.ok ? 'on-chain post-state matches' : 'MISMATCH'} (${result.gas} gas, ${result.executionGas} in step)`,
          )
        if (!result.ok) process.exitCode = 1
      } finally {
        await anvil.stop()
      }
    })
}
