/**
 * LOG0–LOG4's items: the sub-state, the part of the log's data this step writes (from memory), the
 * logs tree's leaves it writes into, and once the log is whole the transaction's bloom and, for a
 * deposit (Prague on), the request streams (SPEC.md §6.1); the checker's side is src/check/opcode/logs.ts.
 */
import { concat, uint } from '../../commit/hash.ts'
import { KECCAK_CHUNK } from '../../commit/sponge.ts'
import { logHead } from '../encoding.ts'
import { PRAGUE } from '../phases.ts'
import { depositRequestOf, encodeLog } from '../tx-logs.ts'
import { type OpcodeWitness, opcodes, TREE_BYTES } from './witness-step.ts'

const log: OpcodeWitness = ({ src, proof, items, a, done, memory }) => {
  const [offset, len] = [a(0), a(1)]
  const topics = items.slice(2).map((v) => uint(v))
  const head = BigInt(logHead(src.frame.address, topics, Number(len < TREE_BYTES ? len : 0n)).length)
  const short = done === 0 && head + len <= BigInt(KECCAK_CHUNK)
  const total = head + len
  const to = short || total - BigInt(done) <= BigInt(KECCAK_CHUNK) ? total : BigInt(done) + BigInt(KECCAK_CHUNK)
  proof.push(src.substate)
  const from = BigInt(done)
  memory([offset + (from > head ? from - head : 0n), to - (from > head ? from : head)])
  // (A range no memory holds halts the step first; an empty one at any offset reads nothing.)
  if (len > 0n && offset + len > TREE_BYTES) return
  const data = short ? src.frame.memory.bytes.slice(Number(offset), Number(offset + len)) : undefined
  // The bytes this step writes: a short log's whole RLP, else this part of head ‖ data.
  const size = data !== undefined ? encodeLog(src.frame.address, topics, padded(data, Number(len))).length : Number(to - from)
  const at = src.logs.size + done
  const r = src.logs.tree.range(Math.floor(at / 32), Math.floor((at + size - 1) / 32))
  proof.push(r.leaves, concat(r.siblings))
  if (to < total && !short) return
  proof.push(src.logs.bloom.slice())
  if (src.fork >= PRAGUE && data !== undefined) {
    const deposit = depositRequestOf(src.frame.address, topics, padded(data, Number(len)))
    if (deposit instanceof Uint8Array) proof.push(src.logs.streams.bytes())
  }
}

/** Memory bytes as the EVM reads them: zeros past what has been written. */
function padded(bytes: Uint8Array, len: number): Uint8Array {
  if (bytes.length === len) return bytes
  const out = new Uint8Array(len)
  out.set(bytes)
  return out
}

// 0xa0–0xa4 LOG0–LOG4
export const LOG_WITNESSES: Record<number, OpcodeWitness> = opcodes(0xa0, 0xa4, log)
