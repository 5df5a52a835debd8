import { writeFileSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { type BlockTrace, blockSize, InputError, minimiseBlock, resolveTrace, serializeBlockTrace } from '@stepproof/block-traces'
import { executeGeth, nativeGuest } from '@stepproof/mips-proof'
import type { Command } from 'commander'
import { checkBlockTrace } from './check-block.ts'
import { printJson, userCwd } from './output.ts'

/**
 * How a block disagrees with ethereumjs (whose roots it carries): go-ethereum's guest, run natively,
 * reaching other roots or rejecting it; the native proof failing a step (by kind and opcode) or not
 * tracing it (by its reason, numbers masked). Undefined when both agree.
 */
export async function disagreement(trace: BlockTrace, gethBinary: string): Promise<string | undefined> {
  const parts: string[] = []
  const geth = await executeGeth(trace, gethBinary).catch((e: Error) => ({ match: false, rejected: e.message }))
  if (!geth.match) parts.push(`geth: ${'rejected' in geth && geth.rejected !== undefined ? 'rejects the block' : 'other roots'}`)
  const native = await checkBlockTrace({ id: trace.id, fork: trace.fork, folder: 'minimise' }, trace)
  if (native.status !== 'checked') {
    const first = native.failures[0]
    parts.push(
      first !== undefined
        ? `evm-native: ${native.status} at ${first.kind ?? 'step'}${first.opcode === undefined ? '' : ` ${first.opcode}`}`
        : `evm-native: ${native.status}: ${(native.reason ?? '').replace(/\d+/g, '#').slice(0, 120)}`,
    )
  }
  return parts.length === 0 ? undefined : parts.join('; ')
}

/** Registers `stepproof minimise`. */
export function registerMinimise(program: Command): void {
  program
    .command('minimise <trace>')
    .description(
      'shrink a generated block on which go-ethereum or the native proof disagree with ethereumjs (a `fuzz` trace) to a small one that disagrees the same way: fewer transactions, less code, fewer storage slots, each candidate sealed again by ethereumjs',
    )
    .option('--out <file>', 'where the minimised trace goes (default: beside the input, <name>.min.json)')
    .option('--json', 'print the outcome as JSON')
    .action(async (ref: string, opts: { out?: string; json?: boolean }) => {
      const { trace, path } = await resolveTrace(ref, userCwd())
      const gethBinary = nativeGuest()
      {
        const wanted = await disagreement(trace, gethBinary)
        if (wanted === undefined)
          throw new InputError(
            `${trace.id}: go-ethereum and the native proof both agree with ethereumjs on this block; nothing to minimise`,
          )
        const log = (m: string) => {
          if (!opts.json) console.error(`stepproof minimise: ${m}`)
        }
        log(`${trace.id} disagrees: ${wanted}; ${JSON.stringify(blockSize(trace))}`)
        const result = await minimiseBlock(trace, async (t) => (await disagreement(t, gethBinary)) === wanted, log)
        const out = opts.out === undefined ? join(dirname(path), `${basename(path, '.json')}.min.json`) : resolve(userCwd(), opts.out)
        writeFileSync(out, serializeBlockTrace({ ...result.trace, source: `${trace.source} (minimised: ${wanted})` }))
        const outcome = { id: trace.id, disagreement: wanted, tried: result.tried, before: result.before, after: result.after, out }
        if (opts.json) printJson(outcome)
        else
          console.log(
            `${trace.id}: ${wanted}\n  ${result.before.transactions} → ${result.after.transactions} transactions, ${result.before.codeBytes} → ${result.after.codeBytes} code bytes, ${result.before.storageSlots} → ${result.after.storageSlots} storage slots (${result.tried} candidates)\n  ${out}`,
          )
      }
    })
}
