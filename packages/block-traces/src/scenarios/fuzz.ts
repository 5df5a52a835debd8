import { type Address, createAddressFromString } from '@ethereumjs/util'
import { buildBlock, createVM } from '@ethereumjs/vm'
import { buildPreState } from '../chain.ts'
import { commonFor, FORKS, type Fork } from '../forks.ts'
import { expectedFromHeader, headerToTrace, withdrawalsToTrace } from '../header.ts'
import { type Hex, quantity, toHex } from '../hex.ts'
import { type BlockTrace, type BlockTraceInput, parseBlockTrace, TRACE_FORMAT } from '../trace.ts'
import { TraceChain } from '../trace-chain.ts'
import { Rng, wallet } from './accounts.ts'
import { Nonces, parentChain, signTx } from './generate.ts'
import type { TxSpec } from './kinds.ts'
import systemContracts from './system-contracts.json' with { type: 'json' }
import { settleZeroWithdrawals, type WithdrawalInput } from './withdrawals.ts'
import { SCENARIO_CHAIN_ID } from './world.ts'

// Random blocks for differential fuzzing (`stepproof fuzz`): contracts of random bytecode weighted
// toward the EVM's edges, called by transactions of every envelope, executed and sealed by
// ethereumjs's block builder; go-ethereum and the native proof then re-execute them.

/** Opcodes by the fork that introduced them (after Shanghai's set) and the stack items each pops. */
const STACK_IN: Record<number, number> = {}
const SINCE: Record<number, Fork> = {}
const define = (fork: Fork, inputs: number, ...codes: number[]) => {
  for (const c of codes) {
    STACK_IN[c] = inputs
    SINCE[c] = fork
  }
}
define(
  'Shanghai',
  0,
  0x00,
  0x30,
  0x32,
  0x33,
  0x34,
  0x36,
  0x38,
  0x3a,
  0x3d,
  0x41,
  0x42,
  0x43,
  0x44,
  0x45,
  0x46,
  0x47,
  0x48,
  0x58,
  0x59,
  0x5a,
  0x5b,
)
define('Shanghai', 1, 0x15, 0x19, 0x31, 0x35, 0x3b, 0x3f, 0x40, 0x50, 0x51, 0x54, 0x56, 0xff)
define(
  'Shanghai',
  2,
  0x01,
  0x02,
  0x03,
  0x04,
  0x05,
  0x06,
  0x07,
  0x0a,
  0x0b,
  0x10,
  0x11,
  0x12,
  0x13,
  0x14,
  0x16,
  0x17,
  0x18,
  0x1a,
  0x1b,
  0x1c,
  0x1d,
)
define('Shanghai', 2, 0x20, 0x52, 0x53, 0x55, 0x57, 0xa0, 0xf3, 0xfd)
define('Shanghai', 3, 0x08, 0x09, 0x37, 0x39, 0x3e, 0xa1, 0xf0)
define('Shanghai', 4, 0x3c, 0xa2, 0xf5)
define('Shanghai', 5, 0xa3)
define('Shanghai', 6, 0xa4, 0xf4, 0xfa)
define('Shanghai', 7, 0xf1, 0xf2)
define('Cancun', 0, 0x4a)
define('Cancun', 1, 0x49, 0x5c)
define('Cancun', 2, 0x5d)
define('Cancun', 3, 0x5e)
define('Osaka', 1, 0x1e)
// DUPn needs n items, SWAPn n + 1: that many are pushed first.
for (let n = 1; n <= 16; n++) {
  define('Shanghai', n, 0x7f + n)
  define('Shanghai', n + 1, 0x8f + n)
}

/** The calls and creates, and the opcodes that take memory ranges, whose arguments are drawn with care. */
const CALLS = new Set([0xf1, 0xf2, 0xf4, 0xfa])
const CREATES = new Set([0xf0, 0xf5])
const WORD = (1n << 256n) - 1n

/** Values at the edges: zero, one, word boundaries, the sign bit, the largest words. */
function edgeValue(rng: Rng): bigint {
  const edges = [
    0n,
    1n,
    2n,
    31n,
    32n,
    33n,
    0x7fn,
    0xffn,
    0x100n,
    255n,
    256n,
    1n << 255n,
    WORD,
    WORD - 1n,
    (1n << 255n) - 1n,
    1n << 64n,
    1n << 128n,
  ]
  const pick = rng.below(10)
  if (pick < 6) return edges[rng.below(edges.length)] as bigint
  if (pick < 8) return BigInt(rng.below(64))
  return rng.next()
}

/**
 * A memory offset or size: mostly small, sometimes at an expansion boundary, rarely huge (out of
 * gas: one argument in twenty, as a frame that fails stops running its program).
 */
function memoryValue(rng: Rng, size: boolean): bigint {
  const pick = rng.below(40)
  const small = size ? [0, 1, 31, 32, 33, 64, 100] : [0, 1, 31, 32, 64, 1000]
  const boundaries = [0x3fe0, 0x4000, 0x4020, 0x10000, 1023, 1024]
  if (pick < 26) return BigInt(small[rng.below(small.length)] as number)
  if (pick < 38) return BigInt(boundaries[rng.below(boundaries.length)] as number)
  return pick === 38 ? 1n << 32n : WORD
}

/** The opcodes that leave nothing on the stack: a POP after one would underflow. */
const NO_OUTPUT = new Set([
  0x00, 0x37, 0x39, 0x3c, 0x3e, 0x50, 0x52, 0x53, 0x55, 0x56, 0x57, 0x5b, 0x5d, 0x5e, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xf3, 0xfd, 0xfe, 0xff,
])

const push = (value: bigint): number[] => {
  if (value === 0n) return [0x5f]
  const bytes: number[] = []
  for (let v = value; v > 0n; v >>= 8n) bytes.unshift(Number(v & 0xffn))
  return [0x5f + bytes.length, ...bytes]
}

/** A short initcode for CREATE: returns nothing, a few bytes, a 0xEF byte (EIP-3541), or reverts. */
function initcode(rng: Rng): bigint {
  const codes = [
    0x60006000f3n, // RETURN(0, 0)
    0x600160005360016000f3n, // MSTORE8(0, 1); RETURN(0, 1)
    0x60ef60005360016000f3n, // MSTORE8(0, 0xEF); RETURN(0, 1): refused code
    0x60006000fdn, // REVERT(0, 0)
    0xfen, // INVALID
  ]
  return codes[rng.below(codes.length)] as bigint
}

/**
 * A random program for `fork`: 8 to 48 instructions, each with its stack inputs pushed first (edge
 * values; memory ranges kept mostly small; call targets among `targets`, the precompiles and
 * nothing; creates with an initcode stored first; three jumps in four to a JUMPDEST a few
 * instructions ahead, so that the code after them runs), ending in a STOP, RETURN, REVERT, INVALID,
 * a SELFDESTRUCT or nothing at all.
 */
export function randomProgram(rng: Rng, fork: Fork, targets: readonly bigint[]): Uint8Array {
  const at = FORKS.indexOf(fork)
  const opcodes = Object.keys(STACK_IN)
    .map(Number)
    .filter((op) => FORKS.indexOf(SINCE[op] as Fork) <= at)
  const precompiles = Array.from({ length: fork === 'Osaka' || fork === 'Prague' ? 0x11 : fork === 'Cancun' ? 10 : 9 }, (_, i) =>
    BigInt(i + 1),
  )
  const target = () => {
    const pick = rng.below(10)
    if (pick < 5) return targets[rng.below(targets.length)] as bigint
    if (pick < 8) return precompiles[rng.below(precompiles.length)] as bigint
    return edgeValue(rng)
  }
  const code: number[] = []
  const length = 8 + rng.below(40)
  /** Forward jumps waiting for their JUMPDEST: where their PUSH2's two bytes are, and before which instruction it goes. */
  const jumps: { at: number; before: number }[] = []
  for (let i = 0; i < length; i++) {
    for (const j of jumps.filter((x) => x.before === i)) {
      code[j.at] = code.length >> 8
      code[j.at + 1] = code.length & 0xff
      code.push(0x5b)
    }
    const op = opcodes[rng.below(opcodes.length)] as number
    const inputs = STACK_IN[op] as number
    let args: bigint[] = Array.from({ length: inputs }, () => edgeValue(rng))
    if (CALLS.has(op)) {
      // gas, address, [value], argsOffset, argsSize, retOffset, retSize
      const gas = [0n, 2300n, 30_000n, 200_000n, WORD][rng.below(5)] as bigint
      const value = op === 0xf1 || op === 0xf2 ? [[0n, 1n, 0n][rng.below(3)] as bigint] : []
      const ranges = [memoryValue(rng, false), memoryValue(rng, true), memoryValue(rng, false), memoryValue(rng, true)]
      args = [gas, target(), ...value, ...ranges]
    } else if (CREATES.has(op)) {
      for (const b of [...push(initcode(rng)), ...push(0n), 0x52]) code.push(b) // MSTORE(0, initcode)
      const size = BigInt(1 + rng.below(32))
      args = [[0n, 1n][rng.below(2)] as bigint, 32n - size, size, ...(op === 0xf5 ? [edgeValue(rng)] : [])]
    } else if (op === 0x3e && rng.below(5) !== 0) {
      // RETURNDATACOPY of all the return data there is (a read past its end halts the frame): size
      // RETURNDATASIZE, offset 0, a destination.
      code.push(0x3d, 0x5f, ...push(memoryValue(rng, false)), op)
      continue
    } else if ([0x20, 0x37, 0x39, 0x3e, 0x51, 0x52, 0x53, 0x5e, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xf3, 0xfd].includes(op)) {
      args = args.map((_, k) => (k < 3 || op === 0x5e ? memoryValue(rng, k === inputs - 1 || (op >= 0xa0 && k === 1)) : edgeValue(rng)))
    } else if (op === 0x55 || op === 0x54 || op === 0x5c || op === 0x5d) {
      // Few slots and values, so SSTORE sequences hit every EIP-2200 case.
      args = [BigInt(rng.below(4)), ...(inputs > 1 ? [BigInt(rng.below(3))] : [])]
    } else if ((op === 0x56 || op === 0x57) && rng.below(4) !== 0) {
      // A valid jump: its target (PUSH2, filled in when the JUMPDEST is placed) 1 to 4 instructions on.
      if (op === 0x57) code.push(...push(BigInt(rng.below(2))))
      jumps.push({ at: code.length + 1, before: i + 1 + rng.below(4) })
      code.push(0x61, 0, 0, op)
      continue
    } else if (op === 0x56 || op === 0x57) {
      args = [BigInt(rng.below(length * 4)), ...(op === 0x57 ? [BigInt(rng.below(2))] : [])]
    } else if (op === 0x3c) {
      // EXTCODECOPY: an account, then a memory range and a code offset as the other copies have.
      args = [target(), memoryValue(rng, false), memoryValue(rng, false), memoryValue(rng, true)]
    } else if ([0x31, 0x3b, 0x3f, 0xff].includes(op)) args = [target(), ...args.slice(1)]
    for (const a of [...args].reverse()) code.push(...push(a))
    code.push(op)
    // Left-over results would pile up: pop one, now and then.
    if (!NO_OUTPUT.has(op) && rng.below(4) === 0) code.push(0x50)
  }
  // Jumps past the last instruction land on a JUMPDEST before the ending.
  for (const j of jumps.filter((x) => x.before >= length)) {
    code[j.at] = code.length >> 8
    code[j.at + 1] = code.length & 0xff
  }
  if (jumps.some((x) => x.before >= length)) code.push(0x5b)
  const end = rng.below(6)
  if (end === 0) code.push(0x00)
  else if (end === 1) code.push(...push(BigInt(rng.below(64))), ...push(0n), 0xf3)
  else if (end === 2) code.push(...push(BigInt(rng.below(64))), ...push(0n), 0xfd)
  else if (end === 3) code.push(0xfe)
  else if (end === 4) code.push(...push(target()), 0xff)
  return Uint8Array.from(code)
}

/** A transaction's envelope: mostly calls (legacy, EIP-2930 and EIP-1559 by position), from Cancun some EIP-4844 blob transactions, from Prague some EIP-7702 set-code ones. */
function envelopeOf(rng: Rng, fork: Fork, create: boolean): TxSpec['envelope'] {
  if (create) return 'call'
  const pick = rng.below(12)
  if (pick === 0 && FORKS.indexOf(fork) >= FORKS.indexOf('Cancun')) return 'blob'
  if (pick === 1 && FORKS.indexOf(fork) >= FORKS.indexOf('Prague')) return 'set-code'
  return 'call'
}

const FUZZ_CONTRACTS = 6
const contractAddress = (i: number): Address =>
  createAddressFromString(`0x${'f0'.repeat(18)}${(0x100 + i).toString(16).slice(1).padStart(4, '0')}`)
const ETH = 10n ** 18n

/**
 * Requests (EIP-7685), from Prague: at the deposit contract's address a contract that logs its
 * calldata as a DepositEvent (the real contract's checks left out, so that any ABI-shaped data is a
 * deposit), and transactions to the EIP-7002 and EIP-7251 contracts, whose system calls at the
 * block's end dequeue them.
 */
const DEPOSIT_CONTRACT = '0x00000000219ab540356cbb839cbe05303d7705fa'
const DEPOSIT_TOPIC = '649bbc62d0e31342afea4e5cd82d4049e7e1ee912fc0889aa790803be39038c5'
/** CALLDATACOPY(0, 0, CALLDATASIZE); LOG1(0, CALLDATASIZE, DepositEvent); STOP. */
const DEPOSIT_EMITTER = `0x365f5f377f${DEPOSIT_TOPIC}365fa100` as Hex
const WITHDRAWAL_REQUESTS = '0x00000961ef480eb55e80d19ad83579a64c007002'
const CONSOLIDATION_REQUESTS = '0x0000bbddc7ce488642fb579f8b00f3a590007251'

/** The ABI encoding of a tuple of `bytes`: the offsets, then each length and its bytes padded to words. */
export function abiBytes(values: Uint8Array[]): Uint8Array {
  const words = (n: number) => Math.ceil(n / 32) * 32
  const out = new Uint8Array(32 * values.length + values.reduce((n, v) => n + 32 + words(v.length), 0))
  const view = new DataView(out.buffer)
  let at = 32 * values.length
  for (const [i, v] of values.entries()) {
    view.setUint32(32 * i + 28, at)
    view.setUint32(at + 28, v.length)
    out.set(v, at + 32)
    at += 32 + words(v.length)
  }
  return out
}

/** A request transaction: a deposit (the DepositEvent's five fields), a withdrawal request (56 bytes) or a consolidation (96), now and then of a length the contract refuses. */
function requestTx(rng: Rng, from: TxSpec['from']): TxSpec {
  const random = (n: number) => Uint8Array.from({ length: n }, () => rng.below(256))
  const kind = rng.below(3)
  const odd = rng.below(8) === 0
  const [to, data] =
    kind === 0
      ? [DEPOSIT_CONTRACT, abiBytes([48, 32, 8, 96, 8].map(random))]
      : kind === 1
        ? [WITHDRAWAL_REQUESTS, random(odd ? rng.below(57) : 56)]
        : [CONSOLIDATION_REQUESTS, random(odd ? rng.below(97) : 96)]
  return {
    from,
    to: createAddressFromString(to),
    data: toHex(data),
    value: kind === 0 ? BigInt(rng.below(3)) : BigInt(rng.below(4)),
    gasLimit: BigInt(150_000 + rng.below(100_000)),
    envelope: 'call',
    expect: 'success',
  }
}

/** One of the 17 precompile addresses of Osaka (0x01 … 0x11); before it, some are plain accounts. */
const randomPrecompile = (rng: Rng): Hex => `0x${'00'.repeat(19)}${(1 + rng.below(17)).toString(16).padStart(2, '0')}`
/** An address no account of the block has (160 random bits). */
const freshAddress = (rng: Rng): Hex => `0x${rng.next().toString(16).padStart(40, '0').slice(-40)}`

/** Up to four entries: the block's contracts, a precompile or a fresh address, each with up to six slots (small ones, or any word), an entry or a slot now and then twice. */
function randomAccessList(rng: Rng, contracts: Address[]): NonNullable<TxSpec['accessList']> {
  const list: NonNullable<TxSpec['accessList']> = []
  for (let i = rng.below(5); i > 0; i--) {
    const pick = rng.below(4)
    const address =
      pick === 0 ? randomPrecompile(rng) : pick === 1 ? freshAddress(rng) : (contracts[rng.below(contracts.length)] as Address).toString()
    const storageKeys = Array.from({ length: rng.below(7) }, () =>
      quantity(rng.below(2) === 0 ? BigInt(rng.below(4)) : rng.next())
        .replace(/^0x/, '')
        .padStart(64, '0'),
    ).map((k) => `0x${k.slice(-64)}` as Hex)
    if (storageKeys.length > 0 && rng.below(4) === 0) storageKeys.push(storageKeys[0] as Hex)
    list.push({ address: address as Hex, storageKeys })
  }
  if (list.length > 0 && rng.below(4) === 0) list.push(list[0] as (typeof list)[number])
  return list
}

const EMPTY_ACCOUNT = '0x00000000000000000000000000000000000e0e0e'

/**
 * Withdrawals for one block in two: up to 16, to the block's contracts and users, a precompile,
 * the empty account or an address no one has, of zero (one in four), one or up to 32 ETH in gwei.
 */
function randomWithdrawals(rng: Rng, known: Address[]): NonNullable<SealInput['withdrawals']> {
  if (rng.below(2) === 0) return []
  const first = BigInt(rng.below(1_000_000))
  return Array.from({ length: 1 + rng.below(16) }, (_, i) => {
    const pick = rng.below(8)
    const address =
      pick === 0
        ? createAddressFromString(randomPrecompile(rng))
        : pick === 1
          ? createAddressFromString(EMPTY_ACCOUNT)
          : pick === 2
            ? createAddressFromString(freshAddress(rng))
            : (known[rng.below(known.length)] as Address)
    const size = rng.below(4)
    const amount = size === 0 ? 0n : size === 1 ? 1n : BigInt(rng.below(32_000_000_000))
    return { index: first + BigInt(i), validatorIndex: BigInt(rng.below(1_000_000)), address, amount }
  })
}

/** What one fuzzed block holds. */
export interface FuzzBlock {
  trace: BlockTrace
  /** Transactions the block builder took; the rest were invalid (e.g. not enough gas) and dropped. */
  included: number
  dropped: number
}

/**
 * One random block of `txCount` transactions on `fork`, from `seed`: six contracts of random code
 * (with a few storage slots set, and balances), users with funds, and transactions of every envelope
 * (legacy, EIP-2930, EIP-1559, from Cancun EIP-4844 with a blob, from Prague EIP-7702 delegating to a
 * random contract) calling a
 * contract, a precompile or creating one, with random calldata, value and gas limit; from Prague one
 * in eight is a request (a deposit, a withdrawal request or a consolidation); one plain call in six
 * carries an access list; one block in two has withdrawals.
 */
export async function fuzzBlock(seed: string, fork: Fork, txCount: number): Promise<FuzzBlock> {
  const id = `fuzz/${seed}`
  const rng = new Rng(id)
  const addresses = Array.from({ length: FUZZ_CONTRACTS }, (_, i) => contractAddress(i))
  const targets = addresses.map((a) => BigInt(a.toString()))
  const users = Array.from({ length: txCount }, (_, i) => wallet(1000 + i))
  const pre = systemContractsPre(fork)
  const requests = FORKS.indexOf(fork) >= FORKS.indexOf('Prague')
  if (requests) pre[DEPOSIT_CONTRACT] = { nonce: '0x1', balance: '0x0', code: DEPOSIT_EMITTER, storage: {} }
  for (const u of users) pre[u.address.toString() as Hex] = { nonce: '0x0', balance: quantity(1_000_000n * ETH), code: '0x', storage: {} }
  for (const a of addresses) {
    const storage: Record<Hex, Hex> = {}
    for (let k = 0; k < 4; k++) if (rng.below(2) === 1) storage[quantity(BigInt(k))] = quantity(BigInt(1 + rng.below(2)))
    pre[a.toString() as Hex] = {
      nonce: quantity(BigInt(rng.below(2))),
      balance: quantity(BigInt(rng.below(3)) * ETH),
      code: toHex(randomProgram(rng, fork, targets)),
      storage,
    }
  }
  // An empty account, which a zero withdrawal deletes (execution-specs) and a touch deletes (EIP-161).
  pre[EMPTY_ACCOUNT] = { nonce: '0x0', balance: '0x0', code: '0x', storage: {} }
  const { trace, included } = await sealBlock(
    {
      id,
      fork,
      pre,
      rng,
      withdrawals: randomWithdrawals(rng, [...addresses, ...users.map((u) => u.address)]),
      coinbase: addresses[0]?.toString() as Hex,
      source: `fuzz:${seed}`,
      generatedBy: `pnpm stepproof fuzz (seed ${seed})`,
    },
    async (add) => {
      let n = 0
      for (let i = 0; i < txCount; i++) {
        const from = users[i] as (typeof users)[number]
        if (requests && rng.below(8) === 0) {
          if (await add(requestTx(rng, from), i)) n++
          continue
        }
        const create = rng.below(8) === 0
        const spec: TxSpec = {
          from,
          ...(create
            ? {}
            : {
                to:
                  rng.below(6) === 0
                    ? createAddressFromString(`0x${'00'.repeat(19)}0${1 + rng.below(9)}`)
                    : addresses[rng.below(FUZZ_CONTRACTS)],
              }),
          data: create ? toHex(randomProgram(rng, fork, targets)) : toHex(Uint8Array.from({ length: rng.below(80) }, () => rng.below(256))),
          value: BigInt(rng.below(3)),
          gasLimit: BigInt(60_000 + rng.below(1_500_000)),
          envelope: envelopeOf(rng, fork, create),
          expect: 'success',
        }
        // One plain call in six carries a random access list (EIP-2930), repeats and all.
        if (spec.envelope === 'call' && rng.below(6) === 0) spec.accessList = randomAccessList(rng, addresses)
        if (spec.envelope === 'set-code') {
          spec.authority = wallet(5000 + i)
          spec.delegateTo = addresses[rng.below(FUZZ_CONTRACTS)]
          spec.to = spec.authority.address
        }
        if (await add(spec, i)) n++
      }
      return n
    },
  )
  return { trace, included, dropped: txCount - included }
}

/** The system contracts a fork's blocks expect (EIP-4788 from Cancun; EIP-2935, EIP-7002, EIP-7251 from Prague), as a pre-state. */
export function systemContractsPre(fork: Fork): BlockTraceInput['pre'] {
  const pre: BlockTraceInput['pre'] = {}
  for (const sc of systemContracts.contracts) {
    if (FORKS.indexOf(fork) < FORKS.indexOf(sc.fromFork as Fork)) continue
    pre[sc.address.toLowerCase() as Hex] = { nonce: quantity(BigInt(sc.nonce)), balance: '0x0', code: sc.code as Hex, storage: {} }
  }
  return pre
}

/**
 * A block of one value transfer on `fork`, on the fork's system contracts but those at `without`
 * (lower-case addresses): e.g. a Prague block without its EIP-7002 contract, which execution-specs
 * and go-ethereum reject and ethereumjs seals.
 */
export async function transferBlock(fork: Fork, without: readonly string[] = []): Promise<BlockTrace> {
  const sender = wallet(1)
  const pre = Object.fromEntries(Object.entries(systemContractsPre(fork)).filter(([a]) => !without.includes(a))) as BlockTraceInput['pre']
  pre[sender.address.toString() as Hex] = { nonce: '0x0', balance: quantity(100n * ETH), code: '0x', storage: {} }
  const id = `transfer/${fork}${without.map((a) => `-without-${a}`).join('')}`
  const spec: TxSpec = {
    from: sender,
    to: wallet(2).address,
    data: '0x',
    value: 1n,
    gasLimit: 21_000n,
    envelope: 'call',
    expect: 'success',
  }
  const { trace } = await sealBlock(
    { id, fork, pre, rng: new Rng(id), coinbase: `0x${'c0'.repeat(20)}`, source: `test:${id}`, generatedBy: 'transferBlock' },
    async (add) => Number(await add(spec, 2)),
  )
  return trace
}

/** What {@link sealBlock} builds a block from. */
export interface SealInput {
  id: string
  fork: Fork
  pre: BlockTraceInput['pre']
  /** Draws the ancestry's root hash and the beacon root, then whatever the transactions draw. */
  rng: Rng
  coinbase: Hex
  source: string
  generatedBy: string
  /** EIP-4895 withdrawals (amounts in gwei); none when absent. */
  withdrawals?: WithdrawalInput[]
}

/**
 * A block sealed by ethereumjs's block builder on `pre` (as the parent's state, on parentChain's
 * 256-block ancestry): `fill` adds the transactions (`add` signs and offers one; false when the
 * builder refuses it, which leaves it out) and returns how many went in. The trace's roots are
 * ethereumjs's.
 */
export async function sealBlock(
  input: SealInput,
  fill: (add: (spec: TxSpec, index: number) => Promise<boolean>) => Promise<number>,
): Promise<{ trace: BlockTrace; included: number }> {
  const { id, fork, pre, rng } = input
  const common = commonFor(fork, SCENARIO_CHAIN_ID)
  const stateManager = await buildPreState(pre as BlockTrace['pre'], common)
  const world = { fork, common, pre, stateRoot: toHex(await stateManager.getStateRoot()) }
  const { parent, ancestors } = parentChain(world, rng)
  const blockchain = new TraceChain(common, [...ancestors, parent])
  const vm = await createVM({ common, blockchain, stateManager })
  const cancun = FORKS.indexOf(fork) >= FORKS.indexOf('Cancun')
  const builder = await buildBlock(vm, {
    parentBlock: parent,
    headerData: {
      timestamp: parent.header.timestamp + 12n,
      coinbase: input.coinbase,
      mixHash: toHex(new Uint8Array(32).fill(7)),
      gasLimit: parent.header.gasLimit,
      ...(cancun ? { parentBeaconBlockRoot: `0x${rng.next().toString(16).padStart(64, '0')}` as Hex } : {}),
    },
    withdrawals: input.withdrawals ?? [],
    blockOpts: { putBlockIntoBlockchain: false, calcDifficultyFromHeader: parent.header },
  })
  const nonces = new Nonces(world)
  const included = await fill(async (spec, index) => {
    try {
      await builder.addTransaction(signTx(spec, index, nonces, world, rng))
      return true
    } catch {
      // Not a valid transaction in this block (its gas, say): left out, as a block builder would.
      return false
    }
  })
  await settleZeroWithdrawals(vm, input.withdrawals ?? [])
  const { block } = await builder.build()
  const header = headerToTrace(block.header)
  const trace: BlockTraceInput = {
    format: TRACE_FORMAT,
    id,
    source: input.source,
    generatedBy: input.generatedBy,
    fork,
    chainId: Number(SCENARIO_CHAIN_ID),
    chainConfig: {},
    parent: headerToTrace(parent.header),
    ancestors: ancestors.map((b) => headerToTrace(b.header)),
    block: {
      header,
      transactions: block.transactions.map((tx) => toHex(tx.serialize())),
      withdrawals: withdrawalsToTrace(input.withdrawals ?? []),
    },
    pre,
    expected: expectedFromHeader(header),
  }
  return { trace: parseBlockTrace(trace, id), included }
}
