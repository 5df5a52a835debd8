import { InputError } from '@stepproof/block-traces'
import { describe, expect, it } from 'vitest'
import { parseElf } from '../elf/elf.ts'
import { CheckpointedRun } from './checkpoints.ts'
import { MEMORY_PROOF_SIZE, Memory, rootFromProof } from './memory.ts'
import { decodeState, encodeState, initialState, STATE_SIZE, stateHash, VM_STATUS } from './state.ts'
import { MipsVm, type PreimageOracle } from './vm.ts'
import { proveNextStep } from './witness.ts'

/** A VM with `words` at 0x1000 as its program. */
function vmWith(words: number[], oracle?: PreimageOracle): MipsVm {
  const memory = new Memory()
  for (const [k, w] of words.entries()) memory.setWord(0x1000 + 4 * k, w)
  return new MipsVm(initialState(0x1000, 0x05000000), memory, oracle)
}
const li = (reg: number, v: number) => [(0x0f << 26) | (reg << 16) | (v >>> 16), (0x0d << 26) | (reg << 21) | (reg << 16) | (v & 0xffff)]
const SYSCALL = 0x0000000c

describe('MIPS state', () => {
  it('packs into 226 bytes and back', () => {
    const s = initialState(0x400000, 0x05000000)
    s.registers[5] = -2
    s.step = 123456789
    s.exitCode = 3
    const root = new Uint8Array(32).fill(7)
    const bytes = encodeState(s, root)
    expect(bytes.length).toBe(STATE_SIZE)
    const back = decodeState(bytes)
    expect(back.memRoot).toEqual(root)
    expect(back.state).toEqual(s)
  })

  it('puts the VM status in the top byte of the state hash', () => {
    const s = initialState(0, 0)
    expect(stateHash(encodeState(s, new Uint8Array(32)))[0]).toBe(VM_STATUS.unfinished)
    s.exited = true
    expect(stateHash(encodeState(s, new Uint8Array(32)))[0]).toBe(VM_STATUS.valid)
    s.exitCode = 1
    expect(stateHash(encodeState(s, new Uint8Array(32)))[0]).toBe(VM_STATUS.invalid)
    s.exitCode = 9
    expect(stateHash(encodeState(s, new Uint8Array(32)))[0]).toBe(VM_STATUS.panic)
  })
})

describe('MIPS VM', () => {
  it('executes the delay slot before a taken branch lands', () => {
    // beq $0, $0, +2 ; addiu $8, $0, 1 (delay) ; addiu $9, $0, 1 (skipped) ; addiu $10, $0, 1 (target)
    const vm = vmWith([0x10000002, 0x24080001, 0x24090001, 0x240a0001])
    vm.run(3)
    expect([vm.state.registers[8], vm.state.registers[9], vm.state.registers[10]]).toEqual([1, 0, 1])
  })

  it('turns an unsupported syscall into a fault naming its number and pc', () => {
    const vm = vmWith([...li(2, 4999), SYSCALL])
    vm.run()
    expect(vm.state.exited).toBe(true)
    expect(vm.state.exitCode).toBe(0xff)
    expect(vm.fault?.reason).toBe('unsupported syscall 4999 at pc 0x1008')
  })

  it('turns an invalid instruction into a fault with status "panic"', () => {
    const vm = vmWith([0x00000034]) // teq $0, $0
    vm.step()
    expect(vm.fault?.reason).toBe('invalid instruction 0x00000034')
    expect(vm.stateHash()[0]).toBe(VM_STATUS.panic)
  })

  it('reads a preimage 4 − (addr mod 4) bytes at a time, length prefix first', () => {
    const preimage = new TextEncoder().encode('hello')
    const oracle: PreimageOracle = { getPreimage: () => preimage, hint() {} }
    // read(5, 0x2001, 100): 3 bytes fit before the word ends
    const vm = vmWith([...li(2, 4003), ...li(4, 5), ...li(5, 0x2001), ...li(6, 100), SYSCALL], oracle)
    vm.run(9)
    expect(vm.state.registers[2]).toBe(3)
    expect(vm.state.preimageOffset).toBe(3)
    expect(vm.memory.getWord(0x2000) >>> 0).toBe(0x00000000) // the first 3 bytes of the 8-byte length 5
    expect(vm.lastMemAccess).toBe(0x2000)
  })

  it('builds the preimage key from writes on fd 6', () => {
    const vm = vmWith([...li(8, 0xaabbccdd), 0xac083000, ...li(2, 4004), ...li(4, 6), ...li(5, 0x3000), ...li(6, 4), SYSCALL])
    vm.run(12)
    expect(Buffer.from(vm.state.preimageKey.subarray(28)).toString('hex')).toBe('aabbccdd')
    expect(vm.state.registers[2]).toBe(4)
  })
})

describe('witnesses', () => {
  it('carry the pre-state, an instruction proof and a data proof that verify against the memory root', () => {
    // sw $8, 0x2000($0) after loading $8
    const vm = vmWith([...li(8, 0x12345678), 0xac082000])
    vm.run(2)
    const w = proveNextStep(vm)
    const { state, memRoot } = decodeState(w.stateData)
    expect(w.proof.length).toBe(2 * MEMORY_PROOF_SIZE)
    expect(rootFromProof(w.proof.subarray(0, MEMORY_PROOF_SIZE), state.pc)).toEqual(memRoot)
    expect(rootFromProof(w.proof.subarray(MEMORY_PROOF_SIZE), 0x2000)).toEqual(memRoot)
    expect(w.pre).toEqual(stateHash(w.stateData))
    expect(w.post).toEqual(vm.stateHash())
    expect(vm.memory.getWord(0x2000)).toBe(0x12345678)
  })

  it('are the same from a checkpoint as from a straight run', () => {
    const program = [...li(8, 1), 0x25080001, 0x1000fffe, 0x00000000] // loop: addiu $8, 1; b loop
    const run = new CheckpointedRun(() => vmWith(program), undefined, 64)
    run.execute(1000)
    const straight = vmWith(program)
    straight.run(700)
    expect(run.commitmentAt(700)).toEqual(straight.stateHash())
    expect(run.proveStep(700)).toEqual(proveNextStep(straight))
  })
})

describe('ELF loading', () => {
  const header = (patch: (b: Uint8Array) => void) => {
    const b = new Uint8Array(64)
    b.set([0x7f, 0x45, 0x4c, 0x46, 1, 2, 1])
    b[19] = 8
    patch(b)
    return b
  }

  it.each([
    ['truncated', new Uint8Array(10), /truncated/],
    ['not ELF', new Uint8Array(64), /not an ELF file/],
    ['64-bit', header((b) => b.set([2], 4)), /a 64-bit ELF/],
    ['little-endian', header((b) => b.set([1], 5)), /a little-endian ELF/],
    ['another machine', header((b) => b.set([62], 19)), /ELF machine 62, not MIPS/],
  ])('refuses a %s file with a clear error', (_name, bytes, message) => {
    expect(() => parseElf(bytes, 'x.elf')).toThrow(InputError)
    expect(() => parseElf(bytes, 'x.elf')).toThrow(message)
  })
})
