import { Memory, PAGE_SIZE } from '../vm/memory.ts'
import { type CpuState, initialState } from '../vm/state.ts'
import type { Elf } from './elf.ts'

/** Where the heap starts (Cannon's 32-bit layout); mmap hands out memory from here upwards. */
export const HEAP_START = 0x05000000
/** The initial stack pointer (Cannon's). */
export const STACK_POINTER = 0x7fffd000

/** A loaded program: initial state and memory. */
export interface LoadedProgram {
  state: CpuState
  memory: Memory
}

/**
 * Loads an ELF's segments into a fresh memory and lays out the initial stack as Linux would for a
 * static binary with no arguments or environment: argc = 0, argv = {NULL}, envp = {NULL}, then an
 * auxiliary vector with the page size and 16 fixed "random" bytes (the Go runtime wants both).
 */
export function loadProgram(elf: Elf): LoadedProgram {
  const memory = new Memory()
  for (const seg of elf.segments) {
    if (seg.vaddr + seg.memSize > HEAP_START) {
      throw new Error(`segment at 0x${seg.vaddr.toString(16)} overlaps the heap at 0x${HEAP_START.toString(16)}`)
    }
    memory.allocRange(seg.vaddr, seg.memSize)
    memory.setRange(seg.vaddr, seg.data)
  }
  const state = initialState(elf.entry, HEAP_START)
  const sp = STACK_POINTER
  memory.allocRange(sp - 4 * PAGE_SIZE, 5 * PAGE_SIZE)
  const words = [
    0, // argc
    0, // argv terminator
    0, // envp terminator
    6, // AT_PAGESZ
    PAGE_SIZE,
    25, // AT_RANDOM
    sp + 4 * 9,
    0, // AT_NULL
    0,
  ]
  for (const [i, w] of words.entries()) memory.setWord(sp + 4 * i, w)
  memory.setRange(sp + 4 * 9, new TextEncoder().encode('stepproof random'))
  state.registers[29] = sp | 0
  return { state, memory }
}
