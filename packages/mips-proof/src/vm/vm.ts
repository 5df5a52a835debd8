import { branchTaken, execute, hiLoArithmetic, signExtend, VmFault } from './instructions.ts'
import type { Memory } from './memory.ts'
import { type CpuState, encodeState, FAULT_EXIT_CODE, stateHash } from './state.ts'
import { ERRNO, FD, IMPLEMENTED, NOOP, PROGRAM_BREAK } from './syscalls.ts'

/** Where the guest's data comes from: preimages by key, and hints about what it will ask next. */
export interface PreimageOracle {
  /** The preimage for a 32-byte key; throws a clear error if it is unknown. */
  getPreimage(key: Uint8Array): Uint8Array
  /** A complete hint the guest wrote on the hint channel. */
  hint(hint: Uint8Array): void
}

/** An oracle that has nothing: any read of a preimage is an error. */
export const NO_ORACLE: PreimageOracle = {
  getPreimage(key) {
    throw new Error(`the guest asked for preimage 0x${Buffer.from(key).toString('hex')}, but no oracle is attached`)
  },
  hint() {},
}

/** What happened at the one step that faulted. */
export interface FaultInfo {
  step: number
  pc: number
  reason: string
}

/**
 * The MIPS VM: Cannon's single-threaded state and memory, one instruction per `step()`. A step
 * Cannon's contract would reject (invalid instruction, branch in a delay slot, division by zero,
 * an unknown syscall) becomes a fault: the VM exits with code 0xff and remembers why.
 */
export class MipsVm {
  readonly memory: Memory
  state: CpuState
  oracle: PreimageOracle
  /** Bytes the guest wrote to stdout and stderr, in order. */
  readonly stdout: number[] = []
  readonly stderr: number[] = []
  fault: FaultInfo | undefined
  /**
   * Bytes read(0) serves, off-chain only. Cannon has no stdin (read(0) returns 0 bytes, and so does
   * MIPS.sol), so a run that consumed any of these is not provable: see {@link stdinConsumed}.
   */
  stdin: Uint8Array | undefined
  /** How many stdin bytes the guest has read. */
  stdinConsumed = 0
  /** Called with what the guest writes to stdout (fd 1) or stderr (fd 2), at the step that writes it. */
  onOutput: ((fd: number, bytes: Uint8Array, step: number) => void) | undefined
  /** The memory word address the last step read or wrote besides the instruction, if any. */
  lastMemAccess = -1
  private preimage: Uint8Array | undefined
  private preimageFor = ''
  private hintBuffer: number[] = []

  constructor(state: CpuState, memory: Memory, oracle: PreimageOracle = NO_ORACLE) {
    this.state = state
    this.memory = memory
    this.oracle = oracle
  }

  /** Runs until the guest exits or `maxSteps` more steps have run; returns the steps taken. */
  run(maxSteps = Number.POSITIVE_INFINITY): number {
    const s = this.state
    const start = s.step
    const end = start + maxSteps
    // One try around the loop, not one per step: the hot path stays free of exception set-up.
    try {
      while (!s.exited && s.step < end) this.execute(s)
    } catch (e) {
      this.onFault(s, e)
    }
    return s.step - start
  }

  /** Executes exactly one instruction (or nothing, once exited). */
  step(): void {
    const s = this.state
    if (s.exited) return
    this.lastMemAccess = -1
    try {
      this.execute(s)
    } catch (e) {
      this.onFault(s, e)
    }
  }

  private onFault(s: CpuState, e: unknown): void {
    if (!(e instanceof VmFault)) throw e
    this.fault = { step: s.step, pc: s.pc, reason: e.message }
    s.exited = true
    s.exitCode = FAULT_EXIT_CODE
    s.step += 1
  }

  private execute(s: CpuState): void {
    const regs = s.registers
    if ((s.pc & 3) !== 0) throw new VmFault(`unaligned pc 0x${(s.pc >>> 0).toString(16)}`)
    const insn = this.memory.getWord(s.pc)
    const opcode = insn >>> 26

    if (opcode === 2 || opcode === 3) {
      // j/jal: the 256 MB region of the delay slot
      const target = ((s.nextPC & 0xf0000000) | ((insn & 0x03ffffff) << 2)) >>> 0
      this.jump(s, opcode === 3 ? 31 : 0, target)
      return
    }

    const rtReg = (insn >>> 16) & 0x1f
    let rs = regs[(insn >>> 21) & 0x1f] as number
    let rt = 0
    let rdReg = rtReg
    if (opcode === 0 || opcode === 0x1c) {
      rt = regs[rtReg] as number
      rdReg = (insn >>> 11) & 0x1f
    } else if (opcode < 0x20) {
      rt = opcode === 0x0c || opcode === 0x0d || opcode === 0x0e ? insn & 0xffff : signExtend(insn, 16)
    } else if (opcode >= 0x28 || opcode === 0x22 || opcode === 0x26) {
      rt = regs[rtReg] as number
    }

    if ((opcode >= 4 && opcode < 8) || opcode === 1) {
      if (s.nextPC !== (s.pc + 4) >>> 0) throw new VmFault('branch in delay slot')
      const taken = branchTaken(opcode, insn, rs, regs[rtReg] as number)
      const prevPC = s.pc
      s.step += 1
      s.pc = s.nextPC
      s.nextPC = taken ? (prevPC + 4 + (signExtend(insn, 16) << 2)) >>> 0 : (s.nextPC + 4) >>> 0
      return
    }

    let storeAddr = -1
    let mem = 0
    if (opcode >= 0x20) {
      rs = (rs + signExtend(insn, 16)) | 0
      const addr = (rs & ~3) >>> 0
      this.lastMemAccess = addr
      mem = this.memory.getWord(addr)
      if (opcode >= 0x28 && opcode !== 0x30) {
        storeAddr = addr
        rdReg = 0
      }
    }

    const val = execute(insn, rs, rt, mem)
    const funct = insn & 0x3f
    if (opcode === 0 && funct >= 8 && funct < 0x1c) {
      if (funct === 8 || funct === 9) {
        this.jump(s, funct === 8 ? 0 : rdReg, rs >>> 0)
        return
      }
      if (funct === 0x0a || funct === 0x0b) {
        // movz / movn
        this.writeRd(s, rdReg, rs, funct === 0x0a ? rt === 0 : rt !== 0)
        return
      }
      if (funct === 0x0c) {
        this.syscall(s)
        return
      }
      if (funct >= 0x10) {
        this.hiLo(s, funct, rs, rt, rdReg)
        return
      }
    }

    // sc always succeeds: rt becomes 1 (after the store value was taken from it)
    if (opcode === 0x38 && rtReg !== 0) regs[rtReg] = 1
    if (storeAddr !== -1) this.memory.setWord(storeAddr, val)
    this.writeRd(s, rdReg, val, true)
  }

  private jump(s: CpuState, linkReg: number, dest: number): void {
    if (s.nextPC !== (s.pc + 4) >>> 0) throw new VmFault('jump in delay slot')
    const prevPC = s.pc
    s.step += 1
    s.pc = s.nextPC
    s.nextPC = dest
    if (linkReg !== 0) s.registers[linkReg] = (prevPC + 8) | 0
  }

  private writeRd(s: CpuState, rdReg: number, value: number, condition: boolean): void {
    s.step += 1
    if (rdReg !== 0 && condition) s.registers[rdReg] = value
    s.pc = s.nextPC
    s.nextPC = (s.nextPC + 4) >>> 0
  }

  private hiLo(s: CpuState, funct: number, rs: number, rt: number, rdReg: number): void {
    let val = 0
    if (funct === 0x10) val = s.hi
    else if (funct === 0x11) s.hi = rs >>> 0
    else if (funct === 0x12) val = s.lo
    else if (funct === 0x13) s.lo = rs >>> 0
    else {
      const [hi, lo] = hiLoArithmetic(funct, rs, rt)
      s.hi = hi >>> 0
      s.lo = lo >>> 0
    }
    this.writeRd(s, rdReg, val | 0, true)
  }

  private syscall(s: CpuState): void {
    const regs = s.registers
    const num = regs[2] as number
    const a0 = (regs[4] as number) >>> 0
    const a1 = (regs[5] as number) >>> 0
    const a2 = (regs[6] as number) >>> 0
    let v0 = 0
    let v1 = 0
    if (IMPLEMENTED[num] === undefined && NOOP[num] === undefined) {
      throw new VmFault(`unsupported syscall ${num} at pc 0x${(s.pc >>> 0).toString(16)}`)
    }
    switch (num) {
      case 4090: {
        // mmap
        let size = a1
        if ((size & 4095) !== 0) size = (size + 4096 - (size & 4095)) >>> 0
        if (a0 === 0) {
          v0 = s.heap
          s.heap = (s.heap + size) >>> 0
        } else v0 = a0
        break
      }
      case 4045:
        v0 = PROGRAM_BREAK
        break
      case 4120:
        v0 = 1
        break
      case 4246:
        s.step += 1
        s.exited = true
        s.exitCode = a0 & 0xff
        return
      case 4003:
        ;[v0, v1] = this.read(s, a0, a1, a2)
        break
      case 4004:
        ;[v0, v1] = this.write(s, a0, a1, a2)
        break
      case 4055:
        if (a1 === 1) {
          // F_GETFD (Go 1.22+ checks the standard fds at start-up; Cannon added it then)
          if (a0 <= FD.preimageWrite) v0 = 0
          else [v0, v1] = [0xffffffff, ERRNO.EBADF]
        } else if (a1 === 3) {
          if (a0 === FD.stdin || a0 === FD.preimageRead || a0 === FD.hintRead) v0 = 0
          else if (a0 === FD.stdout || a0 === FD.stderr || a0 === FD.preimageWrite || a0 === FD.hintWrite) v0 = 1
          else [v0, v1] = [0xffffffff, ERRNO.EBADF]
        } else [v0, v1] = [0xffffffff, ERRNO.EINVAL]
        break
    }
    s.step += 1
    regs[2] = v0 | 0
    regs[7] = v1 | 0
    s.pc = s.nextPC
    s.nextPC = (s.nextPC + 4) >>> 0
  }

  /** The 8-byte length prefix and the preimage for the current key. */
  private preimageData(key: Uint8Array): Uint8Array {
    const id = Buffer.from(key).toString('hex')
    if (this.preimage === undefined || this.preimageFor !== id) {
      const data = this.oracle.getPreimage(key)
      const framed = new Uint8Array(8 + data.length)
      new DataView(framed.buffer).setBigUint64(0, BigInt(data.length))
      framed.set(data, 8)
      this.preimage = framed
      this.preimageFor = id
    }
    return this.preimage
  }

  private readStdin(addr: number, count: number): [number, number] {
    if (this.stdin === undefined) return [0, 0]
    const chunk = this.stdin.subarray(this.stdinConsumed, this.stdinConsumed + count)
    for (let i = 0; i < chunk.length; i++) this.memory.setByte((addr + i) >>> 0, chunk[i] as number)
    this.stdinConsumed += chunk.length
    return [chunk.length, 0]
  }

  private read(s: CpuState, fd: number, addr: number, count: number): [number, number] {
    if (fd === FD.stdin) return this.readStdin(addr, count)
    if (fd === FD.hintRead) return [count, 0]
    if (fd !== FD.preimageRead) return [0xffffffff, ERRNO.EBADF]
    const aligned = (addr & ~3) >>> 0
    this.lastMemAccess = aligned
    const data = this.preimageData(s.preimageKey)
    const offset = s.preimageOffset
    // The oracle answers 32 bytes at a time; the VM writes what fits in the addressed word.
    let n = Math.max(0, Math.min(32, data.length - offset))
    n = Math.min(n, 4 - (addr & 3), count)
    let word = this.memory.getWord(aligned)
    for (let i = 0; i < n; i++) {
      const shift = 24 - (((addr & 3) + i) << 3)
      word = (word & ~(0xff << shift)) | ((data[offset + i] as number) << shift)
    }
    this.memory.setWord(aligned, word)
    s.preimageOffset = (s.preimageOffset + n) >>> 0
    return [n, 0]
  }

  private write(s: CpuState, fd: number, addr: number, count: number): [number, number] {
    if (fd === FD.stdout || fd === FD.stderr || fd === FD.hintWrite) {
      const bytes = this.memory.getRange(addr, count)
      if (fd === FD.stdout) for (const b of bytes) this.stdout.push(b)
      else if (fd === FD.stderr) for (const b of bytes) this.stderr.push(b)
      else this.collectHint(bytes)
      if (fd !== FD.hintWrite) this.onOutput?.(fd, bytes, s.step)
      return [count, 0]
    }
    if (fd !== FD.preimageWrite) return [0xffffffff, ERRNO.EBADF]
    const aligned = (addr & ~3) >>> 0
    this.lastMemAccess = aligned
    const n = Math.min(count, 4 - (addr & 3))
    const key = new Uint8Array(32)
    key.set(s.preimageKey.subarray(n), 0)
    for (let i = 0; i < n; i++) key[32 - n + i] = this.memory.getByte((addr + i) >>> 0)
    s.preimageKey = key
    s.preimageOffset = 0
    return [n, 0]
  }

  /** Hints arrive as a 4-byte big-endian length and that many bytes, possibly over several writes. */
  private collectHint(bytes: Uint8Array): void {
    for (const b of bytes) this.hintBuffer.push(b)
    while (this.hintBuffer.length >= 4) {
      const len = new DataView(Uint8Array.from(this.hintBuffer.slice(0, 4)).buffer).getUint32(0)
      if (this.hintBuffer.length < 4 + len) break
      this.oracle.hint(Uint8Array.from(this.hintBuffer.slice(4, 4 + len)))
      this.hintBuffer = this.hintBuffer.slice(4 + len)
    }
  }

  /** The packed 226-byte state (computes the memory root). */
  encodedState(): Uint8Array {
    return encodeState(this.state, this.memory.merkleRoot())
  }

  /** The status-tagged state hash (computes the memory root). */
  stateHash(): Uint8Array {
    return stateHash(this.encodedState())
  }

  /** The guest's stdout as text. */
  stdoutText(): string {
    return Buffer.from(this.stdout).toString('utf8')
  }
}
