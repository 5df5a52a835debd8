/**
 * The generator's opcode table (Shanghai to Osaka): name, stack items taken and left, the first fork
 * (SPEC.md's id), and what the tracer treats apart: the opcodes that enter a frame, the copies that
 * are split into steps (SPEC.md §6), the ones after which the world-state root may have moved. The
 * checker has its own table (src/check/opcodes.ts, with the static gas); a test holds both to
 * ethereumjs's opcode list and to the interpreter's stack behaviour for every fork.
 */
import { CANCUN } from './phases.ts'

export interface OpcodeInfo {
  name: string
  /** Stack items the opcode takes. */
  in: number
  /** Stack items it leaves. */
  out: number
  /** The first fork (SPEC.md id) that has it. */
  since: number
  /** It enters a child frame (CALL and CREATE families). */
  enters?: true
  /** A copy split into steps: the stack positions (from the top) of its destination and length. */
  copy?: { dest: number; len: number }
  /** The world-state root may have changed after it (value moves, storage, accounts). */
  writesState?: true
}

const OSAKA = 3

const table = new Map<number, OpcodeInfo>()
const def = (op: number, name: string, inputs: number, outputs: number, extra: Partial<OpcodeInfo> = {}) =>
  table.set(op, { name, in: inputs, out: outputs, since: 0, ...extra })

// 0x00–0x0b: stop and arithmetic
def(0x00, 'STOP', 0, 0)
for (const [op, name] of [
  [0x01, 'ADD'],
  [0x02, 'MUL'],
  [0x03, 'SUB'],
  [0x04, 'DIV'],
  [0x05, 'SDIV'],
  [0x06, 'MOD'],
  [0x07, 'SMOD'],
  [0x0a, 'EXP'],
  [0x0b, 'SIGNEXTEND'],
] as const)
  def(op, name, 2, 1)
def(0x08, 'ADDMOD', 3, 1)
def(0x09, 'MULMOD', 3, 1)
// 0x10–0x1e: comparison and bitwise
for (const [op, name] of [
  [0x10, 'LT'],
  [0x11, 'GT'],
  [0x12, 'SLT'],
  [0x13, 'SGT'],
  [0x14, 'EQ'],
  [0x16, 'AND'],
  [0x17, 'OR'],
  [0x18, 'XOR'],
  [0x1a, 'BYTE'],
  [0x1b, 'SHL'],
  [0x1c, 'SHR'],
  [0x1d, 'SAR'],
] as const)
  def(op, name, 2, 1)
def(0x15, 'ISZERO', 1, 1)
def(0x19, 'NOT', 1, 1)
def(0x1e, 'CLZ', 1, 1, { since: OSAKA })
def(0x20, 'KECCAK256', 2, 1)
// 0x30–0x4a: environment and block
for (const [op, name] of [
  [0x30, 'ADDRESS'],
  [0x32, 'ORIGIN'],
  [0x33, 'CALLER'],
  [0x34, 'CALLVALUE'],
  [0x36, 'CALLDATASIZE'],
  [0x38, 'CODESIZE'],
  [0x3a, 'GASPRICE'],
  [0x3d, 'RETURNDATASIZE'],
  [0x41, 'COINBASE'],
  [0x42, 'TIMESTAMP'],
  [0x43, 'NUMBER'],
  [0x44, 'PREVRANDAO'],
  [0x45, 'GASLIMIT'],
  [0x46, 'CHAINID'],
  [0x47, 'SELFBALANCE'],
  [0x48, 'BASEFEE'],
] as const)
  def(op, name, 0, 1)
for (const [op, name] of [
  [0x31, 'BALANCE'],
  [0x35, 'CALLDATALOAD'],
  [0x3b, 'EXTCODESIZE'],
  [0x3f, 'EXTCODEHASH'],
  [0x40, 'BLOCKHASH'],
] as const)
  def(op, name, 1, 1)
def(0x37, 'CALLDATACOPY', 3, 0, { copy: { dest: 0, len: 2 } })
def(0x39, 'CODECOPY', 3, 0, { copy: { dest: 0, len: 2 } })
def(0x3c, 'EXTCODECOPY', 4, 0, { copy: { dest: 1, len: 3 } })
def(0x3e, 'RETURNDATACOPY', 3, 0, { copy: { dest: 0, len: 2 } })
def(0x49, 'BLOBHASH', 1, 1, { since: CANCUN })
def(0x4a, 'BLOBBASEFEE', 0, 1, { since: CANCUN })
// 0x50–0x5f: stack, memory, storage, flow
def(0x50, 'POP', 1, 0)
def(0x51, 'MLOAD', 1, 1)
def(0x52, 'MSTORE', 2, 0)
def(0x53, 'MSTORE8', 2, 0)
def(0x54, 'SLOAD', 1, 1)
def(0x55, 'SSTORE', 2, 0, { writesState: true })
def(0x56, 'JUMP', 1, 0)
def(0x57, 'JUMPI', 2, 0)
def(0x58, 'PC', 0, 1)
def(0x59, 'MSIZE', 0, 1)
def(0x5a, 'GAS', 0, 1)
def(0x5b, 'JUMPDEST', 0, 0)
def(0x5c, 'TLOAD', 1, 1, { since: CANCUN })
def(0x5d, 'TSTORE', 2, 0, { since: CANCUN })
def(0x5e, 'MCOPY', 3, 0, { since: CANCUN, copy: { dest: 0, len: 2 } })
def(0x5f, 'PUSH0', 0, 1)
for (let n = 1; n <= 32; n++) def(0x5f + n, `PUSH${n}`, 0, 1)
for (let n = 1; n <= 16; n++) def(0x7f + n, `DUP${n}`, n, n + 1)
for (let n = 1; n <= 16; n++) def(0x8f + n, `SWAP${n}`, n + 1, n + 1)
for (let n = 0; n <= 4; n++) def(0xa0 + n, `LOG${n}`, 2 + n, 0)
// 0xf0–0xff: frames
def(0xf0, 'CREATE', 3, 1, { enters: true, writesState: true })
def(0xf1, 'CALL', 7, 1, { enters: true, writesState: true })
def(0xf2, 'CALLCODE', 7, 1, { enters: true, writesState: true })
def(0xf3, 'RETURN', 2, 0)
def(0xf4, 'DELEGATECALL', 6, 1, { enters: true })
def(0xf5, 'CREATE2', 4, 1, { enters: true, writesState: true })
def(0xfa, 'STATICCALL', 6, 1, { enters: true })
def(0xfd, 'REVERT', 2, 0)
def(0xfe, 'INVALID', 0, 0)
def(0xff, 'SELFDESTRUCT', 1, 0, { writesState: true })

/** Every opcode of the table, by its byte. */
export const OPCODES: ReadonlyMap<number, OpcodeInfo> = table

/** An opcode's entry, or undefined for a byte no fork defines. */
export function opcodeInfo(op: number): OpcodeInfo | undefined {
  return table.get(op)
}

/** The opcodes the tracer names in its own code. */
export const OP = {
  STOP: 0x00,
  KECCAK256: 0x20,
  MCOPY: 0x5e,
  TSTORE: 0x5d,
  LOG0: 0xa0,
  LOG4: 0xa4,
  CREATE: 0xf0,
  CREATE2: 0xf5,
  RETURN: 0xf3,
  REVERT: 0xfd,
  INVALID: 0xfe,
  SELFDESTRUCT: 0xff,
} as const

/** Opcodes that end a frame: a frame whose last opcode is none of these ran past its code (an implicit STOP). */
export const HALTING: ReadonlySet<number> = new Set([OP.STOP, OP.RETURN, OP.REVERT, OP.INVALID, OP.SELFDESTRUCT])
