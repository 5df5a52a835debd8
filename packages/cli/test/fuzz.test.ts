import { mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fuzzBlock, REPO_ROOT, Rng, randomProgram, serializeBlockTrace } from '@stepproof/block-traces'
import { checkStep, traceBlock } from '@stepproof/evm-native-proof'
import { describe, expect, it } from 'vitest'
import { stepproof } from './run.ts'

const cache = () => ({ STEPPROOF_CACHE: mkdtempSync(join(tmpdir(), 'fuzz-cache-')) })

describe('stepproof fuzz', () => {
  it('generates the same block from the same seed, and another from another', async () => {
    const a = await fuzzBlock('same', 'Prague', 4)
    const b = await fuzzBlock('same', 'Prague', 4)
    const c = await fuzzBlock('other', 'Prague', 4)
    expect(serializeBlockTrace(a.trace)).toBe(serializeBlockTrace(b.trace))
    expect(c.trace.block.header).not.toEqual(a.trace.block.header)
    expect(a.included + a.dropped).toBe(4)
  })

  it('makes requests of all three types from Prague on (deposits, withdrawal requests, consolidations), and none before', async () => {
    // Deposits of 192 bytes, withdrawal requests of 76 and consolidations of 116, each type's stream with its type byte first.
    const sizes = [192, 76, 116]
    const items = [0, 0, 0]
    for (const [seed, fork] of [
      ['requests/0', 'Prague'],
      ['requests/1', 'Osaka'],
    ] as const) {
      const { trace } = await fuzzBlock(seed, fork, 40)
      const run = await traceBlock(trace, { witness: () => true })
      const finalize = run.witnesses.find((w) => w.kind === 'block-finalize')
      if (finalize === undefined) throw new Error(`${seed}: no block-finalize step`)
      expect(Buffer.from(await checkStep(finalize)).toString('hex')).toBe(Buffer.from(finalize.post).toString('hex'))
      // block-finalize's last item is the three request streams (SPEC.md §2.2): each 104 bytes, its length at 32.
      const streams = finalize.proof.at(-1) as Uint8Array
      expect(streams.length).toBe(312)
      for (const [t, size] of sizes.entries()) {
        const length = Number(Buffer.from(streams.subarray(104 * t + 32, 104 * t + 40)).readBigUInt64BE())
        if (length === 0) continue
        expect((length - 1) % size, `${seed}: stream ${t}`).toBe(0)
        items[t] = (items[t] as number) + (length - 1) / size
      }
    }
    expect(
      items.every((n) => n > 0),
      `request items by type: ${items}`,
    ).toBe(true)
    const cancun = await fuzzBlock('requests/2', 'Cancun', 40)
    expect(JSON.stringify(cancun.trace.pre)).not.toContain('219ab540356cbb839cbe05303d7705fa')
  }, 120_000)

  it('writes programs of the fork: no CLZ (0x1e) before Osaka, no MCOPY or TSTORE before Cancun', () => {
    const ops = (fork: 'Shanghai' | 'Osaka') => {
      const seen = new Set<number>()
      for (let i = 0; i < 200; i++) {
        const code = randomProgram(new Rng(`ops/${i}`), fork, [1n])
        // Walk the code, skipping push data.
        for (let pc = 0; pc < code.length; pc++) {
          const op = code[pc] as number
          seen.add(op)
          if (op >= 0x60 && op <= 0x7f) pc += op - 0x5f
        }
      }
      return seen
    }
    const shanghai = ops('Shanghai')
    for (const op of [0x1e, 0x5c, 0x5d, 0x5e, 0x49, 0x4a]) expect(shanghai.has(op), `0x${op.toString(16)}`).toBe(false)
    const osaka = ops('Osaka')
    for (const op of [0x1e, 0x5c, 0x5d, 0x5e, 0xf0, 0xf1, 0xf5, 0xff, 0x55]) expect(osaka.has(op), `0x${op.toString(16)}`).toBe(true)
  })

  it('makes most jumps land on a JUMPDEST ahead (so the code after them runs), and some go astray', () => {
    let valid = 0
    let jumps = 0
    for (let i = 0; i < 200; i++) {
      const code = randomProgram(new Rng(`jumps/${i}`), 'Cancun', [1n])
      for (let pc = 0; pc < code.length; pc++) {
        const op = code[pc] as number
        if ((op === 0x56 || op === 0x57) && code[pc - 3] === 0x61) {
          jumps++
          const target = ((code[pc - 2] as number) << 8) | (code[pc - 1] as number)
          if (target > pc && code[target] === 0x5b) valid++
        } else if (op === 0x56 || op === 0x57) jumps++
        if (op >= 0x60 && op <= 0x7f) pc += op - 0x5f
      }
    }
    expect(jumps).toBeGreaterThan(50)
    expect(valid / jumps).toBeGreaterThan(0.6)
    expect(valid).toBeLessThan(jumps)
  })

  it('pops only after an instruction that pushed, and copies return data mostly within its size (RETURNDATASIZE)', () => {
    // What leaves nothing on the stack: a POP straight after one of these would underflow and end the frame.
    const noOutput = new Set([
      0x00, 0x37, 0x39, 0x3c, 0x3e, 0x50, 0x52, 0x53, 0x55, 0x56, 0x57, 0x5b, 0x5d, 0x5e, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xf3, 0xfd, 0xfe,
      0xff,
    ])
    let pops = 0
    let copies = 0
    let sized = 0
    for (let i = 0; i < 200; i++) {
      const code = randomProgram(new Rng(`pops/${i}`), 'Prague', [1n])
      let previous: number | undefined
      const before: number[] = []
      for (let pc = 0; pc < code.length; pc++) {
        const op = code[pc] as number
        if (op === 0x50) {
          pops++
          expect(previous !== undefined && noOutput.has(previous), `program ${i}, pc ${pc}: POP after 0x${previous?.toString(16)}`).toBe(
            false,
          )
        }
        if (op === 0x3e) {
          copies++
          // RETURNDATASIZE, PUSH0, then the destination's push: the size is the return data's.
          if (before.at(-3) === 0x3d && before.at(-2) === 0x5f) sized++
        }
        previous = op
        before.push(op)
        if (op >= 0x60 && op <= 0x7f) pc += op - 0x5f
      }
    }
    expect(pops).toBeGreaterThan(100)
    expect(copies).toBeGreaterThan(20)
    expect(sized / copies).toBeGreaterThan(0.6)
    expect(sized).toBeLessThan(copies)
  })

  it('runs random blocks on every fork through go-ethereum and the native proof, and they agree with ethereumjs', () => {
    const out = mkdtempSync(join(tmpdir(), 'fuzz-out-'))
    const r = stepproof(['fuzz', '--seed', 'ci', '--blocks', '8', '--txs', '8', '--jobs', '2', '--out', out, '--json'], REPO_ROOT, cache())
    expect(r.code, r.stderr).toBe(0)
    const s = JSON.parse(r.stdout)
    expect(s).toMatchObject({ seed: 'ci', blocks: 8, geth: { matched: 8, mismatched: 0 }, native: { checked: 8, failed: 0, untraced: 0 } })
    expect(s.disagreements).toEqual([])
    expect(Object.keys(s.byFork)).toEqual(['Shanghai', 'Cancun', 'Prague', 'Osaka'])
    expect(s.transactions).toBeGreaterThan(40)
    expect(s.stepsChecked).toBe(s.steps)
    // Blocks that agreed leave no trace behind.
    expect(readdirSync(out)).toEqual([])
  }, 300_000)
})
