import { InputError, resolveTrace, toHex } from '@stepproof/block-traces'
import { checkStep, traceBlock, witnessBytes } from '@stepproof/evm-native-proof'
import type { Command } from 'commander'
import { mipsWitness } from './mips.ts'
import { parseCount, printJson, userCwd } from './output.ts'

/** Registers `stepproof witness`: the witness of one step, of either proof system. */
export function registerWitness(program: Command): void {
  program
    .command('witness <trace>')
    .description(
      'the witness of step K: evm — a native step of a block trace (SPEC.md §5), re-executed by the reference checker; mips — a MIPS step of the go-ethereum guest (or an ELF)',
    )
    .requiredOption('--step <k>', 'the step (0 = the first step after the initial commitment)')
    .option('--vm <vm>', 'evm or mips', 'evm')
    .option('--json', 'print the witness as JSON')
    .action(async (ref: string, opts: { step: string; vm: string; json?: boolean }) => {
      const k = parseCount(opts.step, '--step')
      if (opts.vm === 'mips') {
        const out = await mipsWitness(ref, k)
        if (opts.json) return printJson(out)
        for (const [key, value] of Object.entries(out)) console.log(`${key}\t${value}`)
        return
      }
      if (opts.vm !== 'evm') throw new InputError(`--vm must be evm or mips, got "${opts.vm}"`)
      const { trace } = await resolveTrace(ref, userCwd())
      const t = await traceBlock(trace, { witness: (s) => s === k })
      const step = t.steps[k]
      if (step === undefined) throw new InputError(`step ${k} is past the end of ${trace.id} (it has ${t.steps.length} native steps)`)
      const w = t.witnesses[0]
      if (w === undefined) throw new Error(`no witness was cut for step ${k} (${step.kind}) of ${trace.id}`)
      let checker: { post?: string; ok: boolean; note?: string }
      try {
        const post = toHex(await checkStep(w))
        checker = { post, ok: post === toHex(w.post) }
      } catch (e) {
        checker = { ok: false, note: `rejected: ${(e as Error).message}` }
      }
      const out = {
        step: k,
        kind: w.kind,
        opcode: w.opcode === undefined ? undefined : `0x${w.opcode.toString(16).padStart(2, '0')}`,
        pre: toHex(w.pre),
        post: toHex(w.post),
        stateData: toHex(w.stateData),
        proof: w.proof.map(toHex),
        codes: w.codes.map(toHex),
        bytes: (w.bytes ?? []).map(toHex),
        witnessBytes: witnessBytes(w),
        checker,
      }
      if (opts.json) return printJson(out)
      console.log(`${trace.id} step ${k}: ${out.kind} ${out.opcode ?? ''}`)
      console.log(`  pre   ${out.pre}\n  post  ${out.post}`)
      console.log(
        `  witness ${out.witnessBytes} bytes: stateData and ${out.proof.length} items (${out.proof.map((p) => (p.length - 2) / 2).join(', ')} bytes)`,
      )
      if (out.bytes.length > 0)
        console.log(`  posted to the bytes oracle before the step: ${out.bytes.map((b) => (b.length - 2) / 2).join(', ')} bytes`)
      console.log(`  reference checker: ${checker.ok ? 'same post-commitment' : (checker.note ?? `another post ${checker.post}`)}`)
      if (!checker.ok) process.exitCode = 1
    })
}
