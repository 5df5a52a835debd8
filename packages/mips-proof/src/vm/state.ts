import { keccak_256 } from '@noble/hashes/sha3.js'

/** The CPU and kernel-visible scalars of Cannon's single-threaded 32-bit MIPS state. */
export interface CpuState {
  pc: number
  nextPC: number
  lo: number
  hi: number
  heap: number
  exitCode: number
  exited: boolean
  step: number
  preimageKey: Uint8Array
  preimageOffset: number
  /** r0..r31 as signed 32-bit integers (r0 always 0). */
  registers: Int32Array
}

/** Bytes of the packed state (Cannon: 32 + 32 + 6·4 + 1 + 1 + 8 + 32·4). */
export const STATE_SIZE = 226

/** VM status, kept in the top byte of the state hash (Cannon's convention). */
export const VM_STATUS = { valid: 0, invalid: 1, panic: 2, unfinished: 3 } as const

/** Exit code a VM fault leaves behind (status "panic"); see the README's fault model. */
export const FAULT_EXIT_CODE = 0xff

/** A fresh state: all zero but the entry point and heap start. */
export function initialState(entry: number, heapStart: number): CpuState {
  return {
    pc: entry >>> 0,
    nextPC: (entry + 4) >>> 0,
    lo: 0,
    hi: 0,
    heap: heapStart >>> 0,
    exitCode: 0,
    exited: false,
    step: 0,
    preimageKey: new Uint8Array(32),
    preimageOffset: 0,
    registers: new Int32Array(32),
  }
}

/** Copies a state (the key and registers are new arrays). */
export function cloneState(s: CpuState): CpuState {
  return { ...s, preimageKey: s.preimageKey.slice(), registers: s.registers.slice() }
}

/** Packs a state the way Cannon's MIPS.sol reads it from calldata (big-endian, no padding). */
export function encodeState(s: CpuState, memRoot: Uint8Array): Uint8Array {
  const out = new Uint8Array(STATE_SIZE)
  const view = new DataView(out.buffer)
  out.set(memRoot, 0)
  out.set(s.preimageKey, 32)
  view.setUint32(64, s.preimageOffset >>> 0)
  view.setUint32(68, s.pc >>> 0)
  view.setUint32(72, s.nextPC >>> 0)
  view.setUint32(76, s.lo >>> 0)
  view.setUint32(80, s.hi >>> 0)
  view.setUint32(84, s.heap >>> 0)
  out[88] = s.exitCode & 0xff
  out[89] = s.exited ? 1 : 0
  view.setBigUint64(90, BigInt(s.step))
  for (let i = 0; i < 32; i++) view.setUint32(98 + 4 * i, (s.registers[i] as number) >>> 0)
  return out
}

/** Unpacks a 226-byte state; the memory root comes back separately. */
export function decodeState(data: Uint8Array): { state: CpuState; memRoot: Uint8Array } {
  if (data.length !== STATE_SIZE) throw new Error(`a MIPS state is ${STATE_SIZE} bytes, got ${data.length}`)
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  const registers = new Int32Array(32)
  for (let i = 0; i < 32; i++) registers[i] = view.getInt32(98 + 4 * i)
  return {
    memRoot: data.slice(0, 32),
    state: {
      preimageKey: data.slice(32, 64),
      preimageOffset: view.getUint32(64),
      pc: view.getUint32(68),
      nextPC: view.getUint32(72),
      lo: view.getUint32(76),
      hi: view.getUint32(80),
      heap: view.getUint32(84),
      exitCode: data[88] as number,
      exited: data[89] !== 0,
      step: Number(view.getBigUint64(90)),
      registers,
    },
  }
}

/** The VM status a packed state stands for. */
export function vmStatus(exited: boolean, exitCode: number): number {
  if (!exited) return VM_STATUS.unfinished
  if (exitCode === 0) return VM_STATUS.valid
  if (exitCode === 1) return VM_STATUS.invalid
  return VM_STATUS.panic
}

/** Cannon's state hash: keccak256 of the packed state with the VM status in its top byte. */
export function stateHash(encoded: Uint8Array): Uint8Array {
  const hash = keccak_256(encoded)
  hash[0] = vmStatus(encoded[89] !== 0, encoded[88] as number)
  return hash
}
