/**
 * LOG0–LOG4's items: the part of the log's data this step hashes, after the sponge's state when the
 * hash goes on from an earlier step (SPEC.md §6.1), and the sub-state once the log is whole; the
 * checker's side is src/check/opcode/logs.ts.
 */
import { uint } from '../../commit/hash.ts'
import { KECCAK_CHUNK } from '../../commit/sponge.ts'
import { logHead } from '../encoding.ts'
import { type OpcodeWitness, opcodes, TREE_BYTES } from './witness-step.ts'

/** The log hashes its RLP head (address, topics, the data's length) then its data: only the data's part is read from memory. */
const log: OpcodeWitness = ({ src, proof, items, a, done, memory, hashPart }) => {
  const [offset, len] = [a(0), a(1)]
  const head = BigInt(
    logHead(
      src.frame.address,
      items.slice(2).map((v) => uint(v)),
      Number(len < TREE_BYTES ? len : 0n),
    ).length,
  )
  const part = head + len <= BigInt(KECCAK_CHUNK) && done === 0 ? ([head, head + len] as const) : hashPart(head + len)
  memory([offset + (part[0] > head ? part[0] - head : 0n), part[1] - (part[0] > head ? part[0] : head)])
  if (part[1] === head + len) proof.push(src.substate)
}

// 0xa0–0xa4 LOG0–LOG4
export const LOG_WITNESSES: Record<number, OpcodeWitness> = opcodes(0xa0, 0xa4, log)
