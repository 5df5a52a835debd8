import type { BlockHeader } from '@ethereumjs/block'
import { quantity } from './hex.ts'
import { type BlockTrace, HeaderSchema, type TraceHeader } from './trace.ts'

/** A decoded header in the trace's JSON form (minimal quantities, lower-case hex). */
export function headerToTrace(header: BlockHeader): TraceHeader {
  const json = header.toJSON() as Record<string, string | undefined>
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(json)) {
    if (value === undefined) continue
    out[key] = value.toLowerCase()
  }
  // toJSON keeps ethereumjs's own quantity form; the trace's is minimal 0x-hex.
  for (const key of ['difficulty', 'number', 'gasLimit', 'gasUsed', 'timestamp', 'baseFeePerGas', 'blobGasUsed', 'excessBlobGas']) {
    if (out[key] !== undefined) out[key] = quantity(BigInt(out[key]))
  }
  return HeaderSchema.parse(out)
}

/** What a block's own header claims about its execution: the expectation a trace checks against. */
export function expectedFromHeader(header: TraceHeader): BlockTrace['expected'] {
  return {
    stateRoot: header.stateRoot,
    receiptsRoot: header.receiptTrie,
    gasUsed: header.gasUsed,
    logsBloom: header.logsBloom,
    ...(header.requestsHash === undefined ? {} : { requestsHash: header.requestsHash }),
  }
}

/** Withdrawals in the trace's JSON form. */
export function withdrawalsToTrace(
  withdrawals: { index: bigint; validatorIndex: bigint; address: { toString(): string }; amount: bigint }[],
): NonNullable<BlockTrace['block']['withdrawals']> {
  return withdrawals.map((w) => ({
    index: quantity(w.index),
    validatorIndex: quantity(w.validatorIndex),
    address: w.address.toString() as `0x${string}`,
    amount: quantity(w.amount),
  }))
}
