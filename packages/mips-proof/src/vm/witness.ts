import { signExtend } from './instructions.ts'
import { MEMORY_PROOF_SIZE } from './memory.ts'
import { stateHash } from './state.ts'
import { FD } from './syscalls.ts'
import type { MipsVm } from './vm.ts'

/** What an on-chain step needs, in Cannon's layout, and what it must produce. */
export interface StepWitness {
  step: number
  /** Status-tagged hash of the state before the step. */
  pre: Uint8Array
  /** Status-tagged hash of the state after the step. */
  post: Uint8Array
  /** The packed 226-byte pre-state. */
  stateData: Uint8Array
  /** Memory proof of the instruction word, then of the data word the step reads or writes (zero if none). */
  proof: Uint8Array
  /** The preimage key and offset a preimage read used, for loading the oracle on-chain. */
  preimage?: { key: Uint8Array; offset: number }
}

/**
 * The aligned data address the next step will read or write, or -1: loads and stores address
 * rs + imm; a read on the preimage fd and a write on the preimage-key fd address a1.
 */
export function nextMemAccess(vm: MipsVm): number {
  const s = vm.state
  if (s.exited) return -1
  const insn = vm.memory.getWord(s.pc)
  const opcode = insn >>> 26
  const regs = s.registers
  if (opcode >= 0x20) return (((regs[(insn >>> 21) & 0x1f] as number) + signExtend(insn, 16)) & ~3) >>> 0
  if (opcode === 0 && (insn & 0x3f) === 0x0c) {
    const num = regs[2] as number
    const fd = regs[4] as number
    if ((num === 4003 && fd === FD.preimageRead) || (num === 4004 && fd === FD.preimageWrite)) return ((regs[5] as number) & ~3) >>> 0
  }
  return -1
}

/** Whether the next step reads the preimage oracle. */
function readsPreimage(vm: MipsVm): boolean {
  const s = vm.state
  const insn = vm.memory.getWord(s.pc)
  return insn >>> 26 === 0 && (insn & 0x3f) === 0x0c && s.registers[2] === 4003 && s.registers[4] === FD.preimageRead
}

/** Executes one step of `vm` and returns its witness (the VM is left after the step). */
export function proveNextStep(vm: MipsVm): StepWitness {
  const stateData = vm.encodedState()
  const access = nextMemAccess(vm)
  const proof = new Uint8Array(2 * MEMORY_PROOF_SIZE)
  proof.set(vm.memory.merkleProof(vm.state.pc), 0)
  if (access !== -1) proof.set(vm.memory.merkleProof(access), MEMORY_PROOF_SIZE)
  const preimage = readsPreimage(vm) ? { key: vm.state.preimageKey.slice(), offset: vm.state.preimageOffset } : undefined
  const step = vm.state.step
  vm.step()
  if (vm.fault === undefined && vm.lastMemAccess !== access) {
    throw new Error(`witness for step ${step}: predicted memory access ${access}, the VM accessed ${vm.lastMemAccess}`)
  }
  return { step, pre: stateHash(stateData), post: vm.stateHash(), stateData, proof, ...(preimage ? { preimage } : {}) }
}
