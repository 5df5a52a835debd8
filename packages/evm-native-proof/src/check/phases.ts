/**
 * SPEC.md §4's phases as the checker names them (the generator names them apart, in
 * src/trace/phases.ts, so that neither side's mistake can become the other's).
 */
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

/** Each phase's name, by number: the step kind it starts, or the end it is. */
export const PHASE_NAMES: readonly string[] = [
  'block-start',
  'tx-start',
  'tx-authorization',
  'tx-access-list',
  'tx-enter',
  'opcode',
  'tx-refund',
  'tx-cleanup',
  'tx-receipt',
  'withdrawal',
  'system-call',
  'block-finalize',
  'DONE',
  'INVALID',
  'block-hashes',
  'receipts-trie',
  'tx-payload',
]
