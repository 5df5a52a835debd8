/**
 * Memory and copies: MLOAD, MSTORE, MSTORE8, MSIZE, MCOPY, and the copies into memory from
 * calldata, code, another account's code and return data (CALLDATACOPY, CODECOPY, EXTCODECOPY,
 * RETURNDATACOPY), each over COPY_CHUNK bytes a step (SPEC.md §6.1). The generator's twin is
 * src/trace/opcode/memory.ts.
 */
import { be, num } from '../layout.ts'
import { readView } from '../trees.ts'
import { addressKey, Halt, type OpcodeRule, type Step, toAddress } from './step.ts'

/** CALLDATACOPY, CODECOPY, RETURNDATACOPY: this step's part of the source, into memory at dest. */
const copy: OpcodeRule = (c) => {
  const { f, op } = c
  const [dest, offset, len] = [c.a(0), c.a(1), c.a(2)]
  if (!c.continuing) {
    if (op === 0x3e && offset + len > BigInt(f.returnData.size)) throw new Halt()
    c.copyGas(len)
    c.expand(dest, len)
  }
  const { from, n } = c.part(len, false)
  const data =
    op === 0x37
      ? readView(c.r, 'calldata', f.calldata, offset + from, n)
      : op === 0x39
        ? c.codeBytes(f.codeRoot, f.codeSize, offset + from, n)
        : readView(c.r, 'return data', f.returnData, offset + from, n)
  write(c, dest + from, n, data)
}

function write(c: Step, at: bigint, n: bigint, data: Uint8Array): void {
  const m = c.memory([at, n])
  m?.write(at, data)
  m?.commit()
}

export const MEMORY: Record<number, OpcodeRule> = {
  55: copy,
  57: copy,
  62: copy,
  60: async (c) => {
    const [addr, dest, offset, len] = [toAddress(c.a(0)), c.a(1), c.a(2), c.a(3)]
    if (!c.continuing) {
      c.use(c.warm(addressKey(addr)) ? 2600n : 100n)
      c.copyGas(len)
      c.expand(dest, len)
    }
    const { account: acct } = await c.account(c.state.stateRoot, addr, 'account')
    const code = c.codeOf(acct)
    const { from, n } = c.part(len, false)
    write(c, dest + from, n, c.codeBytes(code.root, code.size, offset + from, n))
  },
  81: (c) => {
    c.expand(c.a(0), 32n)
    c.out = [num(c.memoryBytes(c.a(0), 0n, 32n))]
  },
  82: (c) => {
    c.expand(c.a(0), 32n)
    write(c, c.a(0), 32n, be(c.a(1)))
  },
  83: (c) => {
    c.expand(c.a(0), 1n)
    write(c, c.a(0), 1n, new Uint8Array([Number(c.a(1) & 0xffn)]))
  },
  89: (c) => {
    c.out = [32n * BigInt(c.f.memoryWords)]
  },
  94: (c) => {
    const [dest, src, len] = [c.a(0), c.a(1), c.a(2)]
    if (!c.continuing) {
      c.copyGas(len)
      c.expand(dest, len)
      c.expand(src, len)
    }
    // The source and the destination are two ranges, each proven against the memory root (one
    // range over both would grow with their distance, not with the copy).
    const { from, n } = c.part(len, dest > src)
    const data = c.memory([src + from, n])?.read(src + from, n)
    const m = c.memory([dest + from, n])
    if (m !== undefined && data !== undefined) {
      m.write(dest + from, data)
      m.commit()
    }
  },
}
