import { createBlock } from '@ethereumjs/block'
import { Common, Mainnet } from '@ethereumjs/common'
import { createEVM, getOpcodesForHF, paramsEVM } from '@ethereumjs/evm'
import { Account, Address } from '@ethereumjs/util'
import { describe, expect, it } from 'vitest'
import { opcodeShape } from '../src/check/opcodes.ts'
import { HALTING, OPCODES } from '../src/trace/opcodes.ts'

/** The tracer's and the checker's opcode tables, each held to ethereumjs: its opcode list per fork, and its interpreter's stack checks. */
const FORKS = [
  ['Shanghai', 'shanghai', 0],
  ['Cancun', 'cancun', 1],
  ['Prague', 'prague', 2],
  ['Osaka', 'osaka', 3],
] as const

/** The static gas the checker charges in its rules rather than in its table (ethereumjs's `fee` folds it in). */
const GAS_IN_RULES: Record<string, string> = {
  LOG1: 'the checker charges 375 a topic in the table, ethereumjs in its dynamic gas',
  LOG2: 'the same',
  LOG3: 'the same',
  LOG4: 'the same',
  CREATE: "the checker charges the 32,000 after the static checks (execution-specs' generic_create)",
  CREATE2: 'the same',
}

describe('the opcode tables', () => {
  for (const [fork, hardfork, id] of FORKS) {
    it(`${fork}: the same opcodes and names as ethereumjs, and the checker's stack reads are the tracer's`, () => {
      const common = new Common({ chain: Mainnet, hardfork, params: paramsEVM })
      const theirs = getOpcodesForHF(common).opcodes
      const ours = [...OPCODES].filter(([, o]) => o.since <= id)
      expect(ours.map(([op]) => op).sort((a, b) => a - b)).toEqual([...theirs.keys()].sort((a, b) => a - b))
      for (const [op, o] of ours) expect(o.name, `0x${op.toString(16)}`).toBe(theirs.get(op)?.fullName)
      const gasDiffers: string[] = []
      for (let op = 0; op < 256; op++) {
        const shape = opcodeShape(op, id)
        const info = OPCODES.get(op)
        // INVALID (0xfe) is the designated invalid opcode: the checker treats it as any undefined byte.
        if (op === 0xfe || info === undefined || info.since > id) {
          expect(shape, `0x${op.toString(16)} is not a ${fork} opcode`).toBeUndefined()
          continue
        }
        expect(shape?.reads, `${info.name} stack reads`).toBe(info.in)
        const fee = theirs.get(op)?.fee
        if (shape?.gas !== fee) gasDiffers.push(info.name)
      }
      expect(gasDiffers).toEqual(Object.keys(GAS_IN_RULES))
    })

    it(`${fork}: each opcode takes and leaves the stack items its table says, as ethereumjs's interpreter does`, async () => {
      const common = new Common({ chain: Mainnet, hardfork, params: paramsEVM })
      const evm = await createEVM({ common })
      // A block with what the block opcodes read (BASEFEE, BLOBBASEFEE).
      // The account the code runs as exists (SSTORE writes to it).
      const self = new Address(new Uint8Array(20).fill(0x11))
      const caller = new Address(new Uint8Array(20).fill(0x22))
      await evm.stateManager.putAccount(self, new Account(0n, 10n ** 18n))
      await evm.stateManager.putAccount(caller, new Account(0n, 10n ** 18n))
      const block = createBlock(
        { header: { number: 1n, baseFeePerGas: 7n, ...(id >= 1 ? { excessBlobGas: 0n, blobGasUsed: 0n } : {}) } },
        { common },
      )
      const wrong: string[] = []
      for (const [op, o] of OPCODES) {
        if (o.since > id || op === 0xfe) continue
        const run = async (items: number) => {
          // PUSH0 × items, the opcode (a PUSH with its immediate bytes), STOP: the STOP's step shows what the opcode left.
          const immediate = op >= 0x60 && op <= 0x7f ? op - 0x5f : 0
          const code = Uint8Array.from([...Array(items).fill(0x5f), op, ...Array(immediate).fill(0), 0x00])
          let stackAtStop: number | undefined
          const onStep = (e: { pc: number; stack: bigint[] }) => {
            if (e.pc === items + 1 + immediate) stackAtStop = e.stack.length
          }
          evm.events?.on('step', onStep)
          try {
            await evm.stateManager.putCode(self, code)
            const r = await evm.runCall({ to: self, caller, gasLimit: 10_000_000n, block })
            return { error: r.execResult.exceptionError?.error, stackAtStop }
          } finally {
            evm.events?.off('step', onStep)
          }
        }
        if (o.in > 0 && (await run(o.in - 1)).error !== 'stack underflow') wrong.push(`${o.name} runs with ${o.in - 1} items`)
        const full = await run(o.in)
        if (full.error === 'stack underflow') wrong.push(`${o.name} underflows with ${o.in} items`)
        if (full.error === undefined && !HALTING.has(op) && full.stackAtStop !== o.out)
          wrong.push(`${o.name} leaves ${full.stackAtStop}, not ${o.out}`)
      }
      expect(wrong).toEqual([])
    }, 120_000)
  }
})
