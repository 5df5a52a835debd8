import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { InputError, toHex } from '@stepproof/block-traces'
import { buildGuest, CheckpointedRun, profileRun, vmFromElf } from '@stepproof/mips-proof'
import type { Command } from 'commander'
import { parseCount, printJson, userCwd } from './output.ts'
import { programFor } from './program-ref.ts'

/** Registers `stepproof mips run|witness`. */
export function registerMips(program: Command): void {
  const mips = program.command('mips').description("the MIPS VM (Cannon's single-threaded 32-bit variant)")

  mips
    .command('run <elf>')
    .description('run a static MIPS32 ELF to its exit (or --max-steps)')
    .option('--max-steps <n>', 'stop after this many steps')
    .option('--stdin <file>', 'serve this file to read(0), off-chain only: Cannon has no stdin, so such a run is not provable')
    .option('--json', 'print the result as JSON (the guest stdout is in it)')
    .action((elf: string, opts: { maxSteps?: string; stdin?: string; json?: boolean }) => {
      const maxSteps = opts.maxSteps === undefined ? Number.POSITIVE_INFINITY : parseCount(opts.maxSteps, '--max-steps')
      const vm = vmFromElf(resolve(userCwd(), elf))
      if (opts.stdin !== undefined) {
        const path = resolve(userCwd(), opts.stdin)
        if (!existsSync(path)) throw new InputError(`--stdin ${opts.stdin}: no such file`)
        vm.stdin = readFileSync(path)
      }
      const started = performance.now()
      vm.run(maxSteps)
      const seconds = (performance.now() - started) / 1000
      const result = {
        steps: vm.state.step,
        exited: vm.state.exited,
        exitCode: vm.state.exitCode,
        stdout: vm.stdoutText(),
        stateHash: toHex(vm.stateHash()),
        stepsPerSecond: Math.round(vm.state.step / Math.max(seconds, 1e-9)),
        ...(vm.fault ? { fault: vm.fault } : {}),
        // Only with --stdin: what the guest read of it; a run that read any is not provable on-chain.
        ...(vm.stdin === undefined ? {} : { stdinBytesRead: vm.stdinConsumed, provable: vm.stdinConsumed === 0 }),
      }
      if (opts.json) return printJson(result)
      process.stdout.write(result.stdout)
      process.stderr.write(Buffer.from(vm.stderr))
      const end = vm.fault ? `faulted: ${vm.fault.reason}` : result.exited ? `exited with ${result.exitCode}` : 'stopped at --max-steps'
      process.stderr.write(`stepproof: ${result.steps} steps, ${end}, state ${result.stateHash}\n`)
    })

  mips
    .command('build-guest')
    .description('build the go-ethereum guest for MIPS (reproducibly) and print its hash and absolute pre-state')
    .option('--json', 'print the result as JSON')
    .action((opts: { json?: boolean }) => {
      const build = buildGuest({ force: true })
      if (opts.json) return printJson(build)
      for (const [key, value] of Object.entries(build)) console.log(`${key}\t${value}`)
    })

  mips
    .command('witness <trace-or-elf>')
    .description("the witness of step K (from state K to K + 1) in Cannon's layout, of an ELF or of the go-ethereum guest on a trace")
    .requiredOption('--step <k>', 'the step to prove')
    .option('--json', 'print the witness as JSON')
    .action(async (ref: string, opts: { step: string; json?: boolean }) => {
      const out = await mipsWitness(ref, parseCount(opts.step, '--step'))
      if (opts.json) return printJson(out)
      for (const [key, value] of Object.entries(out)) console.log(`${key}\t${value}`)
    })

  mips
    .command('profile <trace-or-elf>')
    .description('where the steps go: the pc sampled every N steps, by ELF function (the go-ethereum guest on a trace, or any ELF)')
    .option('--every <n>', 'sample every N steps', '10000')
    .option('--max-steps <n>', 'stop after this many steps')
    .option('--top <k>', 'functions to list', '25')
    .option('--json', 'print the profile as JSON')
    .action(async (ref: string, opts: { every: string; maxSteps?: string; top: string; json?: boolean }) => {
      const interval = parseCount(opts.every, '--every')
      if (interval === 0) throw new InputError('--every must be at least 1')
      const program = await programFor(ref, userCwd())
      const profile = profileRun(program.newVm(), program.elf, {
        interval,
        ...(opts.maxSteps === undefined ? {} : { maxSteps: parseCount(opts.maxSteps, '--max-steps') }),
      })
      const top = { ...profile, functions: profile.functions.slice(0, parseCount(opts.top, '--top')) }
      if (opts.json) return printJson(top)
      console.log(`${profile.steps.toLocaleString('en')} steps, ${profile.samples} samples (every ${interval})`)
      for (const f of top.functions) console.log(`${(100 * f.share).toFixed(1).padStart(6)}%  ${f.name}`)
    })
}

/** The witness of MIPS step k of an ELF or of the go-ethereum guest on a trace, as JSON-ready hex. */
export async function mipsWitness(ref: string, k: number) {
  const program = await programFor(ref, userCwd())
  const run = new CheckpointedRun(program.newVm, program.oracle)
  const summary = run.execute(k + 1)
  if (summary.steps <= k) throw new InputError(`step ${k} is past the end of the program (it exits after ${summary.steps} steps)`)
  const w = run.proveStep(k)
  return {
    step: w.step,
    pre: toHex(w.pre),
    post: toHex(w.post),
    stateData: toHex(w.stateData),
    proof: toHex(w.proof),
    // A step that reads the oracle needs this part of this preimage loaded on-chain.
    ...(w.preimage === undefined
      ? {}
      : { preimage: { key: toHex(w.preimage.key), offset: w.preimage.offset, data: toHex(program.preimage(w.preimage.key)) } }),
  }
}
