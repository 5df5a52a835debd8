import { createBlock } from '@ethereumjs/block'
import type { Common } from '@ethereumjs/common'
import { MerkleStateManager } from '@ethereumjs/statemanager'
import { createLegacyTx } from '@ethereumjs/tx'
import { type Address, bigIntToHex, createAccount, createAddressFromString, setLengthLeft } from '@ethereumjs/util'
import { createVM, runTx } from '@ethereumjs/vm'
import { artifact } from '@stepproof/contracts'
import { type Abi, encodeDeployData, encodeFunctionData } from 'viem'
import type { Fork } from '../forks.ts'
import { commonFor, FORKS } from '../forks.ts'
import { fromHex, type Hex, quantity, toHex } from '../hex.ts'
import type { BlockTraceInput } from '../trace.ts'
import { type Wallet, wallet } from './accounts.ts'
import systemContracts from './system-contracts.json' with { type: 'json' }

/** The chain id of generated scenarios. */
export const SCENARIO_CHAIN_ID = 1n
/** How many funded users a scenario world has. */
export const USERS = 16
const ETH = 10n ** 18n

/** The scenario contracts every world deploys, by role. */
export const CONTRACTS = {
  tokenA: ['Token.sol', 'Token'],
  tokenB: ['Token.sol', 'Token'],
  pair: ['Pair.sol', 'Pair'],
  factory: ['Factory.sol', 'Factory'],
  store: ['Store.sol', 'Store'],
  hasher: ['Hasher.sol', 'Hasher'],
  nest: ['Nest.sol', 'Nest'],
  nestImpl: ['Nest.sol', 'Nest'],
  ephemeral: ['Ephemeral.sol', 'Ephemeral'],
  transient: ['Transient.sol', 'Transient'],
  probe: ['Probe.sol', 'Probe'],
} as const satisfies Record<string, readonly [string, string]>
/** A role in {@link CONTRACTS}. */
export type ContractRole = keyof typeof CONTRACTS

/** How many Store slots the world fills, so that clearing them in a block earns refunds. */
export const PREFILLED_SLOTS = 64

/** A deployed scenario world: the state every block of a corpus starts from. */
export interface World {
  fork: Fork
  common: Common
  deployer: Wallet
  users: Wallet[]
  contracts: Record<ContractRole, Address>
  /** The pre-state, as a trace stores it. */
  pre: BlockTraceInput['pre']
  stateRoot: Hex
}

/** The ABI of a scenario contract role. */
export function abiOf(role: ContractRole): Abi {
  const [file, name] = CONTRACTS[role]
  return artifact(file, name).abi as Abi
}

/** Calldata for `fn(args)` on a contract role. */
export function calldata(role: ContractRole, fn: string, args: unknown[] = []): Hex {
  return encodeFunctionData({ abi: abiOf(role), functionName: fn, args })
}

/**
 * Deploys the scenario contracts into a fresh state by running real signed transactions on
 * ethereumjs (fee-free, outside any block), and records every account and storage slot written,
 * so the result can be written out as a trace's pre-state.
 */
export async function buildWorld(fork: Fork): Promise<World> {
  const common = commonFor(fork, SCENARIO_CHAIN_ID)
  const stateManager = new MerkleStateManager({ common })
  const vm = await createVM({ common, stateManager })
  const touched = new Map<string, Set<bigint>>()
  const touch = (a: Address) => {
    const key = a.toString()
    if (!touched.has(key)) touched.set(key, new Set())
    return touched.get(key) as Set<bigint>
  }
  vm.evm.events?.on('step', (step) => {
    if (step.opcode.name === 'SSTORE') touch(step.address).add(step.stack[step.stack.length - 1] as bigint)
  })
  vm.evm.events?.on('newContract', (c) => void touch(c.address))

  for (const sc of systemContracts.contracts) {
    if (FORKS.indexOf(fork) < FORKS.indexOf(sc.fromFork as Fork)) continue
    const address = createAddressFromString(sc.address)
    await stateManager.putAccount(address, createAccount({ nonce: BigInt(sc.nonce) }))
    await stateManager.putCode(address, fromHex(sc.code))
    touch(address)
  }
  const deployer = wallet(0)
  const users = Array.from({ length: USERS }, (_, i) => wallet(i + 1))
  for (const w of [deployer, ...users]) {
    await stateManager.putAccount(w.address, createAccount({ balance: 1_000_000n * ETH }))
    touch(w.address)
  }

  // Setup transactions run in a fee-free environment: gas price 0 against base fee 0.
  const env = createBlock({ header: { number: 1n, gasLimit: 100_000_000n, baseFeePerGas: 0n, timestamp: 1n } }, { common })
  const nonces = new Map<string, bigint>()
  const send = async (from: Wallet, to: Address | undefined, data: Hex, value = 0n) => {
    const nonce = nonces.get(from.address.toString()) ?? 0n
    nonces.set(from.address.toString(), nonce + 1n)
    const tx = createLegacyTx({ nonce, gasPrice: 0n, gasLimit: 16_000_000n, to, data: fromHex(data), value }, { common }).sign(from.key)
    const result = await runTx(vm, { tx, block: env, skipHardForkValidation: true })
    if (result.execResult.exceptionError) {
      throw new Error(`scenario setup transaction failed: ${result.execResult.exceptionError.error} (to ${to}, data ${data.slice(0, 10)})`)
    }
    return result.createdAddress
  }
  const deploy = async (role: ContractRole, args: unknown[]): Promise<Address> => {
    const [file, name] = CONTRACTS[role]
    const art = artifact(file, name)
    const created = await send(deployer, undefined, encodeDeployData({ abi: art.abi as Abi, bytecode: art.bytecode, args }))
    if (created === undefined) throw new Error(`deploying ${name} created no contract`)
    return created
  }

  const supply = 1_000_000_000n * ETH
  const contracts = {} as Record<ContractRole, Address>
  contracts.tokenA = await deploy('tokenA', ['Token A', 'TKA', deployer.address.toString(), supply])
  contracts.tokenB = await deploy('tokenB', ['Token B', 'TKB', deployer.address.toString(), supply])
  contracts.pair = await deploy('pair', [contracts.tokenA.toString(), contracts.tokenB.toString()])
  for (const role of ['factory', 'store', 'hasher', 'nest', 'nestImpl', 'ephemeral', 'transient', 'probe'] as const) {
    contracts[role] = await deploy(role, [])
  }
  const call = (from: Wallet, role: ContractRole, fn: string, args: unknown[] = [], value = 0n) =>
    send(from, contracts[role], calldata(role, fn, args), value)

  const max = (1n << 256n) - 1n
  for (const token of ['tokenA', 'tokenB'] as const) {
    await call(deployer, token, 'approve', [contracts.pair.toString(), max])
    for (const u of users) {
      await call(deployer, token, 'transfer', [u.address.toString(), 1_000_000n * ETH])
      await call(u, token, 'approve', [contracts.pair.toString(), max])
    }
  }
  await call(deployer, 'pair', 'addLiquidity', [10_000_000n * ETH, 20_000_000n * ETH])
  await call(deployer, 'store', 'fill', [0n, BigInt(PREFILLED_SLOTS), 1n])
  await call(deployer, 'ephemeral', 'plant', [], ETH)

  const pre: BlockTraceInput['pre'] = {}
  for (const [addr, slots] of [...touched.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const address = createAddressFromString(addr)
    const account = await stateManager.getAccount(address)
    if (account === undefined) continue
    const storage: Record<string, string> = {}
    for (const slot of [...slots].sort((a, b) => (a < b ? -1 : 1))) {
      const value = await stateManager.getStorage(address, setLengthLeft(fromHex(bigIntToHex(slot)), 32))
      if (value.length > 0) storage[quantity(slot)] = quantity(BigInt(toHex(value)))
    }
    pre[addr] = {
      nonce: quantity(account.nonce),
      balance: quantity(account.balance),
      code: toHex(await stateManager.getCode(address)),
      storage,
    }
  }
  return { fork, common, deployer, users, contracts, pre, stateRoot: toHex(await stateManager.getStateRoot()) }
}
