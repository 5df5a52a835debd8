/**
 * LOG0–LOG4: the log's RLP, `rlp([address, topics, data])`, written at the end of the sub-state's logs
 * tree and its address and topics set in the sub-state's bloom; a deposit contract's DepositEvent
 * (Prague on) absorbed into the sub-state's request streams. A log whose RLP is longer than
 * KECCAK_CHUNK is written that many bytes a step, the tree's root so far in the frame's `sponge`
 * word, and only the last step changes the sub-state (SPEC.md §6.1). The generator's twin is
 * src/trace/opcode/logs.ts.
 */
import { RLP } from '@ethereumjs/rlp'
import { be, join, keccak, opened, rlpHeader, writeSubstate } from '../layout.ts'
import { absorbRequest, DEPOSIT_EVENT_BYTES, depositData, isDepositEvent, openStreams, writeStreams } from '../requests.ts'
import { KECCAK_CHUNK } from '../sponge.ts'
import { writeBytes } from '../trees.ts'
import { WitnessError } from '../witness-reader.ts'
import { Halt, type OpcodeRule } from './step.ts'

/** EIP-6110 starts at Prague. */
const PRAGUE = 2

/**
 * The RLP of a log, `rlp([address, topics, data])`, up to its data (of `len` bytes, more than 55):
 * what a long log writes before the data.
 */
function logHead(address: Uint8Array, topics: Uint8Array[], len: bigint): Uint8Array {
  const body = join([
    Uint8Array.of(0x94),
    address,
    rlpHeader(33 * topics.length, 0xc0),
    ...topics.map((t) => join([Uint8Array.of(0xa0), t])),
    rlpHeader(len, 0x80),
  ])
  return join([rlpHeader(BigInt(body.length) + len, 0xc0), body])
}

/** Sets the three bloom bits of `item` (the yellow paper's M3:2048). */
function addToBloom(bloom: Uint8Array, item: Uint8Array): void {
  const h = keccak(item)
  for (let i = 0; i < 6; i += 2) {
    const bit = (((h[i] as number) << 8) | (h[i + 1] as number)) & 2047
    bloom[255 - (bit >> 3)] = (bloom[255 - (bit >> 3)] as number) | (1 << (bit & 7))
  }
}

const log: OpcodeRule = (c) => {
  const { f } = c
  if (f.isStatic) throw new Halt()
  const [offset, len] = [c.a(0), c.a(1)]
  if (!c.continuing) {
    c.use(8n * len)
    c.expand(offset, len)
  }
  const topics = c.args.slice(2).map((t) => be(t))
  const sub = c.substate()
  const head = logHead(f.address, topics, len)
  const h = BigInt(head.length)
  const short = !c.continuing && h + len <= BigInt(KECCAK_CHUNK)
  // A short log is written whole; a long one KECCAK_CHUNK bytes of its RLP a step, its head from the stack and its data from memory.
  const total = short ? 0n : h + len
  const done = BigInt(f.progress)
  if (c.continuing && done >= total) throw new WitnessError(`the frame has written ${done} bytes of a log of ${total}`)
  const to = short || total - done <= BigInt(KECCAK_CHUNK) ? total : done + BigInt(KECCAK_CHUNK)
  const data = short ? c.memoryBytes(offset, 0n, len) : undefined
  const bytes =
    data !== undefined
      ? RLP.encode([f.address, topics, data])
      : join([head.subarray(Number(done < h ? done : h), Number(to < h ? to : h)), c.memoryBytes(offset, done > h ? done - h : 0n, to - h)])
  const root = writeBytes(c.r, 'logs', c.continuing ? f.sponge : sub.logsRoot, Number(sub.logsSize + done), bytes)
  if (to < total) {
    // The log goes on in the next step.
    c.progress = Number(to)
    c.sponge = root
    return
  }
  const bloom = opened(c.r, 'transaction bloom', 256, sub.bloomHash).slice()
  addToBloom(bloom, f.address)
  for (const t of topics) addToBloom(bloom, t)
  // EIP-6110: a DepositEvent of the deposit contract is a request of type 0, unless its data is not the ABI layout.
  let { requests, depositError } = sub
  if (c.s.forkId >= PRAGUE && isDepositEvent(f.address, topics)) {
    const deposit = len === BigInt(DEPOSIT_EVENT_BYTES) && data !== undefined ? depositData(data) : 'invalid'
    if (deposit === 'invalid') depositError = true
    else requests = keccak(writeStreams(absorbRequest(openStreams(c.r, sub.requests), 0, deposit)))
  }
  const logsSize = sub.logsSize + BigInt(short ? bytes.length : total)
  c.state = {
    ...c.state,
    substateHash: keccak(writeSubstate({ ...sub, logsRoot: root, logsSize, bloomHash: keccak(bloom), requests, depositError })),
  }
}

export const LOGS: Record<number, OpcodeRule> = { 160: log, 161: log, 162: log, 163: log, 164: log }
