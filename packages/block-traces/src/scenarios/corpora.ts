import type { Fork } from '../forks.ts'
import type { BlockSpec } from './generate.ts'
import { precompileKindNames } from './kinds.ts'

/** The `standard` corpus: about a dozen blocks, each centred on one part of the state transition. */
export function standardSpecs(): BlockSpec[] {
  return [
    { name: 'eth-transfers', fork: 'Shanghai', kinds: Array(6).fill('eth-transfer'), withdrawals: 4 },
    {
      name: 'tokens-and-swaps',
      fork: 'Cancun',
      kinds: ['erc20-transfer', 'amm-swap', 'erc20-transfer', 'amm-swap', 'erc20-transfer', 'amm-swap'],
    },
    { name: 'deployments', fork: 'Cancun', kinds: ['create', 'create2', 'deploy-tx', 'create', 'create2', 'deploy-tx'] },
    {
      name: 'storage-refunds',
      fork: 'Cancun',
      kinds: ['storage-fill', 'storage-clear', 'storage-reset', 'storage-fill', 'storage-clear', 'storage-reset'],
    },
    { name: 'memory-keccak-logs', fork: 'Cancun', kinds: ['keccak-loop', 'mcopy', 'keccak-loop', 'mcopy', 'erc20-transfer'] },
    {
      name: 'nested-calls',
      fork: 'Cancun',
      kinds: ['nested-call', 'delegatecall', 'staticcall', 'nested-call', 'delegatecall', 'staticcall'],
    },
    {
      name: 'selfdestruct-transient',
      fork: 'Cancun',
      kinds: ['selfdestruct-new', 'selfdestruct-old', 'transient', 'selfdestruct-new', 'transient'],
    },
    { name: 'precompiles-cancun', fork: 'Cancun', kinds: precompileKindNames('Cancun') },
    { name: 'precompiles-prague', fork: 'Prague', kinds: precompileKindNames('Prague') },
    { name: 'blobs-and-set-code', fork: 'Prague', kinds: ['blob', 'set-code', 'blob', 'set-code', 'eth-transfer'] },
    { name: 'failures', fork: 'Shanghai', kinds: ['out-of-gas', 'invalid-opcode', 'revert', 'eth-transfer', 'out-of-gas'], withdrawals: 2 },
    { name: 'mixed-prague', fork: 'Prague', kinds: MIX, withdrawals: 3 },
    { name: 'mixed-osaka', fork: 'Osaka', kinds: [...MIX, 'precompile:p256verify', 'precompile:modexp'], withdrawals: 2 },
  ]
}

/** The mix the `scaling` corpus repeats: the common kinds of a busy block. */
const MIX = [
  'erc20-transfer',
  'eth-transfer',
  'amm-swap',
  'storage-fill',
  'keccak-loop',
  'nested-call',
  'create2',
  'transient',
  'storage-clear',
  'precompile:ecrecover',
  'selfdestruct-new',
  'delegatecall',
  'blob',
  'set-code',
  'precompile:sha256',
  'revert',
]

/** The block sizes of the `scaling` corpus. */
export const SCALING_SIZES = [1, 2, 4, 8, 16, 32, 64] as const

/** The `scaling` corpus: the same mix at 1, 2, 4, … 64 transactions per block. */
export function scalingSpecs(fork: Fork = 'Prague'): BlockSpec[] {
  return SCALING_SIZES.map((n) => ({
    name: `mix-${String(n).padStart(2, '0')}-txs`,
    fork,
    kinds: Array.from({ length: n }, (_, i) => MIX[i % MIX.length] as string),
    withdrawals: 1,
  }))
}
