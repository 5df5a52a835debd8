/**
 * The Solidity verifier (contracts/src/evm/) on a real node: deploys its parts and the CodeOracle on
 * an Anvil, and proves a witness there as the dispute game will (the codes it reads posted first),
 * returning the on-chain post-state and the gas of the `step` call. Which steps the verifier proves
 * yet is `provenOnChain` (README's status table); the others revert with NotImplemented.
 */
import { type Anvil, artifact, deploy } from '@stepproof/contracts'
import { type Abi, type Address, type Hex, keccak256, toHex } from 'viem'
import { readFrame, readState } from './check/layout.ts'
import { ARITHMETIC } from './check/opcode/arithmetic.ts'
import { CALLS } from './check/opcode/calls.ts'
import { COMPARISON } from './check/opcode/comparison.ts'
import { CONTROL } from './check/opcode/control.ts'
import { ENVIRONMENT } from './check/opcode/environment.ts'
import { KECCAK } from './check/opcode/keccak.ts'
import { LOGS } from './check/opcode/logs.ts'
import { MEMORY } from './check/opcode/memory.ts'
import { SELFDESTRUCT } from './check/opcode/selfdestruct.ts'
import { STACK } from './check/opcode/stack.ts'
import { STORAGE } from './check/opcode/storage.ts'
import type { StepWitness } from './trace/witness.ts'

/** SPEC.md §5's proof calldata: each witness item as a 4-byte big-endian length and its bytes. */
export function proofCalldata(items: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(items.reduce((n, i) => n + 4 + i.length, 0))
  let at = 0
  for (const item of items) {
    new DataView(out.buffer).setUint32(at, item.length)
    out.set(item, at + 4)
    at += 4 + item.length
  }
  return out
}

/** The opcodes whose classes contracts/src/evm/ proves (the forge test holds this list to the contract's `proven`). */
export function opcodeProvenOnChain(op: number): boolean {
  return (
    op <= 0x0b ||
    (op >= 0x10 && op <= 0x1e) ||
    op === 0x20 ||
    (op >= 0x30 && op <= 0x4a) ||
    (op >= 0x50 && op <= 0xa4) ||
    (op >= 0xf0 && op <= 0xf5) ||
    op === 0xfa ||
    op === 0xfd ||
    op === 0xff
  )
}

const DEPOSIT_CONTRACT = '00000000219ab540356cbb839cbe05303d7705fa'

/**
 * Whether the Solidity verifier proves this step: an opcode step of a proven class (no log of the
 * deposit contract from Prague on: EIP-6110's SHA-256 stream), a frame's exit but a system
 * call's, or a transaction's refund or clean-up. Every other step kind reverts with NotImplemented for now.
 */
export function provenOnChain(w: StepWitness): boolean {
  if (w.kind === 'tx-refund' || w.kind === 'tx-cleanup') return true
  if (w.kind === 'frame-exit') return readFrame(w.proof[0] as Uint8Array).kind !== 6
  if (w.kind !== 'opcode' || w.opcode === undefined || !opcodeProvenOnChain(w.opcode)) return false
  const f = readFrame(w.proof[0] as Uint8Array)
  if (w.opcode >= 0xa0 && w.opcode <= 0xa4)
    return readState(w.stateData).forkId < 2 || Buffer.from(f.address).toString('hex') !== DEPOSIT_CONTRACT
  return true
}

/** The opcode classes by the files that prove them (src/check/opcode/*.ts, contracts/src/evm/opcode/*.sol). */
const CLASSES: [string, Record<number, unknown>][] = [
  ['arithmetic', ARITHMETIC],
  ['comparison', COMPARISON],
  ['keccak', KECCAK],
  ['environment', ENVIRONMENT],
  ['stack', STACK],
  ['memory', MEMORY],
  ['storage', STORAGE],
  ['control', CONTROL],
  ['logs', LOGS],
  ['calls', CALLS],
  ['selfdestruct', SELFDESTRUCT],
]

/** The class (the checker's and the verifier's file) of an opcode; `undefined opcode` for one of none. */
export function verifierClass(op: number): string {
  return CLASSES.find(([, rules]) => op in rules)?.[0] ?? 'undefined opcode'
}

/** Stack operand `i` (from the top) of an opcode step, from its stack item (after the frame and the code leaf's two items); 0 when it has none (a step that fails first). */
export function operand(w: StepWitness, i: number): bigint {
  const stack = w.proof[3]
  if (stack === undefined || stack.length < 32 * i + 64) return 0n
  return BigInt(`0x${Buffer.from(stack.subarray(32 * i, 32 * i + 32)).toString('hex')}`)
}

/** The verifier's parts (contracts/src/evm/provers/): EvmStepVerifier's `Parts` field, the contract, whether it takes the CodeOracle (every opcode prover does). */
const PARTS: [field: string, contract: string, takesOracle: boolean][] = [
  ['machine', 'MachineOpcodes', true],
  ['environment', 'EnvironmentOpcodes', true],
  ['memory_', 'MemoryOpcodes', true],
  ['storage_', 'StorageOpcodes', true],
  ['calls', 'CallOpcodes', true],
  ['creates', 'CreateOpcodes', true],
  ['selfdestructs', 'SelfdestructOpcodes', true],
  ['exits', 'FrameExits', false],
  ['txEnds', 'TxEnds', false],
]

/** The contracts of the verifier's parts, in EvmStepVerifier's `Parts` order. */
export const EVM_PARTS: readonly string[] = PARTS.map(([, contract]) => contract)

/** EvmStepVerifier, its parts, the CodeOracle and the gas meter, deployed on a local node. */
export interface EvmDeployment {
  anvil: Anvil
  verifier: Address
  codeOracle: Address
  meter: Address
  parts: Record<string, Address>
  /** Code hashes posted to the CodeOracle so far. */
  posted: Set<string>
}

/** Deploys the CodeOracle, every part (each under EIP-170's limit, which Anvil enforces), the router and the gas meter. */
export async function deployEvmVerifier(anvil: Anvil): Promise<EvmDeployment> {
  const codeOracle = await deploy(anvil, 'CodeOracle.sol', 'CodeOracle')
  const parts: Record<string, Address> = {}
  for (const [, contract, takesOracle] of PARTS)
    parts[contract] = await deploy(anvil, `${contract}.sol`, contract, takesOracle ? [codeOracle] : [])
  const fields = Object.fromEntries(PARTS.map(([field, contract]) => [field, parts[contract]]))
  const verifier = await deploy(anvil, 'EvmStepVerifier.sol', 'EvmStepVerifier', [fields])
  const meter = await deploy(anvil, 'StepGasMeter.sol', 'StepGasMeter')
  return { anvil, verifier, codeOracle, meter, parts, posted: new Set() }
}

/** What the deployed verifier made of one witness. */
export interface EvmOnChainStep {
  onchainPost: Hex
  /** Gas of the `step` call itself (measured around the call). */
  executionGas: number
  /** Bytes of the `step` calldata's state and proof. */
  calldataBytes: number
}

/** Posts the codes the step reads that are not posted yet, then runs the step on-chain (an eth_call through the gas meter). */
export async function proveOnChain(d: EvmDeployment, w: StepWitness): Promise<EvmOnChainStep> {
  const { anvil } = d
  for (const code of w.codes) {
    const hash = keccak256(code)
    if (d.posted.has(hash)) continue
    const tx = await anvil.walletClient.writeContract({
      address: d.codeOracle,
      abi: artifact('CodeOracle.sol', 'CodeOracle').abi as Abi,
      functionName: 'post',
      args: [toHex(code)],
      account: anvil.walletClient.account ?? null,
      chain: anvil.walletClient.chain ?? null,
    })
    await anvil.publicClient.waitForTransactionReceipt({ hash: tx })
    d.posted.add(hash)
  }
  const proof = proofCalldata(w.proof)
  const { result } = await anvil.publicClient.simulateContract({
    address: d.meter,
    abi: artifact('StepGasMeter.sol', 'StepGasMeter').abi as Abi,
    functionName: 'measure',
    args: [d.verifier, toHex(w.stateData), toHex(proof), `0x${'00'.repeat(32)}`],
    account: anvil.account,
  })
  const [onchainPost, executionGas] = result as [Hex, bigint]
  return { onchainPost, executionGas: Number(executionGas), calldataBytes: w.stateData.length + proof.length }
}
