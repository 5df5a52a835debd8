import { createAddressFromString } from '@ethereumjs/util'
import { type BlockTrace, type Fork, Rng, sealBlock, systemContractsPre, wallet } from '@stepproof/block-traces'
import { describe, expect, it } from 'vitest'
import { checkStep } from '../src/check/index.ts'
import { keccak, readFrame, readState, writeFrame, writeState } from '../src/check/layout.ts'
import { traceBlock } from '../src/trace/tracer.ts'
import { COPY_CHUNK, type StepWitness } from '../src/trace/witness.ts'
import { WITNESS_BOUND, witnessBytes } from '../src/verify-trace.ts'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

/** Assembles opcodes and PUSHes: a number becomes the shortest PUSH of it (PUSH0 for 0). */
function asm(...parts: (number | bigint | string)[]): string {
  let out = ''
  for (const p of parts) {
    if (typeof p === 'string') out += p
    else {
      const v = BigInt(p)
      if (v === 0n) out += '5f'
      else {
        const h = v.toString(16)
        const bytes = Math.ceil(h.length / 2)
        out += (0x5f + bytes).toString(16) + h.padStart(bytes * 2, '0')
      }
    }
  }
  return `0x${out}`
}
const OP = {
  CALLDATASIZE: '36',
  CALLDATACOPY: '37',
  CODECOPY: '39',
  EXTCODECOPY: '3c',
  RETURNDATASIZE: '3d',
  RETURNDATACOPY: '3e',
  ADDRESS: '30',
}
const [MCOPY, MSTORE, KECCAK256, SSTORE, CALL, GAS, POP, RETURN, STOP] = ['5e', '52', '20', '55', 'f1', '5a', '50', 'f3', '00']

const COPIER = createAddressFromString(`0x${'cc'.repeat(20)}`)
const RETURNER = createAddressFromString(`0x${'dd'.repeat(20)}`)
const WRITES = [0, 0x8000, 0x10000, 0x20000, 0x28000, 0x30000, 0x40000, 0x48000]

/**
 * Every copy opcode past one step's chunk (SPEC.md §6): CALLDATACOPY of 70,000 bytes of calldata,
 * CODECOPY of 40,000 (zero past the code), MCOPY of 80,000 upwards and 40,000 downwards over
 * themselves, EXTCODECOPY of 33,000, RETURNDATACOPY of 50,000 returned by a call; then the keccak of
 * a 4 KiB window at each place they wrote, stored, so that the state root depends on every byte moved.
 */
const COPIER_CODE = asm(
  OP.CALLDATASIZE,
  0,
  0,
  OP.CALLDATACOPY,
  40_000,
  0,
  0x20000,
  OP.CODECOPY,
  80_000,
  0,
  0x100,
  MCOPY,
  40_000,
  0x100,
  0,
  MCOPY,
  33_000,
  0,
  0x30000,
  OP.ADDRESS,
  OP.EXTCODECOPY,
  0,
  0,
  0,
  0,
  0,
  BigInt(RETURNER.toString()),
  GAS,
  CALL,
  POP,
  OP.RETURNDATASIZE,
  0,
  0x40000,
  OP.RETURNDATACOPY,
  ...WRITES.flatMap((at, i) => [4096, at, KECCAK256, i, SSTORE]),
  STOP,
)
const RETURNER_CODE = asm(BigInt(`0x${'5a'.repeat(32)}`), 0xc000, MSTORE, BigInt(`0x${'a5'.repeat(32)}`), 0, MSTORE, 50_000, 0, RETURN)
/** The steps each copy takes: ⌈len / COPY_CHUNK⌉. */
const EXPECTED_STEPS: Record<string, number> = { '37': 3, '39': 2, '5e': 5, '3c': 2, '3e': 2 }

async function copiesBlock(fork: Fork): Promise<BlockTrace> {
  const rng = new Rng(`long-copies/${fork}`)
  const sender = wallet(1)
  const account = (code: string) => ({ nonce: '0x1', balance: '0x0', code, storage: {} }) as const
  const pre = {
    ...systemContractsPre(fork),
    [sender.address.toString()]: { nonce: '0x0', balance: '0x56bc75e2d63100000', code: '0x', storage: {} },
    [COPIER.toString()]: account(COPIER_CODE),
    [RETURNER.toString()]: account(RETURNER_CODE),
  } as BlockTrace['pre']
  const calldata = `0x${Buffer.from(Array.from({ length: 70_000 }, (_, i) => 1 + ((i * 131 + rng.below(7)) % 255))).toString('hex')}`
  const { trace, included } = await sealBlock(
    {
      id: `long-copies/${fork}`,
      fork,
      pre,
      rng,
      coinbase: `0x${'c0'.repeat(20)}`,
      source: 'test:long-copies',
      generatedBy: 'long-copies.test.ts',
    },
    async (add) =>
      Number(
        await add(
          { from: sender, to: COPIER, data: calldata as `0x${string}`, gasLimit: 5_000_000n, envelope: 'call', expect: 'success' },
          2,
        ),
      ),
  )
  expect(included).toBe(1)
  return trace
}

describe('copies longer than a step (SPEC.md §6)', () => {
  for (const fork of ['Cancun', 'Osaka'] as const)
    it(`${fork}: each goes on in steps of ${COPY_CHUNK} bytes at the same pc, every step re-derived and under the witness bound`, async () => {
      const trace = await copiesBlock(fork)
      const run = await traceBlock(trace, { witness: () => true })
      expect(hex(run.stateRoot)).toBe(trace.expected.stateRoot.slice(2))
      const stepsOf: Record<string, number> = {}
      const continuing: string[] = []
      for (const w of run.witnesses) {
        expect(hex(await checkStep(w)), `step ${w.step} (${w.kind} ${w.opcode?.toString(16) ?? ''})`).toBe(hex(w.post))
        expect(witnessBytes(w), `step ${w.step}`).toBeLessThanOrEqual(WITNESS_BOUND)
        if (w.kind !== 'opcode' || w.opcode === undefined) continue
        const op = w.opcode.toString(16).padStart(2, '0')
        if (op in EXPECTED_STEPS) stepsOf[op] = (stepsOf[op] ?? 0) + 1
        const progress = readFrame(w.proof[0] as Uint8Array).progress
        if (progress > 0) continuing.push(`${op}@${progress}`)
      }
      expect(stepsOf).toEqual(EXPECTED_STEPS)
      // The later steps of each copy, by the bytes already moved.
      const C = COPY_CHUNK
      // A frame said to have moved the whole copy already is no state a run reaches: rejected.
      const w = run.witnesses.find((x) => x.opcode === 0x37 && readFrame(x.proof[0] as Uint8Array).progress > 0) as StepWitness
      const frame = writeFrame({ ...readFrame(w.proof[0] as Uint8Array), progress: 70_000 })
      const stateData = writeState({ ...readState(w.stateData), frameHash: keccak(frame) })
      await expect(checkStep({ ...w, pre: keccak(stateData), stateData, proof: [frame, ...w.proof.slice(1)] })).rejects.toThrow(
        /has moved 70000 bytes of a copy of 70000/,
      )
      expect(continuing).toEqual([`37@${C}`, `37@${2 * C}`, `39@${C}`, `5e@${C}`, `5e@${2 * C}`, `5e@${C}`, `3c@${C}`, `3e@${C}`])
    }, 120_000)
})
