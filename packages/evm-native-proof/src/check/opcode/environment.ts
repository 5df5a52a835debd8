/**
 * Environment and block opcodes: the frame's own fields (ADDRESS, CALLER, CALLVALUE, CALLDATASIZE,
 * CODESIZE, RETURNDATASIZE), calldata (CALLDATALOAD, from the calldata view), accounts (BALANCE,
 * EXTCODESIZE, EXTCODEHASH, SELFBALANCE: warmed, from the world state), the transaction's and the
 * block's environments (ORIGIN, GASPRICE, BLOBHASH; COINBASE … BLOBBASEFEE) and BLOCKHASH (from
 * the block-hashes tree). The generator's twin is src/trace/opcode/environment.ts.
 */
import { equal, keccak, num, type readBlockEnv } from '../layout.ts'
import { type Account, isEmpty } from '../mpt.ts'
import { openRange, readView } from '../trees.ts'
import { WitnessError } from '../witness-reader.ts'
import { addressKey, type OpcodeRule, toAddress } from './step.ts'

type BlockEnv = ReturnType<typeof readBlockEnv>
/** The opcodes that push a word of the block environment. */
const BLOCK_FIELDS: Record<number, (e: BlockEnv) => bigint> = {
  65: (e) => num(e.coinbase),
  66: (e) => e.timestamp,
  67: (e) => e.number,
  68: (e) => num(e.prevRandao),
  69: (e) => e.gasLimit,
  70: (e) => e.chainId,
  72: (e) => e.baseFee,
  74: (e) => e.blobBaseFee,
}

/** BALANCE, EXTCODESIZE, EXTCODEHASH: the account warmed (EIP-2929), then read. */
const ofAccount: OpcodeRule = async (c) => {
  const target = toAddress(c.a(0))
  c.use(c.warm(addressKey(target)) ? 2600n : 100n)
  const { account: acct } = await c.account(c.state.stateRoot, target, 'account')
  if (c.op === 0x31) c.out = [acct?.balance ?? 0n]
  else if (c.op === 0x3b) c.out = [BigInt(c.codeOf(acct).size)]
  else c.out = [isEmpty(acct) ? 0n : num((acct as Account).codeHash)]
}

export const ENVIRONMENT: Record<number, OpcodeRule> = {
  48: (c) => {
    c.out = [num(c.f.address)]
  },
  49: ofAccount,
  50: (c) => {
    c.out = [num(c.txEnv().origin)]
  },
  51: (c) => {
    c.out = [num(c.f.caller)]
  },
  52: (c) => {
    c.out = [c.f.value]
  },
  53: (c) => {
    c.out = [num(readView(c.r, 'calldata', c.f.calldata, c.a(0), 32n))]
  },
  54: (c) => {
    c.out = [BigInt(c.f.calldata.size)]
  },
  56: (c) => {
    c.out = [BigInt(c.f.codeSize)]
  },
  58: (c) => {
    c.out = [c.txEnv().effectiveGasPrice]
  },
  59: ofAccount,
  61: (c) => {
    c.out = [BigInt(c.f.returnData.size)]
  },
  63: ofAccount,
  64: (c) => {
    const env = c.blockEnv()
    const n = c.a(0)
    if (n >= env.number || n + 256n < env.number) c.out = [0n]
    else {
      const i = Number(n + 256n - env.number)
      c.out = [num(openRange(c.r, 'block hash', env.blockHashesRoot, i, i, 8).leaves[0] as Uint8Array)]
    }
  },
  ...Object.fromEntries(
    Object.entries(BLOCK_FIELDS).map(([op, field]): [string, OpcodeRule] => [
      op,
      (c) => {
        c.out = [field(c.blockEnv())]
      },
    ]),
  ),
  71: async (c) => {
    const { account: acct } = await c.account(c.state.stateRoot, c.f.address, 'account')
    c.out = [acct?.balance ?? 0n]
  },
  73: (c) => {
    const env = c.txEnv()
    if (c.a(0) >= env.blobCount) c.out = [0n]
    else {
      const hashes = c.r.next('blob hashes', Number(env.blobCount) * 32)
      if (!equal(keccak(hashes), env.blobHashesHash)) throw new WitnessError('the blob hashes do not hash to the transaction’s')
      const i = Number(c.a(0))
      c.out = [num(hashes.subarray(i * 32, i * 32 + 32))]
    }
  },
}
