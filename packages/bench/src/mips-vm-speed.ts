/**
 * The MIPS VM speed benchmark: steps per second with and without per-step state hashing, the
 * ratio to qemu-mips on the same ELF in the same run, peak memory against the guest's touched
 * memory, and the time to produce a witness deep in the run.
 *
 *   pnpm bench:mips-vm [--elf path] [--json]
 *
 * Without --elf it builds its own Go guest (guests/vmbench) for GOARCH=mips.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CheckpointedRun, goBuildMips, vmFromElf } from '@stepproof/mips-proof'

const here = dirname(fileURLToPath(import.meta.url))
const args = process.argv.slice(2)
const json = args.includes('--json')
const elfArg = args.indexOf('--elf') >= 0 ? args[args.indexOf('--elf') + 1] : undefined

function buildGuest(): string {
  const out = join(mkdtempSync(join(tmpdir(), 'vmbench-')), 'vmbench')
  goBuildMips(join(here, '../guests/vmbench'), out)
  return out
}

const log = (s: string) => json || process.stderr.write(`${s}\n`)
const elf = elfArg ?? buildGuest()
let peakRss = process.memoryUsage().rss
const sampleRss = () => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss)
}

log(`running ${elf} on the VM without hashing…`)
const vm = vmFromElf(elf)
let t = performance.now()
while (!vm.state.exited) {
  vm.run(10_000_000)
  sampleRss()
}
const plainSeconds = (performance.now() - t) / 1000
const steps = vm.state.step

log('running the first 100,000 steps with a state hash after every step…')
const hashed = vmFromElf(elf)
const hashedSteps = 100_000
t = performance.now()
for (let i = 0; i < hashedSteps; i++) {
  hashed.step()
  hashed.stateHash()
}
const hashedSeconds = (performance.now() - t) / 1000

log('running the same ELF under qemu-mips…')
t = performance.now()
const qemu = spawnSync('qemu-mips', [elf], { encoding: 'utf8' })
const qemuSeconds = (performance.now() - t) / 1000

log('proving a step 1,000 steps before the end (checkpoints every 10M steps)…')
const run = new CheckpointedRun(() => vmFromElf(elf), undefined, 10_000_000)
t = performance.now()
run.execute()
const checkpointedSeconds = (performance.now() - t) / 1000
sampleRss()
t = performance.now()
const witness = run.proveStep(steps - 1000)
const witnessSeconds = (performance.now() - t) / 1000
sampleRss()

const result = {
  elf,
  steps,
  stdoutMatchesQemu: vm.stdoutText() === qemu.stdout,
  plain: { seconds: plainSeconds, stepsPerSecond: Math.round(steps / plainSeconds) },
  hashedEveryStep: { steps: hashedSteps, seconds: hashedSeconds, stepsPerSecond: Math.round(hashedSteps / hashedSeconds) },
  qemu: { seconds: qemuSeconds, vmOverQemu: plainSeconds / qemuSeconds },
  checkpointedRun: { seconds: checkpointedSeconds, interval: run.interval },
  witness: { step: witness.step, seconds: witnessSeconds },
  memory: { peakRssMiB: peakRss / 2 ** 20, guestTouchedMiB: (vm.memory.pageCount * 4096) / 2 ** 20 },
}
if (json) console.log(JSON.stringify(result, null, 2))
else {
  console.log(`steps                      ${steps.toLocaleString()} (stdout ${result.stdoutMatchesQemu ? 'matches' : 'DIFFERS from'} qemu)`)
  console.log(`VM, no hashing             ${(result.plain.stepsPerSecond / 1e6).toFixed(1)} M steps/s (${plainSeconds.toFixed(2)} s)`)
  console.log(
    `VM, state hash every step  ${(result.hashedEveryStep.stepsPerSecond / 1e3).toFixed(1)} k steps/s (first ${hashedSteps.toLocaleString()} steps)`,
  )
  console.log(`qemu-mips                  ${qemuSeconds.toFixed(2)} s: the VM takes ${result.qemu.vmOverQemu.toFixed(1)}× as long`)
  console.log(`checkpointed run           ${checkpointedSeconds.toFixed(2)} s (a checkpoint every ${run.interval.toLocaleString()} steps)`)
  console.log(`witness at step ${witness.step.toLocaleString()}   ${witnessSeconds.toFixed(2)} s`)
  console.log(
    `memory                     peak RSS ${result.memory.peakRssMiB.toFixed(0)} MiB; guest touched ${result.memory.guestTouchedMiB.toFixed(0)} MiB`,
  )
}
