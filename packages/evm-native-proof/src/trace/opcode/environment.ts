/**
 * The environment opcodes' items (0x30–0x4a but the copies, which are memory.ts's): the transaction's
 * or block's environment, a calldata word, an account's proof, a block hash; the checker's side is
 * src/check/opcode/environment.ts.
 */
import { Address } from '@ethereumjs/util'
import { concat, uint } from '../../commit/hash.ts'
import { mapKey } from '../keys.ts'
import { NOTHING, type OpcodeWitness, type WitnessStep } from './witness-step.ts'

/**
 * BALANCE, EXTCODESIZE, EXTCODEHASH and EXTCODECOPY: the target warmed and its account's proof; the
 * target's code, when it has one, posted for EXTCODESIZE and EXTCODECOPY and returned.
 */
export async function externalAccount({ src, codes, a, done, warm, stateTrie, accountAt }: WitnessStep): Promise<Uint8Array | undefined> {
  const target = uint(a(0) & ((1n << 160n) - 1n), 20)
  // A copy's later steps were charged (and warmed) by its first.
  if (done === 0) warm(mapKey(1, target))
  const account = await accountAt(await stateTrie(), target)
  const code = account?.isContract() ? await src.sm.getCode(new Address(target)) : undefined
  if ((src.opcode === 0x3b || src.opcode === 0x3c) && code !== undefined) codes.push(code)
  return code
}

const external: OpcodeWitness = async (w) => {
  await externalAccount(w)
}
const txEnv: OpcodeWitness = ({ src, proof }) => {
  proof.push(src.txEnv)
}
const blockEnv: OpcodeWitness = ({ src, proof }) => {
  proof.push(src.blockEnv)
}

export const ENVIRONMENT_WITNESSES: Record<number, OpcodeWitness> = {
  // Read from the frame
  48: NOTHING, // 0x30 ADDRESS
  51: NOTHING, // 0x33 CALLER
  52: NOTHING, // 0x34 CALLVALUE
  54: NOTHING, // 0x36 CALLDATASIZE
  56: NOTHING, // 0x38 CODESIZE
  61: NOTHING, // 0x3d RETURNDATASIZE
  // The target's account (and code)
  49: external, // 0x31 BALANCE
  59: external, // 0x3b EXTCODESIZE
  63: external, // 0x3f EXTCODEHASH
  // From the transaction's environment
  50: txEnv, // 0x32 ORIGIN
  58: txEnv, // 0x3a GASPRICE
  53: ({ a, src, source }) => source(src.frame.calldata, a(0), 32n), // 0x35 CALLDATALOAD
  // 0x40 BLOCKHASH: the block environment, and the hash's leaf in the last 256 blocks' tree when it is one of them
  64: ({ a, src, proof }) => {
    proof.push(src.blockEnv)
    const num = a(0)
    if (num < src.blockNumber && num + 256n >= src.blockNumber) {
      const i = Number(num + 256n - src.blockNumber)
      proof.push(src.blockHashes.leaf(i), concat(src.blockHashes.rangeProof(i, i)))
    }
  },
  // From the block's environment
  65: blockEnv, // 0x41 COINBASE
  66: blockEnv, // 0x42 TIMESTAMP
  67: blockEnv, // 0x43 NUMBER
  68: blockEnv, // 0x44 PREVRANDAO
  69: blockEnv, // 0x45 GASLIMIT
  70: blockEnv, // 0x46 CHAINID
  72: blockEnv, // 0x48 BASEFEE
  74: blockEnv, // 0x4a BLOBBASEFEE
  // 0x47 SELFBALANCE
  71: async ({ src, stateTrie, accountAt }) => {
    await accountAt(await stateTrie(), src.frame.address)
  },
  // 0x49 BLOBHASH: the transaction's environment, and its blob hashes when the index is one of them
  73: ({ a, src, proof }) => {
    proof.push(src.txEnv)
    if (a(0) < BigInt(src.blobHashes.length / 32)) proof.push(src.blobHashes)
  },
}
