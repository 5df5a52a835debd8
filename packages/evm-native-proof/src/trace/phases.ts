/**
 * SPEC.md's numbers, named as the generator writes them: the phases of §4, the map tags of §2.1, the
 * frame kinds and statuses of §2.3, the fork ids of §1. The checker names them on its own side
 * (src/check/phases.ts), so that neither side's mistake can become the other's.
 */

/** SPEC.md §4's phases: the step kind each starts, and the two ends. */
export const PHASE = {
  BLOCK_START: 0,
  TX_START: 1,
  TX_AUTHORIZATION: 2,
  TX_ACCESS_LIST: 3,
  TX_ENTER: 4,
  EXECUTION: 5,
  TX_REFUND: 6,
  TX_CLEANUP: 7,
  TX_RECEIPT: 8,
  WITHDRAWAL: 9,
  SYSTEM_CALL: 10,
  BLOCK_FINALIZE: 11,
  DONE: 12,
  INVALID: 13,
  BLOCK_HASHES: 14,
  RECEIPTS_TRIE: 15,
  TX_PAYLOAD: 16,
} as const

/** SPEC.md §2.1's map tags: the first byte hashed into a key. */
export const TAG = {
  WARM_ADDRESS: 1,
  WARM_SLOT: 2,
  TRANSIENT: 3,
  SELFDESTRUCT: 4,
  CREATED: 5,
  TOUCHED: 6,
} as const

/** SPEC.md §2.3's frame kinds. */
export const FRAME_KIND = { CALL: 0, CALLCODE: 1, DELEGATECALL: 2, STATICCALL: 3, CREATE: 4, CREATE2: 5, SYSTEM: 6 } as const

/** SPEC.md §2.3's frame statuses. */
export const STATUS = { RUNNING: 0, RETURNED: 1, REVERTED: 2, FAILED: 3 } as const

/** SPEC.md §1's fork ids. */
export const FORK_ID: Readonly<Record<string, number>> = { Shanghai: 0, Cancun: 1, Prague: 2, Osaka: 3 }
export const CANCUN = 1
export const PRAGUE = 2
export const OSAKA = 3
