import { type Block, createBlock } from '@ethereumjs/block'
import {
  createAccessList2930Tx,
  createBlob4844Tx,
  createEOACode7702Tx,
  createFeeMarket1559Tx,
  createLegacyTx,
  type TypedTransaction,
} from '@ethereumjs/tx'
import { eoaCode7702SignAuthorization, KECCAK256_RLP } from '@ethereumjs/util'
import { buildBlock, createVM } from '@ethereumjs/vm'
import { loadPreState } from '../chain.ts'
import { FORKS, type Fork } from '../forks.ts'
import { expectedFromHeader, headerToTrace, withdrawalsToTrace } from '../header.ts'
import { type Hex, quantity, toHex } from '../hex.ts'
import { type BlockTrace, type BlockTraceInput, parseBlockTrace, TRACE_FORMAT } from '../trace.ts'
import { TraceChain } from '../trace-chain.ts'
import { Rng, type Wallet, wallet } from './accounts.ts'
import { KINDS, type TxSpec } from './kinds.ts'
import { buildWorld, SCENARIO_CHAIN_ID, USERS, type World } from './world.ts'

/** One block of a corpus: its fork, its transactions by kind, and how many withdrawals it carries. */
export interface BlockSpec {
  name: string
  fork: Fork
  kinds: string[]
  withdrawals?: number
}

const GWEI = 10n ** 9n
/** A mainnet-like height, so nothing in the corpus leans on being near genesis. */
const PARENT_NUMBER = 21_000_000n
const PARENT_TIMESTAMP = 1_750_000_000n
const GAS_LIMIT = 60_000_000n
const COINBASE = '0xc0ffee0000000000000000000000000000000001'
const EMPTY_REQUESTS_HASH = '0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'

const word = (rng: Rng): Hex => `0x${rng.next().toString(16).padStart(64, '0')}`

/** Headers a generated trace carries before its parent: all that BLOCKHASH reaches (the native proof binds them). */
const ANCESTORS = 256

/**
 * The parent block a generated block builds on (its state the world's, the fork's fields) and the
 * 256 blocks before it: a chain from a random hash, a block every 12 seconds, each half full (so the
 * base fee stays at 1 gwei) with the world's state root.
 */
export function parentChain(world: Pick<World, 'fork' | 'common' | 'stateRoot'>, rng: Rng): { parent: Block; ancestors: Block[] } {
  const at = (fork: Fork) => FORKS.indexOf(world.fork) >= FORKS.indexOf(fork)
  const header = (parentHash: Hex, back: bigint, mixHash: Hex, parentBeaconBlockRoot: () => Hex) =>
    createBlock(
      {
        header: {
          parentHash,
          stateRoot: world.stateRoot,
          number: PARENT_NUMBER - back,
          timestamp: PARENT_TIMESTAMP - 12n * back,
          gasLimit: GAS_LIMIT,
          gasUsed: GAS_LIMIT / 2n,
          baseFeePerGas: GWEI,
          mixHash,
          withdrawalsRoot: KECCAK256_RLP,
          ...(at('Cancun') ? { blobGasUsed: 0n, excessBlobGas: 0n, parentBeaconBlockRoot: parentBeaconBlockRoot() } : {}),
          ...(at('Prague') ? { requestsHash: EMPTY_REQUESTS_HASH } : {}),
        },
      },
      { common: world.common },
    )
  const zero = toHex(new Uint8Array(32))
  let parentHash = word(rng)
  const ancestors: Block[] = []
  for (let back = BigInt(ANCESTORS); back >= 1n; back--) {
    const block = header(parentHash, back, zero, () => zero)
    ancestors.push(block)
    parentHash = toHex(block.hash())
  }
  const mixHash = word(rng)
  return { parent: header(parentHash, 0n, mixHash, () => word(rng)), ancestors }
}

/** Nonces of the block being built, starting from the world's pre-state. */
export class Nonces {
  private readonly next = new Map<string, bigint>()
  constructor(private readonly world: Pick<World, 'pre'>) {}
  take(w: Wallet): bigint {
    const key = w.address.toString()
    const n = this.next.get(key) ?? BigInt(this.world.pre[key as Hex]?.nonce ?? 0)
    this.next.set(key, n + 1n)
    return n
  }
}

/** Signs a spec as the envelope it asks for; plain calls rotate legacy, EIP-2930 and EIP-1559 by position. */
export function signTx(spec: TxSpec, index: number, nonces: Nonces, world: Pick<World, 'common'>, rng: Rng): TypedTransaction {
  const common = world.common
  const base = {
    nonce: nonces.take(spec.from),
    gasLimit: spec.gasLimit,
    to: spec.to,
    value: spec.value ?? 0n,
    data: spec.data,
  }
  const fees = { maxFeePerGas: 3n * GWEI, maxPriorityFeePerGas: GWEI + BigInt(rng.below(1000)) }
  if (spec.envelope === 'blob') {
    if (spec.to === undefined) throw new Error('a blob transaction needs a recipient')
    return createBlob4844Tx(
      { ...base, to: spec.to, ...fees, maxFeePerBlobGas: 1000n, blobsData: [`stepproof blob ${index} ${word(rng)}`] },
      { common },
    ).sign(spec.from.key)
  }
  if (spec.envelope === 'set-code') {
    const wanted =
      spec.authorizations ??
      (spec.authority === undefined || spec.delegateTo === undefined ? [] : [{ authority: spec.authority, delegateTo: spec.delegateTo }])
    if (wanted.length === 0) throw new Error('a set-code transaction needs an authority and a target')
    // An authorisation of the chain and the authority's next nonce takes that nonce; one given its own does not.
    const authorizationList = wanted.map((a) =>
      eoaCode7702SignAuthorization(
        {
          chainId: quantity(a.chainId ?? SCENARIO_CHAIN_ID),
          address: a.delegateTo.toString(),
          nonce: quantity(a.nonce ?? nonces.take(a.authority)),
        },
        a.authority.key,
      ),
    )
    const accessList = spec.accessList ?? []
    return createEOACode7702Tx({ ...base, ...fees, authorizationList, accessList }, { common }).sign(spec.from.key)
  }
  if (spec.accessList !== undefined)
    return createFeeMarket1559Tx({ ...base, ...fees, accessList: spec.accessList }, { common }).sign(spec.from.key)
  switch (index % 3) {
    case 0:
      return createLegacyTx({ ...base, gasPrice: 2n * GWEI }, { common }).sign(spec.from.key)
    case 1: {
      const accessList = spec.to === undefined ? [] : [{ address: spec.to.toString(), storageKeys: [`0x${'00'.repeat(32)}` as Hex] }]
      // EIP-2930 charges 2400 per address and 1900 per storage key up front.
      const gasLimit = base.gasLimit + BigInt(accessList.length) * (2400n + 1900n)
      return createAccessList2930Tx({ ...base, gasLimit, gasPrice: 2n * GWEI, accessList }, { common }).sign(spec.from.key)
    }
    default:
      return createFeeMarket1559Tx({ ...base, ...fees }, { common }).sign(spec.from.key)
  }
}

/**
 * Generates one block: real signed transactions of the spec's kinds against the world's contracts,
 * executed and sealed by ethereumjs's block builder on top of a parent whose state is the world.
 * Each transaction's outcome is checked against what its kind expects.
 */
export async function generateBlock(corpus: string, spec: BlockSpec, world: World): Promise<BlockTrace> {
  const id = `${corpus}/${spec.name}`
  const rng = new Rng(id)
  const common = world.common
  const { parent, ancestors } = parentChain(world, rng)
  const draft = { id, parent: headerToTrace(parent.header), pre: world.pre } as BlockTraceInput
  const stateManager = await loadPreState(draft as BlockTrace, common, id)
  const blockchain = new TraceChain(common, [...ancestors, parent])
  const vm = await createVM({ common, blockchain, stateManager })

  const withdrawals = Array.from({ length: spec.withdrawals ?? 0 }, (_, i) => ({
    index: BigInt(i),
    validatorIndex: BigInt(rng.below(1_000_000)),
    address: (i % 2 === 0 ? world.users[i % USERS] : wallet(200 + i))?.address.toString() as Hex,
    amount: BigInt(1 + rng.below(32_000_000_000)),
  }))
  const builder = await buildBlock(vm, {
    parentBlock: parent,
    headerData: {
      timestamp: PARENT_TIMESTAMP + 12n,
      coinbase: COINBASE,
      mixHash: word(rng),
      gasLimit: GAS_LIMIT,
      ...(FORKS.indexOf(world.fork) >= FORKS.indexOf('Cancun') ? { parentBeaconBlockRoot: word(rng) } : {}),
    },
    withdrawals,
    blockOpts: { putBlockIntoBlockchain: false, calcDifficultyFromHeader: parent.header },
  })

  const nonces = new Nonces(world)
  for (const [index, kindName] of spec.kinds.entries()) {
    const kind = KINDS[kindName]
    if (kind === undefined) throw new Error(`${id}: unknown transaction kind "${kindName}"`)
    if (FORKS.indexOf(kind.since) > FORKS.indexOf(spec.fork)) throw new Error(`${id}: kind ${kindName} needs ${kind.since}`)
    const sender = world.users[index % USERS] as Wallet
    const other = world.users[(index * 7 + 3) % USERS] as Wallet
    const txSpec = kind.build({
      world,
      rng,
      index,
      sender,
      other: other === sender ? (world.users[(index + 1) % USERS] as Wallet) : other,
    })
    // A set-code authority is a fresh account per transaction, so no later transfer lands on delegated code.
    if (txSpec.envelope === 'set-code') txSpec.authority = wallet(100 + index)
    if (txSpec.authority) txSpec.to = txSpec.authority.address
    const tx = signTx(txSpec, index, nonces, world, rng)
    const result = await builder.addTransaction(tx)
    const failed = result.execResult.exceptionError !== undefined
    if (failed !== (txSpec.expect === 'failure')) {
      throw new Error(
        `${id}: transaction ${index} (${kindName}) was expected to ${txSpec.expect === 'failure' ? 'fail' : 'succeed'}, but ${failed ? `failed: ${result.execResult.exceptionError?.error}` : 'succeeded'}`,
      )
    }
  }
  const { block } = await builder.build()
  const header = headerToTrace(block.header)
  const trace: BlockTraceInput = {
    format: TRACE_FORMAT,
    id,
    source: `scenario:${id}`,
    generatedBy: `pnpm stepproof traces generate --corpus ${corpus}`,
    fork: spec.fork,
    chainId: Number(SCENARIO_CHAIN_ID),
    chainConfig: {},
    parent: headerToTrace(parent.header),
    ancestors: ancestors.map((b) => headerToTrace(b.header)),
    block: {
      header,
      transactions: block.transactions.map((tx) => toHex(tx.serialize())),
      withdrawals: withdrawalsToTrace(withdrawals),
    },
    pre: world.pre,
    expected: expectedFromHeader(header),
  }
  return parseBlockTrace(trace, id)
}

/** Generates every block of a list, building one world per fork. */
export async function generateBlocks(
  corpus: string,
  specs: BlockSpec[],
  onBlock: (trace: BlockTrace, index: number) => void = () => {},
): Promise<BlockTrace[]> {
  const worlds = new Map<Fork, World>()
  const traces: BlockTrace[] = []
  for (const [i, spec] of specs.entries()) {
    let world = worlds.get(spec.fork)
    if (world === undefined) {
      world = await buildWorld(spec.fork)
      worlds.set(spec.fork, world)
    }
    const trace = await generateBlock(corpus, spec, world)
    traces.push(trace)
    onBlock(trace, i)
  }
  return traces
}
