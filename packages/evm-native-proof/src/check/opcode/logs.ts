/**
 * LOG0–LOG4: the log's hash, `H(rlp([address, topics, data]))`, chained into the sub-state's
 * logsHash; a log whose RLP is longer than KECCAK_CHUNK is hashed through the frame's sponge over
 * several steps (SPEC.md §6.1), and only the last reads the sub-state. The generator's twin is
 * src/trace/opcode/logs.ts.
 */
import { RLP } from '@ethereumjs/rlp'
import { be, join, keccak, writeSubstate } from '../layout.ts'
import { KECCAK_CHUNK } from '../sponge.ts'
import { byteLength, Halt, type OpcodeRule } from './step.ts'

/**
 * The RLP of a log, `rlp([address, topics, data])`, up to its data (of `len` bytes, more than 55):
 * what a long log's sponge absorbs before the data.
 */
function logHead(address: Uint8Array, topics: Uint8Array[], len: bigint): Uint8Array {
  const header = (n: bigint, base: number) =>
    n <= 55n ? Uint8Array.of(base + Number(n)) : join([Uint8Array.of(base + 55 + byteLength(n)), be(n, byteLength(n))])
  const body = join([
    Uint8Array.of(0x94),
    address,
    header(33n * BigInt(topics.length), 0xc0),
    ...topics.map((t) => join([Uint8Array.of(0xa0), t])),
    header(len, 0x80),
  ])
  return join([header(BigInt(body.length) + len, 0xc0), body])
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
  const head = logHead(f.address, topics, len)
  const h = BigInt(head.length)
  // rlp([address, topics, data]) is hashed: a long one through the sponge, its head from the stack and its data from memory.
  const logHash =
    !c.continuing && h + len <= BigInt(KECCAK_CHUNK)
      ? keccak(RLP.encode([f.address, topics, c.memoryBytes(offset, 0n, len)]))
      : c.hashed(h + len, (from, to) =>
          join([
            head.subarray(Number(from < h ? from : h), Number(to < h ? to : h)),
            c.memoryBytes(offset, from > h ? from - h : 0n, to - h),
          ]),
        )
  // The log goes on in the next step.
  if (logHash === undefined) return
  const sub = c.substate()
  c.state = {
    ...c.state,
    substateHash: keccak(writeSubstate({ ...sub, logsHash: keccak(sub.logsHash, logHash), logCount: sub.logCount + 1n })),
  }
}

export const LOGS: Record<number, OpcodeRule> = { 160: log, 161: log, 162: log, 163: log, 164: log }
