import type { BlockHeader } from '@ethereumjs/block'
import { quantity } from './hex.ts'
import { HeaderSchema, type TraceHeader } from './trace.ts'

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
