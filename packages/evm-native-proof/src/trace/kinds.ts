/** The step kinds of SPEC.md §4. */
export const STEP_KINDS = [
  'block-start',
  'block-hashes',
  'tx-start',
  'tx-payload',
  'tx-authorization',
  'tx-access-list',
  'tx-enter',
  'opcode',
  'precompile',
  'frame-exit',
  'tx-refund',
  'tx-cleanup',
  'tx-receipt',
  'receipts-trie',
  'withdrawal',
  'system-call',
  'block-finalize',
] as const
export type StepKind = (typeof STEP_KINDS)[number]

const hexAddress = (n: number) => `0x${n.toString(16).padStart(40, '0')}`

/** The precompile addresses of a fork (lower-case hex): 0x01–0x09, KZG 0x0a from Cancun, BLS 0x0b–0x11 from Prague, P-256 0x100 from Osaka. */
export function precompileAddresses(fork: string): Set<string> {
  const last = fork === 'Shanghai' ? 0x09 : fork === 'Cancun' ? 0x0a : 0x11
  const out = new Set(Array.from({ length: last }, (_, i) => hexAddress(i + 1)))
  if (fork === 'Osaka') out.add(hexAddress(0x100))
  return out
}
