import { toHex } from '@stepproof/block-traces'
import { type Anvil, artifact, deploy } from '@stepproof/contracts'
import type { Abi, Address, Hex } from 'viem'
import type { StepWitness } from './vm/witness.ts'

/** MIPS.sol and its oracle, deployed on a local node. */
export interface MipsDeployment {
  anvil: Anvil
  mips: Address
  oracle: Address
  meter: Address
}

/** What the deployed MIPS.sol made of one witness. */
export interface OnChainStep {
  onchainPost: Hex
  /** Gas of the `step` call itself (measured around the call, as in a forge test). */
  executionGas: number
  /** Gas of the whole `step` transaction: base cost, calldata and execution. */
  txGas: number
  /** Bytes of the `step` calldata. */
  calldataBytes: number
  /** Bytes of the witness (packed state and proofs). */
  witnessBytes: number
}

/** Deploys PreimageOracle, MIPS and the gas meter on `anvil`. */
export async function deployMips(anvil: Anvil): Promise<MipsDeployment> {
  const oracle = await deploy(anvil, 'PreimageOracle.sol', 'PreimageOracle')
  const mips = await deploy(anvil, 'MIPS.sol', 'MIPS', [oracle])
  const meter = await deploy(anvil, 'StepGasMeter.sol', 'StepGasMeter')
  return { anvil, mips, oracle, meter }
}

/** Loads the preimage part a step reads (if any), then runs the step on-chain: once measured, once as a transaction. */
export async function stepOnChain(d: MipsDeployment, w: StepWitness, preimageData?: Uint8Array): Promise<OnChainStep> {
  const { anvil } = d
  const wallet = anvil.walletClient
  const send = async (address: Address, abi: Abi, functionName: string, args: unknown[]) => {
    const hash = await wallet.writeContract({
      address,
      abi,
      functionName,
      args,
      account: wallet.account ?? null,
      chain: wallet.chain ?? null,
    })
    return anvil.publicClient.waitForTransactionReceipt({ hash })
  }
  if (w.preimage !== undefined) {
    if (preimageData === undefined) throw new Error(`step ${w.step} reads a preimage, but its data was not given`)
    await send(d.oracle, artifact('PreimageOracle.sol', 'PreimageOracle').abi as Abi, 'loadKeccak256PreimagePart', [
      BigInt(w.preimage.offset),
      toHex(preimageData),
    ])
  }
  const args = [toHex(w.stateData), toHex(w.proof), `0x${'00'.repeat(32)}`] as const
  const meterAbi = artifact('StepGasMeter.sol', 'StepGasMeter').abi as Abi
  const { result } = await anvil.publicClient.simulateContract({
    address: d.meter,
    abi: meterAbi,
    functionName: 'measure',
    args: [d.mips, ...args],
    account: anvil.account,
  })
  const [onchainPost, executionGas] = result as [Hex, bigint]
  const mipsAbi = artifact('MIPS.sol', 'MIPS').abi as Abi
  const receipt = await send(d.mips, mipsAbi, 'step', [...args])
  const tx = await anvil.publicClient.getTransaction({ hash: receipt.transactionHash })
  return {
    onchainPost,
    executionGas: Number(executionGas),
    txGas: Number(receipt.gasUsed),
    calldataBytes: (tx.input.length - 2) / 2,
    witnessBytes: w.stateData.length + w.proof.length,
  }
}
