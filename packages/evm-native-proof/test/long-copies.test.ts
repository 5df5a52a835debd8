import { createAddressFromString } from '@ethereumjs/util'
import { bls12_381 } from '@noble/curves/bls12-381.js'
import { type BlockTrace, type Fork, Rng } from '@stepproof/block-traces'
import { describe, expect, it } from 'vitest'
import { checkStep } from '../src/check/index.ts'
import { CURSOR_START, keccak, readFrame, readState, readTxEnv, writeFrame, writeState, writeTxEnv } from '../src/check/layout.ts'
import { MD_CHUNK } from '../src/check/precompiles/md-hashes.ts'
import { KECCAK_CHUNK } from '../src/check/sponge.ts'
import { ACCESS_KEYS_STEP } from '../src/check/tx-start.ts'
import { traceBlock } from '../src/trace/tracer.ts'
import type { StepWitness } from '../src/trace/witness.ts'
import { COPY_CHUNK } from '../src/trace/witness-parts.ts'
import { WITNESS_BOUND, witnessBytes } from '../src/verify-trace.ts'
import {
  asm,
  CALL,
  CREATE,
  copiesBlock,
  GAS,
  hashesBlock,
  KECCAK256,
  MCOPY,
  MSTORE,
  OP,
  oneCallBlock,
  POP,
  RETURN,
  SSTORE,
  STOP,
} from './long-blocks.ts'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

/** A step's witness with its frame's `progress` changed (and the state's frame hash with it): a state no run reaches. */
function atProgress(w: StepWitness, progress: number): StepWitness {
  const frame = writeFrame({ ...readFrame(w.proof[0] as Uint8Array), progress })
  const stateData = writeState({ ...readState(w.stateData), frameHash: keccak(frame) })
  return { ...w, pre: keccak(stateData), stateData, proof: [frame, ...w.proof.slice(1)] }
}

/** The steps each copy takes: ⌈len / COPY_CHUNK⌉. */
const EXPECTED_STEPS: Record<string, number> = { '37': 3, '39': 2, '5e': 5, '3c': 2, '3e': 2 }

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
      await expect(checkStep(atProgress(w, 70_000))).rejects.toThrow(/has moved 70000 bytes of a copy of 70000/)
      expect(continuing).toEqual([`37@${C}`, `37@${2 * C}`, `39@${C}`, `5e@${C}`, `5e@${2 * C}`, `5e@${C}`, `3c@${C}`, `3e@${C}`])
    }, 120_000)
})

const CALLER = createAddressFromString(`0x${'ce'.repeat(20)}`)
const ECHO = createAddressFromString(`0x${'ec'.repeat(20)}`)
const EXIT_WINDOWS = [0x20000, 0x28000, 0x30000, 0x35000, 0x40000, 0x48000, 0x50000]
/**
 * Inputs and outputs longer than a step (SPEC.md §6.1): 100,000 bytes of memory (the
 * transaction's 60,000 bytes of calldata, a word at 80,000) passed to a call, which copies them and
 * returns 90,000 (three exit steps into the caller's memory);
 * 40,000 of those passed to the identity precompile, whose output is its input where it lies, and
 * copied back (two exit steps, the second reading the memory as it was before the first wrote it),
 * then 1,000 of them read again by RETURNDATACOPY; the keccak of 4 KiB windows where the outputs landed, stored; last, a create whose initcode returns 30,000 bytes
 * (over EIP-170: the create fails at its exit, the output never read).
 */
const CALLER_CODE = asm(
  OP.CALLDATASIZE,
  0,
  0,
  OP.CALLDATACOPY,
  BigInt(`0x${'99'.repeat(32)}`),
  80_000,
  MSTORE,
  90_000,
  0x20000,
  100_000,
  0,
  0,
  BigInt(ECHO.toString()),
  GAS,
  CALL,
  POP,
  40_000,
  0x40000,
  40_000,
  0x20000,
  0,
  4,
  GAS,
  CALL,
  POP,
  // Return data read after the caller's memory has moved on from what identity's output views.
  1000,
  100,
  0x50000,
  OP.RETURNDATACOPY,
  ...EXIT_WINDOWS.flatMap((at, i) => [4096, at, KECCAK256, i, SSTORE]),
  // Last, as a failed create takes all the gas it was given.
  0x6175305ff3n, // PUSH2 30000 PUSH0 RETURN, as initcode
  0,
  MSTORE,
  5,
  27,
  0,
  CREATE,
  20,
  SSTORE,
  STOP,
)
const ECHO_CODE = asm(OP.CALLDATASIZE, 0, 0, OP.CALLDATACOPY, BigInt(`0x${'77'.repeat(32)}`), 0x15000, MSTORE, 90_000, 0, RETURN)

describe('inputs and outputs longer than a step (SPEC.md §6.1)', () => {
  for (const fork of ['Cancun', 'Osaka'] as const)
    it(`${fork}: calldata and outputs are views of memory, an exit copies ${COPY_CHUNK} bytes a step, every step re-derived and under the bound`, async () => {
      const trace = await oneCallBlock(
        'long-outputs',
        fork,
        [
          [CALLER, CALLER_CODE],
          [ECHO, ECHO_CODE],
        ],
        60_000,
      )
      const run = await traceBlock(trace, { witness: () => true })
      expect(hex(run.stateRoot)).toBe(trace.expected.stateRoot.slice(2))
      const exits: string[] = []
      const largest: Record<string, number> = {}
      for (const w of run.witnesses) {
        expect(hex(await checkStep(w)), `step ${w.step} (${w.kind} ${w.opcode?.toString(16) ?? ''})`).toBe(hex(w.post))
        const bytes = witnessBytes(w)
        expect(bytes, `step ${w.step} (${w.kind})`).toBeLessThanOrEqual(WITNESS_BOUND)
        const label = w.opcode === undefined ? w.kind : w.opcode.toString(16)
        largest[label] = Math.max(largest[label] ?? 0, bytes)
        if (w.kind !== 'frame-exit') continue
        const frame = readFrame(w.proof[0] as Uint8Array)
        if (frame.depth === 1) exits.push(`${frame.kind === 4 ? 'create' : hex(frame.codeAddress).slice(-2)}@${frame.progress}`)
      }
      const C = COPY_CHUNK
      // The echo's 90,000 bytes in three steps, the identity's 40,000 in two, the create's exit (no copy).
      expect(exits).toEqual(['ec@0', `ec@${C}`, `ec@${2 * C}`, '04@0', `04@${C}`, 'create@0'])
      // The CALL carries none of its 100,000-byte input, RETURN none of its 90,000-byte output.
      expect(largest.f1).toBeLessThan(16_384)
      expect(largest.f3).toBeLessThan(4_096)
      // Identity's output is its input where it lies: its step reads none of its 40,000 bytes.
      expect(largest.precompile).toBeLessThan(1_024)
      expect(largest['frame-exit']).toBeLessThan(2 * C + 8_192)
      // The create's output of 30,000 bytes is over EIP-170: its exit reads none of it.
      const createExit = run.witnesses.find((w) => w.kind === 'frame-exit' && readFrame(w.proof[0] as Uint8Array).kind === 4)
      expect(createExit?.proof.length).toBe(2)
      // An exit said to have copied the whole output already is no state a run reaches: rejected.
      const w = run.witnesses.find((x) => x.kind === 'frame-exit' && readFrame(x.proof[0] as Uint8Array).progress > 0) as StepWitness
      await expect(checkStep(atProgress(w, 90_000))).rejects.toThrow(/has copied 90000 bytes of an output of 90000/)
    }, 120_000)
})

describe('hashes longer than a step (SPEC.md §6.1)', () => {
  for (const fork of ['Shanghai', 'Prague'] as const)
    it(`${fork}: KECCAK256 absorbs ${KECCAK_CHUNK} bytes a step through the frame’s sponge, LOG writes as many into the logs tree, every step re-derived and under the bound`, async () => {
      const trace = await hashesBlock(fork)
      const run = await traceBlock(trace, { witness: () => true })
      expect(hex(run.stateRoot)).toBe(trace.expected.stateRoot.slice(2))
      const continuing: string[] = []
      const stepsOf: Record<string, number> = {}
      const oversized: string[] = []
      for (const w of run.witnesses) {
        expect(hex(await checkStep(w)), `step ${w.step} (${w.kind} ${w.opcode?.toString(16) ?? ''})`).toBe(hex(w.post))
        if (witnessBytes(w) > WITNESS_BOUND) oversized.push(w.kind)
        if (w.kind !== 'opcode' || w.opcode === undefined) continue
        const op = w.opcode.toString(16)
        if (['20', 'a0', 'a2'].includes(op)) stepsOf[op] = (stepsOf[op] ?? 0) + 1
        const frame = readFrame(w.proof[0] as Uint8Array)
        if (frame.progress > 0) continuing.push(`${op}@${frame.progress}`)
      }
      const K = KECCAK_CHUNK
      // Version 7's receipt carried the transaction's logs whole, 102,707 bytes of them here; version 8's
      // reads the logs tree's root (SPEC.md §5.4), and the receipts trie's steps hash the leaf in parts.
      expect(oversized).toEqual([])
      expect(run.witnesses.filter((x) => x.kind === 'receipts-trie')).toHaveLength(4)
      expect(stepsOf).toEqual({ '20': 7, a2: 3, a0: 2 })
      expect(continuing).toEqual([
        `37@${COPY_CHUNK}`,
        `20@${K}`,
        `20@${2 * K}`,
        `20@${3 * K}`,
        `20@${K}`,
        `a2@${K}`,
        `a2@${2 * K}`,
        `a0@${K}`,
      ])
      // A sponge state that is not the frame's, and a sponge said to have absorbed all there is: rejected.
      const w = run.witnesses.find((x) => x.opcode === 0x20 && readFrame(x.proof[0] as Uint8Array).progress > 0) as StepWitness
      const i = w.proof.findIndex((item) => item.length === 200)
      const forged = w.proof.map((item, j) => (j === i ? item.map((b, k) => (k === 0 ? b ^ 1 : b)) : item))
      await expect(checkStep({ ...w, proof: forged })).rejects.toThrow(/sponge state does not hash/)
      await expect(checkStep(atProgress(w, 4 * K))).rejects.toThrow(/sponge has absorbed 130560 bytes of 100000/)
      // A LOG's later part: its logs-tree leaves must be in the tree the frame's sponge word names, and a log said to be written whole is refused.
      const log = run.witnesses.find((x) => x.opcode === 0xa2 && readFrame(x.proof[0] as Uint8Array).progress > 0) as StepWitness
      expect(log.proof.some((item) => item.length === 200)).toBe(false)
      const leaves = log.proof.findIndex((item) => item.length > 30_000 && item.length % 32 === 0)
      const wrong = log.proof.map((item, j) => (j === leaves + 2 ? item.map((b, k) => (k === 5 ? b ^ 1 : b)) : item))
      await expect(checkStep({ ...log, proof: wrong })).rejects.toThrow(/logs leaves .* are not in the committed tree/)
      await expect(checkStep(atProgress(log, 3 * K))).rejects.toThrow(/has written 97920 bytes of a log of 70097/)
    }, 120_000)
})

/** Traces a block with every witness, holds it to its expected state root, re-derives every step and holds each to the bound. */
async function checkedRun(trace: BlockTrace): Promise<Awaited<ReturnType<typeof traceBlock>>> {
  const run = await traceBlock(trace, { witness: () => true })
  expect(hex(run.stateRoot)).toBe(trace.expected.stateRoot.slice(2))
  for (const w of run.witnesses) {
    expect(hex(await checkStep(w)), `step ${w.step} (${w.kind} ${w.opcode?.toString(16) ?? ''})`).toBe(hex(w.post))
    expect(witnessBytes(w), `step ${w.step} (${w.kind})`).toBeLessThanOrEqual(WITNESS_BOUND)
  }
  return run
}

/** A run's precompile steps, each as `address@progress` (the precompile's number, the bytes it had done before the step) with its witness. */
function precompileSteps(run: Awaited<ReturnType<typeof traceBlock>>): [string, StepWitness][] {
  return run.witnesses
    .filter((w) => w.kind === 'precompile')
    .map((w) => {
      const frame = readFrame(w.proof[0] as Uint8Array)
      return [`${Number(BigInt(`0x${hex(frame.codeAddress)}`))}@${frame.progress}`, w]
    })
}

const PRECOMPILER = createAddressFromString(`0x${'9c'.repeat(20)}`)
const MLOAD = '51'
/** A CALL of `to` with `gas`, input memory[at, at + size), output to 0x60000 + 0x20·slot; then the output's first word stored at `slot`. */
const callInto = (to: number, gas: number | string, at: number, size: number, slot: number) => [
  32,
  0x60000 + 0x20 * slot,
  size,
  at,
  0,
  to,
  gas,
  CALL,
  POP,
  0x60000 + 0x20 * slot,
  MLOAD,
  slot,
  SSTORE,
]
/**
 * Precompile inputs longer than a step (SPEC.md §5.3), over 100,000 bytes of memory (the
 * transaction's 60,000 bytes of calldata, a word at 99,968): SHA-256 of all of it (four steps), of
 * exactly one chunk (one) and of one byte more (two); RIPEMD-160 of 70,000 bytes (three); ECRECOVER
 * and BN254 add given all 100,000 (each reads its prefix), BLAKE2F given them (the wrong size: read
 * not at all; a failed call takes the gas it was given, so the failing ones get little); MODEXP with lengths (1, 1, 1) before 99,904 more bytes (3⁵ mod 7, reading the lengths
 * and three bytes), and with a base of 2,000 bytes (over EIP-7823 from Osaka: the lengths only);
 * SHA-256 and the BN254 pairing with too little gas for their size (read not at all); from Prague
 * the BLS12-381 G1 MSM likewise. Each output's first word is stored.
 */
function precompilerCode(fork: Fork): string {
  return asm(
    OP.CALLDATASIZE,
    0,
    0,
    OP.CALLDATACOPY,
    BigInt(`0x${'99'.repeat(32)}`),
    99_968,
    MSTORE,
    // MODEXP's inputs: lengths (1, 1, 1) and bytes 3, 5, 7 at 0x20000; lengths (2000, 1, 1) at 0x30000.
    ...[1, 1, 1].flatMap((v, i) => [v, 0x20000 + 32 * i, MSTORE]),
    0x030507n << 232n,
    0x20000 + 96,
    MSTORE,
    ...[2000, 1, 1].flatMap((v, i) => [v, 0x30000 + 32 * i, MSTORE]),
    ...callInto(2, GAS, 0, 100_000, 0),
    ...callInto(2, GAS, 0, MD_CHUNK, 1),
    ...callInto(2, GAS, 0, MD_CHUNK + 1, 2),
    ...callInto(3, GAS, 0, 70_000, 3),
    ...callInto(1, GAS, 0, 100_000, 4),
    ...callInto(6, 10_000, 0, 100_000, 5),
    ...callInto(9, 10_000, 0, 100_000, 6),
    ...callInto(5, GAS, 0x20000, 100_000, 7),
    ...callInto(5, 100_000, 0x30000, 100_000, 8),
    ...callInto(2, 1000, 0, 100_000, 9),
    ...callInto(8, 50_000, 0, 521 * 192, 10),
    ...(fork === 'Prague' || fork === 'Osaka' ? callInto(0x0c, 1000, 0, 625 * 160, 11) : []),
    STOP,
  )
}

describe('precompile inputs longer than a step (SPEC.md §5.3)', () => {
  for (const fork of ['Cancun', 'Osaka'] as const)
    it(`${fork}: SHA-256 and RIPEMD-160 hash ${MD_CHUNK} bytes a step, the others read only what they use, every step re-derived and under the bound`, async () => {
      const run = await checkedRun(await oneCallBlock('long-precompile-inputs', fork, [[PRECOMPILER, precompilerCode(fork)]], 60_000))
      // Each precompile step by address, the bytes hashed before it, and its witness's size in KiB (rounded up).
      const steps = precompileSteps(run).map(([at, w]) => `${at}:${Math.ceil(witnessBytes(w) / 1024)}`)
      const M = MD_CHUNK
      const stepsOf = (address: number) => steps.filter((s) => s.startsWith(`${address}@`))
      // SHA-256: 100,000 bytes in four steps, one chunk in one, one byte more in two, and the one it cannot pay for reading nothing.
      expect(stepsOf(2).map((s) => s.split(':')[0])).toEqual(['2@0', `2@${M}`, `2@${2 * M}`, `2@${3 * M}`, '2@0', '2@0', `2@${M}`, '2@0'])
      expect(stepsOf(3).map((s) => s.split(':')[0])).toEqual(['3@0', `3@${M}`, `3@${2 * M}`])
      // A step of a long hash reads its chunk and not much more; the others a few ranges of at most a few words each.
      for (const s of steps) expect(Number(s.split(':')[1]), s).toBeLessThanOrEqual(s.startsWith('2@') || s.startsWith('3@') ? 36 : 8)
      expect(steps.filter((s) => !s.startsWith('2@') && !s.startsWith('3@')).map((s) => s.split('@')[0])).toEqual(
        fork === 'Osaka' ? ['1', '6', '9', '5', '5', '8', '12'] : ['1', '6', '9', '5', '5', '8'],
      )
      // Every output came from ethereumjs (the state root stores each one's first word) and was re-derived by the checker's own hashing.
      // A hash state that is not the frame's, and a hash said to have gone past its input: rejected.
      const w = run.witnesses.find((x) => x.kind === 'precompile' && readFrame(x.proof[0] as Uint8Array).progress > 0) as StepWitness
      const forged = w.proof.map((item, j) => (j === 1 ? item.map((b, k) => (k === 0 ? b ^ 1 : b)) : item))
      await expect(checkStep({ ...w, proof: forged })).rejects.toThrow(/hash state does not hash/)
      await expect(checkStep(atProgress(w, 100_000))).rejects.toThrow(/has hashed 100000 bytes of an input of 100000/)
    }, 180_000)
})

const MSMER = createAddressFromString(`0x${'35'.repeat(20)}`)
/** The pairs the calldata carries; the code doubles each set in memory with MCOPY (the raw transaction stays under the bound). */
const [G1_PAIRS, G2_PAIRS] = [205, 57]
/** The EIP-2537 encoding of a field element: 16 zero bytes, then 48. */
const fp = (v: bigint) => Buffer.from(v.toString(16).padStart(128, '0'), 'hex')
/**
 * BLS12-381 MSMs of more pairs than a step takes (SPEC.md §5.3): 410 G1 pairs (three steps: 204,
 * 204, 2) and 114 G2 pairs (two: 113, 1), multiples of the generators with scalars of every size,
 * each set twice over; each result stored whole, a word a slot (G1's in 0–3, G2's in 4–11). Then the
 * same G1 MSM with its last point moved off the curve: the frame fails at that step, after two parts
 * have been summed.
 */
function msmCalldata(): Uint8Array {
  const rng = new Rng('long-msm')
  const scalar = () => Buffer.from(Array.from({ length: 32 }, (_, i) => (i < rng.below(32) ? 0 : rng.below(256))))
  const g1 = Array.from({ length: G1_PAIRS }, (_, i) => {
    const p = bls12_381.G1.Point.BASE.multiply(BigInt(i + 1)).toAffine()
    return Buffer.concat([fp(p.x), fp(p.y), scalar()])
  })
  const g2 = Array.from({ length: G2_PAIRS }, (_, i) => {
    const p = bls12_381.G2.Point.BASE.multiply(BigInt(i + 7)).toAffine()
    return Buffer.concat([fp(p.x.c0), fp(p.x.c1), fp(p.y.c0), fp(p.y.c1), scalar()])
  })
  return new Uint8Array(Buffer.concat([...g1, ...g2]))
}
const [G1_HALF, G2_HALF] = [G1_PAIRS * 160, G2_PAIRS * 288]
const G2_AT = 0x20000
const MSMER_CODE = asm(
  G1_HALF,
  0,
  0,
  OP.CALLDATACOPY,
  G1_HALF,
  0,
  G1_HALF,
  MCOPY,
  G2_HALF,
  G1_HALF,
  G2_AT,
  OP.CALLDATACOPY,
  G2_HALF,
  G2_AT,
  G2_AT + G2_HALF,
  MCOPY,
  // The G1 MSM's 128-byte result at 0x40000, the G2's 256 at 0x40100.
  128,
  0x40000,
  2 * G1_HALF,
  0,
  0,
  0x0c,
  GAS,
  CALL,
  POP,
  256,
  0x40100,
  2 * G2_HALF,
  G2_AT,
  0,
  0x0e,
  GAS,
  CALL,
  POP,
  ...[0, 1, 2, 3].flatMap((i) => [0x40000 + 32 * i, MLOAD, i, SSTORE]),
  ...[0, 1, 2, 3, 4, 5, 6, 7].flatMap((i) => [0x40100 + 32 * i, MLOAD, 4 + i, SSTORE]),
  // The last G1 pair's y moved by one: off the curve, in the third part; the call fails, given 3,000,000 gas (it costs 2,553,480).
  2 * G1_HALF - 64,
  MLOAD,
  1,
  '01',
  2 * G1_HALF - 64,
  MSTORE,
  128,
  0x40200,
  2 * G1_HALF,
  0,
  0,
  0x0c,
  3_000_000,
  CALL,
  12,
  SSTORE,
  STOP,
)

describe('BLS12-381 MSMs longer than a step (SPEC.md §5.3)', () => {
  for (const fork of ['Prague', 'Osaka'] as const)
    it(`${fork}: an MSM sums its pairs a part a step, the sum in the frame's sponge word; a bad point fails the frame at its part`, async () => {
      const run = await checkedRun(await oneCallBlock('long-msm', fork, [[MSMER, MSMER_CODE]], msmCalldata(), 14_000_000n))
      const steps = precompileSteps(run).map(([at]) => at)
      const [P1, P2] = [204 * 160, 113 * 288]
      expect(steps).toEqual(['12@0', `12@${P1}`, `12@${2 * P1}`, '14@0', `14@${P2}`, '12@0', `12@${P1}`, `12@${2 * P1}`])
      // The failed MSM's last step leaves the frame failed, its progress and sponge cleared.
      const failedExit = run.witnesses
        .filter((w) => w.kind === 'frame-exit' && hex(readFrame(w.proof[0] as Uint8Array).codeAddress).endsWith('0c'))
        .at(-1)
      const exitFrame = readFrame(failedExit?.proof[0] as Uint8Array)
      expect([exitFrame.status, exitFrame.progress, hex(exitFrame.sponge)]).toEqual([3, 0, '00'.repeat(32)])
      // A sum that is not the frame's: rejected.
      const w = run.witnesses.find((x) => x.kind === 'precompile' && readFrame(x.proof[0] as Uint8Array).progress > 0) as StepWitness
      const forged = w.proof.map((item, j) => (j === 1 ? item.map((b, k) => (k === 127 ? b ^ 1 : b)) : item))
      await expect(checkStep({ ...w, proof: forged })).rejects.toThrow(/MSM sum does not hash/)
    }, 300_000)
})

const WARMER = createAddressFromString(`0x${'a1'.repeat(20)}`)
const [OTHER, COLD] = [`0x${'a2'.repeat(20)}`, `0x${'a3'.repeat(20)}`] as const
const [SLOAD, BALANCE, SWAP1, SUB] = ['54', '31', '90', '03']
/** The gas of `op` on `operand` stored at `slot`: warm or cold, as the access list left it. */
const costOf = (operand: number | bigint, op: string, slot: number) => [GAS, operand, op, POP, GAS, SWAP1, SUB, slot, SSTORE]
const WARMER_CODE = asm(
  ...costOf(1000, SLOAD, 0x10001),
  ...costOf(2000, SLOAD, 0x10002),
  ...costOf(BigInt(OTHER), BALANCE, 0x10003),
  ...costOf(BigInt(COLD), BALANCE, 0x10004),
  ...costOf(7, SLOAD, 0x10005),
  STOP,
)
const slot = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as `0x${string}`
/**
 * 308 keys laid flat: the called contract with 300 slots, the same address again with a slot it
 * had (5) and a new one (1000), another address alone, and the contract once more with one slot twice.
 */
const LONG_ACCESS_LIST = [
  { address: WARMER.toString() as `0x${string}`, storageKeys: Array.from({ length: 300 }, (_, i) => slot(i)) },
  { address: WARMER.toString() as `0x${string}`, storageKeys: [slot(5), slot(1000)] },
  { address: OTHER, storageKeys: [] },
  { address: WARMER.toString() as `0x${string}`, storageKeys: [slot(7), slot(7)] },
]

describe('access lists longer than a step (SPEC.md §5.5)', () => {
  for (const fork of ['Shanghai', 'Osaka'] as const)
    it(`${fork}: tx-access-list warms ${ACCESS_KEYS_STEP} keys a step of the list laid flat, repeats read not inserted, every step re-derived and under the bound`, async () => {
      const run = await checkedRun(await oneCallBlock('long-access-list', fork, [[WARMER, WARMER_CODE]], 0, 2_000_000n, LONG_ACCESS_LIST))
      const parts = run.witnesses.filter((w) => w.kind === 'tx-access-list')
      expect(parts.map((w) => readState(w.stateData).subIndex)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
      // 32 keys of map items and insert paths (≤ 1,668 B each), besides the state, txEnv (640 B), the
      // step's window of the list (≤ 1,056 B in whole chunks, and its 24 siblings) and the items'
      // length prefixes: the transaction (≈ 10 KB here) is not carried since version 9.
      for (const w of parts) expect(witnessBytes(w)).toBeLessThan(ACCESS_KEYS_STEP * 1668 + 4_000)
      const lastPart = parts.at(-1) as StepWitness
      // The part after the last: the cursor at the list's end, txEnv and the state moved with it — rejected.
      const env = lastPart.proof[0] as Uint8Array
      const list = readTxEnv(env).accessList
      const atEnd = writeTxEnv({ ...readTxEnv(env), cursor: { ...CURSOR_START, walked: list.size } })
      const beyond = writeState({ ...readState(lastPart.stateData), txEnvHash: keccak(atEnd) })
      await expect(
        checkStep({ ...lastPart, pre: keccak(beyond), stateData: beyond, proof: [atEnd, ...lastPart.proof.slice(1)] }),
      ).rejects.toThrow(new RegExp(`no entry past byte ${list.size} of its ${list.size}`))
      // A part's state with another part's window of the list: rejected (the window's leaves are not at its cursor's place).
      const [third, fourth] = [parts[2], parts[3]] as [(typeof parts)[number], (typeof parts)[number]]
      await expect(checkStep({ ...fourth, proof: [fourth.proof[0] as Uint8Array, ...third.proof.slice(1)] })).rejects.toThrow()
    }, 120_000)
})
