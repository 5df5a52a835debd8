import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type BlockTrace, blockSize, fuzzBlock, minimiseBlock, serializeBlockTrace } from '@stepproof/block-traces'
import { traceBlock } from '@stepproof/evm-native-proof'
import { executeGeth } from '@stepproof/mips-proof'
import { describe, expect, it } from 'vitest'
import { stepproof } from './run.ts'

/** Whether the native trace of a block has a step of the opcode. */
const runs = (opcode: number) => async (t: BlockTrace) =>
  (await traceBlock(t)).steps.some((s) => s.kind === 'opcode' && s.opcode === opcode)

describe('stepproof minimise', () => {
  it('shrinks a random block to one that still has the property, every candidate sealed again by ethereumjs, go-ethereum agreeing', async () => {
    // A fuzz block whose code runs SELFDESTRUCT somewhere (the first seed that has one): the property to keep.
    let trace: BlockTrace | undefined
    for (let seed = 0; trace === undefined && seed < 20; seed++) {
      const candidate = (await fuzzBlock(`min/${seed}`, 'Cancun', 6)).trace
      if (await runs(0xff)(candidate)) trace = candidate
    }
    if (trace === undefined) throw new Error('no seed of min/0 … min/19 gives a block that runs SELFDESTRUCT')
    const result = await minimiseBlock(trace, runs(0xff))
    expect(await runs(0xff)(result.trace)).toBe(true)
    expect(result.before).toEqual(blockSize(trace))
    expect(result.after.transactions).toBe(1)
    expect(result.after.codeBytes).toBeLessThan(result.before.codeBytes / 4)
    expect(result.after.storageSlots).toBeLessThan(result.before.storageSlots)
    expect(result.tried).toBeGreaterThan(10)
    // The minimised block is a valid block with ethereumjs's roots: go-ethereum reaches them too.
    expect((await executeGeth(result.trace)).match).toBe(true)
  }, 300_000)

  it('refuses a block that go-ethereum and the native proof agree on, naming it', async () => {
    const { trace } = await fuzzBlock('min/1', 'Cancun', 2)
    const file = join(mkdtempSync(join(tmpdir(), 'minimise-')), 'agrees.json')
    writeFileSync(file, serializeBlockTrace(trace))
    const r = stepproof(['minimise', file])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('go-ethereum and the native proof both agree with ethereumjs on this block; nothing to minimise')
  }, 120_000)
})
