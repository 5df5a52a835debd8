import { setLengthRight } from '@ethereumjs/util'
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

/** The local context `stepOnChain` proves steps in (a game would use its own). */
export const LOCAL_CONTEXT: Hex = `0x${'00'.repeat(32)}`

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
    const oracleAbi = artifact('PreimageOracle.sol', 'PreimageOracle').abi as Abi
    const offset = BigInt(w.preimage.offset)
    if (w.preimage.key[0] === 1) {
      // Local data is bound to the contract that calls step: load it for the transaction's sender
      // and for the gas meter, which both call MIPS.step below.
      if (preimageData.length > 32)
        throw new Error(`step ${w.step} reads local data of ${preimageData.length} bytes; local data is at most 32`)
      const ident = BigInt(toHex(w.preimage.key.subarray(1)))
      const word = toHex(setLengthRight(preimageData, 32))
      const local = [ident, LOCAL_CONTEXT, word, BigInt(preimageData.length), offset]
      await send(d.oracle, oracleAbi, 'loadLocalData', local)
      await send(d.meter, artifact('StepGasMeter.sol', 'StepGasMeter').abi as Abi, 'loadLocalData', [d.oracle, ...local])
    } else if (w.preimage.key[0] === 2) {
      await send(d.oracle, oracleAbi, 'loadKeccak256PreimagePart', [offset, toHex(preimageData)])
    } else throw new Error(`step ${w.step} reads a preimage of key type ${w.preimage.key[0]}, which the oracle does not serve`)
  }
  const args = [toHex(w.stateData), toHex(w.proof), LOCAL_CONTEXT] as const
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
