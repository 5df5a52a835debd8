/**
 * Blocks whose steps go past one step's chunk (SPEC.md §6, §6.1): long copies, long hashes and logs,
 * built with the scenario tools and sealed so that their expected roots are the execution's. Used by
 * test/long-copies.test.ts and by the Solidity verifier's vectors (scripts/vectors.ts).
 */
import { createAddressFromString } from '@ethereumjs/util'
import { type BlockTrace, type Fork, Rng, sealBlock, systemContractsPre, wallet } from '@stepproof/block-traces'
import { KECCAK_CHUNK } from '../src/check/sponge.ts'

/** Assembles opcodes and PUSHes: a number becomes the shortest PUSH of it (PUSH0 for 0). */
export function asm(...parts: (number | bigint | string)[]): string {
  let out = ''
  for (const p of parts) {
    if (typeof p === 'string') out += p
    else {
      const v = BigInt(p)
      if (v === 0n) out += '5f'
      else {
        const h = v.toString(16)
        const bytes = Math.ceil(h.length / 2)
        out += (0x5f + bytes).toString(16) + h.padStart(bytes * 2, '0')
      }
    }
  }
  return `0x${out}`
}
export const OP = {
  CALLDATASIZE: '36',
  CALLDATACOPY: '37',
  CODECOPY: '39',
  EXTCODECOPY: '3c',
  RETURNDATASIZE: '3d',
  RETURNDATACOPY: '3e',
  ADDRESS: '30',
}
export const [MCOPY, MSTORE, KECCAK256, SSTORE, CALL, GAS, POP, RETURN, STOP] = ['5e', '52', '20', '55', 'f1', '5a', '50', 'f3', '00']
export const [CREATE, LOG0, LOG2] = ['f0', 'a0', 'a2']

export const COPIER = createAddressFromString(`0x${'cc'.repeat(20)}`)
export const RETURNER = createAddressFromString(`0x${'dd'.repeat(20)}`)
export const WRITES = [0, 0x8000, 0x10000, 0x20000, 0x28000, 0x30000, 0x40000, 0x48000]

/**
 * Every copy opcode past one step's chunk (SPEC.md §6): CALLDATACOPY of 70,000 bytes of calldata,
 * CODECOPY of 40,000 (zero past the code), MCOPY of 80,000 upwards and 40,000 downwards over
 * themselves, EXTCODECOPY of 33,000, RETURNDATACOPY of 50,000 returned by a call; then the keccak of
 * a 4 KiB window at each place they wrote, stored, so that the state root depends on every byte moved.
 */
export const COPIER_CODE = asm(
  OP.CALLDATASIZE,
  0,
  0,
  OP.CALLDATACOPY,
  40_000,
  0,
  0x20000,
  OP.CODECOPY,
  80_000,
  0,
  0x100,
  MCOPY,
  40_000,
  0x100,
  0,
  MCOPY,
  33_000,
  0,
  0x30000,
  OP.ADDRESS,
  OP.EXTCODECOPY,
  0,
  0,
  0,
  0,
  0,
  BigInt(RETURNER.toString()),
  GAS,
  CALL,
  POP,
  OP.RETURNDATASIZE,
  0,
  0x40000,
  OP.RETURNDATACOPY,
  ...WRITES.flatMap((at, i) => [4096, at, KECCAK256, i, SSTORE]),
  STOP,
)
export const RETURNER_CODE = asm(
  BigInt(`0x${'5a'.repeat(32)}`),
  0xc000,
  MSTORE,
  BigInt(`0x${'a5'.repeat(32)}`),
  0,
  MSTORE,
  50_000,
  0,
  RETURN,
)

/** A block of one transaction from a funded sender to `to`, whose code and the others' are in `accounts`; calldata of random bytes, or given. */
export async function oneCallBlock(
  name: string,
  fork: Fork,
  accounts: [ReturnType<typeof createAddressFromString>, string][],
  calldataBytes: number | Uint8Array,
  gasLimit = 5_000_000n,
  accessList?: { address: `0x${string}`; storageKeys: `0x${string}`[] }[],
): Promise<BlockTrace> {
  const rng = new Rng(`${name}/${fork}`)
  const sender = wallet(1)
  const pre = {
    ...systemContractsPre(fork),
    [sender.address.toString()]: { nonce: '0x0', balance: '0x56bc75e2d63100000', code: '0x', storage: {} },
    ...Object.fromEntries(accounts.map(([a, code]) => [a.toString(), { nonce: '0x1', balance: '0x0', code, storage: {} }])),
  } as BlockTrace['pre']
  const bytes =
    typeof calldataBytes === 'number'
      ? Uint8Array.from({ length: calldataBytes }, (_, i) => 1 + ((i * 131 + rng.below(7)) % 255))
      : calldataBytes
  const calldata = `0x${Buffer.from(bytes).toString('hex')}`
  const to = (accounts[0] as [ReturnType<typeof createAddressFromString>, string])[0]
  const { trace, included } = await sealBlock(
    { id: `${name}/${fork}`, fork, pre, rng, coinbase: `0x${'c0'.repeat(20)}`, source: `test:${name}`, generatedBy: 'long-copies.test.ts' },
    async (add) =>
      Number(
        await add({ from: sender, to, data: calldata as `0x${string}`, gasLimit, envelope: 'call', expect: 'success', accessList }, 2),
      ),
  )
  if (included !== 1) throw new Error(`${name}: the block has ${included} transactions, not 1`)
  return trace
}

export async function copiesBlock(fork: Fork): Promise<BlockTrace> {
  const rng = new Rng(`long-copies/${fork}`)
  const sender = wallet(1)
  const account = (code: string) => ({ nonce: '0x1', balance: '0x0', code, storage: {} }) as const
  const pre = {
    ...systemContractsPre(fork),
    [sender.address.toString()]: { nonce: '0x0', balance: '0x56bc75e2d63100000', code: '0x', storage: {} },
    [COPIER.toString()]: account(COPIER_CODE),
    [RETURNER.toString()]: account(RETURNER_CODE),
  } as BlockTrace['pre']
  const calldata = `0x${Buffer.from(Array.from({ length: 70_000 }, (_, i) => 1 + ((i * 131 + rng.below(7)) % 255))).toString('hex')}`
  const { trace, included } = await sealBlock(
    {
      id: `long-copies/${fork}`,
      fork,
      pre,
      rng,
      coinbase: `0x${'c0'.repeat(20)}`,
      source: 'test:long-copies',
      generatedBy: 'long-copies.test.ts',
    },
    async (add) =>
      Number(
        await add(
          { from: sender, to: COPIER, data: calldata as `0x${string}`, gasLimit: 5_000_000n, envelope: 'call', expect: 'success' },
          2,
        ),
      ),
  )
  if (included !== 1) throw new Error(`long-copies/${fork}: the block has ${included} transactions, not 1`)
  return trace
}
export const HASHER = createAddressFromString(`0x${'ab'.repeat(20)}`)
/** What a LOG0 of 256 to 65,535 bytes puts before its data in its RLP: the list's header (3), the address (21), no topics (1), the data's header (3). */
export const LOG0_HEAD = 3 + 21 + 1 + 3
/**
 * Hashes longer than a step (SPEC.md §6.1): KECCAK256 of 100,000 bytes (four steps), of exactly one
 * chunk (one) and of one byte more (two), each stored; LOG2 of 70,000 bytes (three); LOG0 of one byte
 * more than fits a step with its RLP head (two).
 */
export const HASHER_CODE = asm(
  OP.CALLDATASIZE,
  0,
  0,
  OP.CALLDATACOPY,
  BigInt(`0x${'99'.repeat(32)}`),
  90_000,
  MSTORE,
  100_000,
  0,
  KECCAK256,
  0,
  SSTORE,
  KECCAK_CHUNK,
  0x100,
  KECCAK256,
  1,
  SSTORE,
  KECCAK_CHUNK + 1,
  0x100,
  KECCAK256,
  2,
  SSTORE,
  0x7072,
  0x7071,
  70_000,
  5,
  LOG2,
  KECCAK_CHUNK - LOG0_HEAD + 1,
  0,
  LOG0,
  STOP,
)

/** The long-hashes block: KECCAK256 and LOG past a step. */
export const hashesBlock = (fork: Fork): Promise<BlockTrace> => oneCallBlock('long-hashes', fork, [[HASHER, HASHER_CODE]], 60_000)
