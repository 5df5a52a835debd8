import type { Address } from '@ethereumjs/util'
import { artifact } from '@stepproof/contracts'
import { type Abi, encodeDeployData } from 'viem'
import { FORKS, type Fork } from '../forks.ts'
import type { Hex } from '../hex.ts'
import type { Rng, Wallet } from './accounts.ts'
import { PRECOMPILES, precompileInput } from './precompiles.ts'
import { calldata, PREFILLED_SLOTS, type World } from './world.ts'

/** The transaction envelope a kind asks for; `call` lets the generator rotate legacy, 2930 and 1559. */
export type Envelope = 'call' | 'blob' | 'set-code'

/** One transaction a kind wants in the block, before nonce, fees and signature. */
export interface TxSpec {
  from: Wallet
  to?: Address
  data: Hex
  value?: bigint
  gasLimit: bigint
  envelope: Envelope
  /** For set-code transactions: the account that delegates, and the code it delegates to. */
  authority?: Wallet
  delegateTo?: Address
  /**
   * For set-code transactions with more than one authorisation (in place of authority and
   * delegateTo): each one's authority and target, and its chain id and nonce where they should not
   * be the chain's and the authority's next (an authorisation that is then skipped).
   */
  authorizations?: { authority: Wallet; delegateTo: Address; chainId?: bigint; nonce?: bigint }[]
  /** An EIP-2930 access list: the transaction is then an EIP-1559 one carrying it (or a set-code one; its intrinsic gas is in gasLimit). */
  accessList?: { address: Hex; storageKeys: Hex[] }[]
  /** Whether the transaction should succeed; the generator checks its receipt. */
  expect: 'success' | 'failure'
}

/** What a kind may draw on: the world, a per-block RNG, and the position in the block. */
export interface KindContext {
  world: World
  rng: Rng
  index: number
  sender: Wallet
  other: Wallet
}

/** A kind of transaction the scenario corpora are made of. */
export interface Kind {
  /** The first fork that has what the kind needs. */
  since: Fork
  build(ctx: KindContext): TxSpec
}

const ETH = 10n ** 18n
const c = (ctx: KindContext, role: keyof World['contracts']) => ctx.world.contracts[role]

const precompileKinds: Record<string, Kind> = Object.fromEntries(
  PRECOMPILES.map((p) => [
    `precompile:${p.name}`,
    {
      since: p.since,
      build: (ctx: KindContext): TxSpec => ({
        from: ctx.sender,
        to: c(ctx, 'probe'),
        data: calldata('probe', 'probeOk', [p.address, precompileInput(p)]),
        gasLimit: 3_000_000n,
        envelope: 'call',
        expect: 'success',
      }),
    },
  ]),
)

/** Every transaction kind, by name. */
export const KINDS: Record<string, Kind> = {
  'eth-transfer': {
    since: 'Shanghai',
    build: (ctx) => ({
      from: ctx.sender,
      to: ctx.other.address,
      data: '0x',
      value: ETH / 100n + BigInt(ctx.rng.below(1_000_000)),
      gasLimit: 21_000n,
      envelope: 'call',
      expect: 'success',
    }),
  },
  'erc20-transfer': {
    since: 'Shanghai',
    build: (ctx) => ({
      from: ctx.sender,
      to: c(ctx, 'tokenA'),
      data: calldata('tokenA', 'transfer', [ctx.other.address.toString(), ETH + BigInt(ctx.rng.below(1000))]),
      gasLimit: 100_000n,
      envelope: 'call',
      expect: 'success',
    }),
  },
  'amm-swap': {
    since: 'Shanghai',
    build: (ctx) => ({
      from: ctx.sender,
      to: c(ctx, 'pair'),
      data: calldata('pair', 'swap', [ETH * BigInt(1 + ctx.rng.below(100)), ctx.index % 2 === 0, 1n, ctx.sender.address.toString()]),
      gasLimit: 200_000n,
      envelope: 'call',
      expect: 'success',
    }),
  },
  create: {
    since: 'Shanghai',
    build: (ctx) => ({
      from: ctx.sender,
      to: c(ctx, 'factory'),
      data: calldata('factory', 'create', [ctx.rng.next()]),
      gasLimit: 300_000n,
      envelope: 'call',
      expect: 'success',
    }),
  },
  create2: {
    since: 'Shanghai',
    build: (ctx) => ({
      from: ctx.sender,
      to: c(ctx, 'factory'),
      data: calldata('factory', 'create2', [ctx.rng.next(), `0x${ctx.rng.next().toString(16).padStart(64, '0')}`]),
      gasLimit: 300_000n,
      envelope: 'call',
      expect: 'success',
    }),
  },
  'deploy-tx': {
    since: 'Shanghai',
    build: (ctx) => {
      const child = artifact('Factory.sol', 'Child')
      return {
        from: ctx.sender,
        data: encodeDeployData({ abi: child.abi as Abi, bytecode: child.bytecode, args: [ctx.rng.next()] }),
        gasLimit: 300_000n,
        envelope: 'call',
        expect: 'success',
      }
    },
  },
  'storage-fill': {
    since: 'Shanghai',
    build: (ctx) => ({
      from: ctx.sender,
      to: c(ctx, 'store'),
      data: calldata('store', 'fill', [BigInt(1000 + ctx.index * 8), 8n, ctx.rng.next()]),
      gasLimit: 250_000n,
      envelope: 'call',
      expect: 'success',
    }),
  },
  'storage-clear': {
    since: 'Shanghai',
    build: (ctx) => ({
      from: ctx.sender,
      to: c(ctx, 'store'),
      data: calldata('store', 'clear', [BigInt((ctx.index * 4) % PREFILLED_SLOTS), 4n]),
      gasLimit: 100_000n,
      envelope: 'call',
      expect: 'success',
    }),
  },
  'storage-reset': {
    since: 'Shanghai',
    build: (ctx) => ({
      from: ctx.sender,
      to: c(ctx, 'store'),
      data: calldata('store', 'setAndRestore', [BigInt(ctx.index % PREFILLED_SLOTS), ctx.rng.next()]),
      gasLimit: 100_000n,
      envelope: 'call',
      expect: 'success',
    }),
  },
  'keccak-loop': {
    since: 'Cancun',
    build: (ctx) => ({
      from: ctx.sender,
      to: c(ctx, 'hasher'),
      data: calldata('hasher', 'churn', [BigInt(8 + ctx.rng.below(24)), BigInt(10 + ctx.rng.below(20))]),
      gasLimit: 1_000_000n,
      envelope: 'call',
      expect: 'success',
    }),
  },
  mcopy: {
    since: 'Cancun',
    build: (ctx) => ({
      from: ctx.sender,
      to: c(ctx, 'hasher'),
      data: calldata('hasher', 'mcopy', [BigInt(4 + ctx.rng.below(12)), BigInt(1 + ctx.rng.below(64))]),
      gasLimit: 200_000n,
      envelope: 'call',
      expect: 'success',
    }),
  },
  'nested-call': {
    since: 'Shanghai',
    build: (ctx) => ({
      from: ctx.sender,
      to: c(ctx, 'nest'),
      data: calldata('nest', 'dive', [5n, BigInt(1 + ctx.rng.below(4))]),
      gasLimit: 600_000n,
      envelope: 'call',
      expect: 'success',
    }),
  },
  delegatecall: {
    since: 'Shanghai',
    build: (ctx) => ({
      from: ctx.sender,
      to: c(ctx, 'nest'),
      data: calldata('nest', 'delegate', [c(ctx, 'nestImpl').toString(), 3n, 1n]),
      gasLimit: 600_000n,
      envelope: 'call',
      expect: 'success',
    }),
  },
  staticcall: {
    since: 'Shanghai',
    build: (ctx) => ({
      from: ctx.sender,
      to: c(ctx, 'nest'),
      data: calldata('nest', 'peek', [c(ctx, 'nestImpl').toString()]),
      gasLimit: 300_000n,
      envelope: 'call',
      expect: 'success',
    }),
  },
  'selfdestruct-new': {
    since: 'Cancun',
    build: (ctx) => ({
      from: ctx.sender,
      to: c(ctx, 'ephemeral'),
      data: calldata('ephemeral', 'createAndDestroy', [ctx.other.address.toString()]),
      value: ETH / 10n,
      gasLimit: 300_000n,
      envelope: 'call',
      expect: 'success',
    }),
  },
  'selfdestruct-old': {
    since: 'Cancun',
    build: (ctx) => ({
      from: ctx.sender,
      to: c(ctx, 'ephemeral'),
      data: calldata('ephemeral', 'destroyOld', [ctx.other.address.toString()]),
      gasLimit: 100_000n,
      envelope: 'call',
      expect: 'success',
    }),
  },
  transient: {
    since: 'Cancun',
    build: (ctx) => ({
      from: ctx.sender,
      to: c(ctx, 'transient'),
      data: calldata('transient', 'run', [BigInt(1 + ctx.rng.below(1000))]),
      gasLimit: 200_000n,
      envelope: 'call',
      expect: 'success',
    }),
  },
  blob: {
    since: 'Cancun',
    build: (ctx) => ({
      from: ctx.sender,
      to: c(ctx, 'store'),
      data: calldata('store', 'fill', [BigInt(5000 + ctx.index * 2), 2n, ctx.rng.next()]),
      gasLimit: 150_000n,
      envelope: 'blob',
      expect: 'success',
    }),
  },
  'set-code': {
    since: 'Prague',
    build: (ctx) => ({
      from: ctx.sender,
      // The authority delegates to Store's code, and the same transaction then writes storage in the authority's account.
      to: ctx.other.address,
      authority: ctx.other,
      delegateTo: c(ctx, 'store'),
      data: calldata('store', 'fill', [0n, 3n, ctx.rng.next()]),
      gasLimit: 200_000n,
      envelope: 'set-code',
      expect: 'success',
    }),
  },
  'out-of-gas': {
    since: 'Shanghai',
    build: (ctx) => ({
      from: ctx.sender,
      to: c(ctx, 'probe'),
      data: calldata('probe', 'burn'),
      gasLimit: 120_000n,
      envelope: 'call',
      expect: 'failure',
    }),
  },
  'invalid-opcode': {
    since: 'Shanghai',
    build: (ctx) => ({
      from: ctx.sender,
      to: c(ctx, 'probe'),
      data: calldata('probe', 'invalid'),
      gasLimit: 60_000n,
      envelope: 'call',
      expect: 'failure',
    }),
  },
  revert: {
    since: 'Shanghai',
    build: (ctx) => ({
      from: ctx.sender,
      to: c(ctx, 'tokenA'),
      data: calldata('tokenA', 'transfer', [ctx.other.address.toString(), 10n ** 30n]),
      gasLimit: 100_000n,
      envelope: 'call',
      expect: 'failure',
    }),
  },
  ...precompileKinds,
}

/** The names of the precompile kinds a fork has. */
export function precompileKindNames(fork: Fork): string[] {
  return PRECOMPILES.filter((p) => FORKS.indexOf(p.since) <= FORKS.indexOf(fork)).map((p) => `precompile:${p.name}`)
}
