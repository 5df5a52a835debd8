import { fromHex, toHex } from '@stepproof/block-traces'
import { decodeState } from './state.ts'
import type { StepWitness } from './witness.ts'

/** A step witness as the shared vectors file stores it (hex strings), with the preimage it reads. */
export interface StepVector {
  name: string
  stateData: string
  proof: string
  post: string
  /** The preimage the step reads ("0x" if none), its key and the offset read at. */
  preimage: string
  preimageKey: string
  preimageOffset: number
}

/** A witness as a vector; `preimage` is the data behind the key the step reads, if it reads one. */
export function toVector(name: string, w: StepWitness, preimage: Uint8Array = new Uint8Array()): StepVector {
  return {
    name,
    stateData: toHex(w.stateData),
    proof: toHex(w.proof),
    post: toHex(w.post),
    preimage: toHex(w.preimage ? preimage : new Uint8Array()),
    preimageKey: w.preimage ? toHex(w.preimage.key) : `0x${'00'.repeat(32)}`,
    preimageOffset: w.preimage?.offset ?? 0,
  }
}

/** A vector back as a witness (its pre-state hash is not stored) and the preimage data it needs. */
export function fromVector(v: StepVector): { witness: StepWitness; preimage?: Uint8Array } {
  const stateData = fromHex(v.stateData)
  const reads = v.preimage !== '0x'
  const witness: StepWitness = {
    step: decodeState(stateData).state.step,
    pre: new Uint8Array(32),
    post: fromHex(v.post),
    stateData,
    proof: fromHex(v.proof),
    ...(reads ? { preimage: { key: fromHex(v.preimageKey), offset: v.preimageOffset } } : {}),
  }
  return reads ? { witness, preimage: fromHex(v.preimage) } : { witness }
}
