import { keccak_256 } from '@noble/hashes/sha3.js'
import { type Anvil, startAnvil } from '@stepproof/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deployMips, type MipsDeployment, stepOnChain } from '../src/onchain.ts'
import { Memory } from '../src/vm/memory.ts'
import { initialState } from '../src/vm/state.ts'
import { IMPLEMENTED, NOOP } from '../src/vm/syscalls.ts'
import { MipsVm, type PreimageOracle } from '../src/vm/vm.ts'
import { proveNextStep } from '../src/vm/witness.ts'

/** xorshift32: a seeded, reproducible stream (the seed is in the test name). */
function rng(seed: number) {
  let x = seed >>> 0 || 1
  return () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return x >>> 0
  }
}

const EDGE = [0, 1, 2, 3, 4, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffc, 0x8000, 0xffff, 0x10000]
const PREIMAGE = new TextEncoder().encode('a preimage for the fuzzer, longer than thirty-two bytes')
const KEY = (() => {
  const k = keccak_256(PREIMAGE)
  k[0] = 2
  return k
})()
const ORACLE: PreimageOracle = {
  getPreimage: (k) => {
    if (Buffer.compare(Buffer.from(k), Buffer.from(KEY)) !== 0) throw new Error('unknown key')
    return PREIMAGE
  },
  hint() {},
}

/** A random one-instruction machine: a random word at pc, random registers, sometimes a delay slot. */
function randomCase(next: () => number): MipsVm {
  const pick = <T>(xs: readonly T[]) => xs[next() % xs.length] as T
  const value = () => (next() % 3 === 0 ? pick(EDGE) : next())
  const opcodes = [
    0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xa, 0xb, 0xc, 0xd, 0xe, 0xf, 0x1c, 0x1c, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x28, 0x29,
    0x2a, 0x2b, 0x2e, 0x30, 0x38, 0x1f, 0x27, 0x3f,
  ]
  const opcode = pick(opcodes)
  let insn = ((opcode << 26) | (next() & 0x03ffffff)) >>> 0
  const s = initialState(0x00400000 + 4 * (next() % 1024), 0x05000000)
  for (let r = 1; r < 32; r++) s.registers[r] = value() | 0
  if (opcode === 0 && next() % 4 === 0) {
    // a syscall: a number from the tables or not, with its arguments
    insn = 0x0000000c
    const nums = [...Object.keys(IMPLEMENTED), ...Object.keys(NOOP)].map(Number)
    s.registers[2] = (next() % 10 === 0 ? 4000 + (next() % 600) : pick(nums)) | 0
    s.registers[4] = next() % 8
    s.registers[5] = (0x00600000 + (next() % 4096)) | 0
    s.registers[6] = next() % 40
    if (s.registers[2] === 4003 && s.registers[4] === 5) {
      s.preimageKey = KEY.slice()
      s.preimageOffset = next() % (PREIMAGE.length + 8)
    }
  } else if (opcode === 0x1c) {
    insn = ((insn & ~0x3f) | pick([0x02, 0x20, 0x21, 0x00, 0x04])) >>> 0
  }
  if (next() % 8 === 0)
    s.nextPC = (s.pc + 8 + 4 * (next() % 16)) >>> 0 // in a delay slot
  else s.nextPC = (s.pc + 4) >>> 0
  const memory = new Memory()
  memory.setWord(s.pc, insn)
  for (let i = 0; i < 4; i++) memory.setWord((value() & ~3) >>> 0, value())
  return new MipsVm(s, memory, ORACLE)
}

describe('MIPS.sol against the TypeScript VM on random single steps (Anvil)', () => {
  let anvil: Anvil
  let deployment: MipsDeployment
  beforeAll(async () => {
    anvil = await startAnvil()
    deployment = await deployMips(anvil)
  })
  afterAll(async () => {
    await anvil?.stop()
  })

  it('agrees on 300 random steps (seed 0x5eed)', async () => {
    const next = rng(0x5eed)
    let faults = 0
    for (let i = 0; i < 300; i++) {
      const vm = randomCase(next)
      const w = proveNextStep(vm)
      if (vm.fault) faults++
      const r = await stepOnChain(deployment, w, w.preimage ? PREIMAGE : undefined)
      expect({ case: i, post: r.onchainPost }).toEqual({ case: i, post: `0x${Buffer.from(w.post).toString('hex')}` })
    }
    // The generator reaches both ordinary steps and faults.
    expect(faults).toBeGreaterThan(10)
    expect(faults).toBeLessThan(250)
  })
})
