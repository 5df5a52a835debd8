/**
 * The checker's opcode table (Shanghai to Osaka): for each opcode a fork defines, the stack items it
 * takes and its static gas; the rest of its gas is in the rules of src/check/opcode.ts (memory,
 * EIP-2929 access, copies, calls, creates). The generator has its own table (src/trace/opcodes.ts);
 * a test holds both to ethereumjs's opcode list and to its interpreter's stack checks for every fork.
 */
import { CANCUN } from './layout.ts'

const SHANGHAI = 0
const OSAKA = 3

/** Stack items read (popped or, for DUP and SWAP, looked at) and the static gas, by opcode. */
export function opcodeShape(op: number, fork: number): { reads: number; gas: number } | undefined {
  if (op >= 0x60 && op <= 0x7f) return { reads: 0, gas: 3 }
  if (op >= 0x80 && op <= 0x8f) return { reads: op - 0x7f, gas: 3 }
  if (op >= 0x90 && op <= 0x9f) return { reads: op - 0x8e, gas: 3 }
  if (op >= 0xa0 && op <= 0xa4) return { reads: 2 + op - 0xa0, gas: 375 * (1 + op - 0xa0) }
  const cancun = fork >= CANCUN
  const table: Record<number, [number, number] | undefined> = {
    0: [0, 0],
    1: [2, 3],
    2: [2, 5],
    3: [2, 3],
    4: [2, 5],
    5: [2, 5],
    6: [2, 5],
    7: [2, 5],
    8: [3, 8],
    9: [3, 8],
    10: [2, 10],
    11: [2, 5],
    16: [2, 3],
    17: [2, 3],
    18: [2, 3],
    19: [2, 3],
    20: [2, 3],
    21: [1, 3],
    22: [2, 3],
    23: [2, 3],
    24: [2, 3],
    25: [1, 3],
    26: [2, 3],
    27: [2, 3],
    28: [2, 3],
    29: [2, 3],
    30: fork >= OSAKA ? [1, 5] : undefined,
    32: [2, 30],
    48: [0, 2],
    49: [1, 0],
    50: [0, 2],
    51: [0, 2],
    52: [0, 2],
    53: [1, 3],
    54: [0, 2],
    55: [3, 3],
    56: [0, 2],
    57: [3, 3],
    58: [0, 2],
    59: [1, 0],
    60: [4, 0],
    61: [0, 2],
    62: [3, 3],
    63: [1, 0],
    64: [1, 20],
    65: [0, 2],
    66: [0, 2],
    67: [0, 2],
    68: [0, 2],
    69: [0, 2],
    70: [0, 2],
    71: [0, 5],
    72: [0, 2],
    73: cancun ? [1, 3] : undefined,
    74: cancun ? [0, 2] : undefined,
    80: [1, 2],
    81: [1, 3],
    82: [2, 3],
    83: [2, 3],
    84: [1, 0],
    85: [2, 0],
    86: [1, 8],
    87: [2, 10],
    88: [0, 2],
    89: [0, 2],
    90: [0, 2],
    91: [0, 1],
    92: cancun ? [1, 100] : undefined,
    93: cancun ? [2, 100] : undefined,
    94: cancun ? [3, 3] : undefined,
    95: fork >= SHANGHAI ? [0, 2] : undefined,
    240: [3, 0],
    255: [1, 5000],
    245: [4, 0],
    241: [7, 0],
    242: [7, 0],
    243: [2, 0],
    244: [6, 0],
    250: [6, 0],
    253: [2, 0],
  }
  const t = table[op]
  return t === undefined ? undefined : { reads: t[0], gas: t[1] }
}
