/**
 * The step vectors the Solidity verifier is held to (contracts/test/vectors/evm-steps.json): real
 * opcode steps of the standard corpus, the fixtures and the wide sample, each with the reference checker's post-state,
 * for the opcode classes contracts/src/evm/ proves; and the checker's opcode table for every fork.
 */
import { join } from 'node:path'
import { type BlockTrace, cachedCorpus, loadCorpus, REPO_ROOT, readBlockTrace } from '@stepproof/block-traces'
import { checkStep } from '../src/check/index.ts'
import { be, keccak, readFrame, readState, writeFrame, writeState } from '../src/check/layout.ts'
import { opcodeShape } from '../src/check/opcodes.ts'
import { rangeRoot } from '../src/check/trees.ts'
import { traceBlock } from '../src/trace/tracer.ts'
import type { StepWitness } from '../src/trace/witness.ts'

export const VECTORS_FILE = 'contracts/test/vectors/evm-steps.json'
const REGENERATE = 'pnpm gen:evm-vectors'

/** The opcodes the Solidity verifier proves (contracts/src/evm/opcode/): arithmetic, comparison, stack, control, and memory's MLOAD, MSTORE, MSTORE8, MSIZE. */
export function provenOnChain(op: number): boolean {
  return (
    (op >= 0x01 && op <= 0x0b) ||
    (op >= 0x10 && op <= 0x1e) ||
    op === 0x00 ||
    op === 0x50 ||
    (op >= 0x51 && op <= 0x53) ||
    op === 0x59 ||
    (op >= 0x56 && op <= 0x58) ||
    op === 0x5a ||
    op === 0x5b ||
    (op >= 0x5f && op <= 0x9f) ||
    op === 0xf3 ||
    op === 0xfd
  )
}

/** SPEC.md §5's proof calldata: each witness item as a 4-byte big-endian length and its bytes. */
export function proofCalldata(items: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(items.reduce((n, i) => n + 4 + i.length, 0))
  let at = 0
  for (const item of items) {
    new DataView(out.buffer).setUint32(at, item.length)
    out.set(item, at + 4)
    at += 4 + item.length
  }
  return out
}

export interface StepVector {
  name: string
  opcode: number
  stateData: string
  proof: string
  post: string
}

export interface ShapeVector {
  fork: number
  opcode: number
  defined: boolean
  reads: number
  gas: number
}

/** The blocks the vectors come from: the standard corpus, the fixtures, and the CI's wide sample (all four forks) but its slow blocks. */
async function sourceBlocks(): Promise<BlockTrace[]> {
  const wide = await cachedCorpus('wide-sample')
  const quick = wide.entries.filter((e) => !/ContractCreationSpam|Call50000|LoopCalls|run_until_out_of_gas/.test(e.id))
  return [
    ...[...loadCorpus('standard'), ...loadCorpus('fixtures')].map((e) => e.trace),
    ...quick.map((e) => readBlockTrace(join(REPO_ROOT, e.path))),
  ]
}

const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}`

/** Up to `perOpcode` steps of each proven opcode on each fork, with the checker's post (which must be the tracer's). */
export async function generateVectors(perOpcode = 4): Promise<{ steps: StepVector[]; shapes: ShapeVector[] }> {
  const steps: StepVector[] = []
  const taken = new Map<string, number>()
  let template: StepWitness | undefined
  for (const trace of await sourceBlocks()) {
    const keep = async (w: StepWitness) => {
      if (w.kind !== 'opcode' || w.opcode === undefined || !provenOnChain(w.opcode)) return
      if (w.opcode === 0x01 && template === undefined) template = w
      const key = `${trace.fork} ${w.opcode}`
      if ((taken.get(key) ?? 0) >= perOpcode) return
      const post = await checkStep(w)
      if (hex(post) !== hex(w.post)) throw new Error(`${trace.id} step ${w.step}: the checker's post is not the tracer's`)
      taken.set(key, (taken.get(key) ?? 0) + 1)
      steps.push({
        name: `${trace.id} step ${w.step} opcode 0x${w.opcode.toString(16)}`,
        opcode: w.opcode,
        stateData: hex(w.stateData),
        proof: hex(proofCalldata(w.proof)),
        post: hex(post),
      })
    }
    await traceBlock(trace, { witness: () => true, onWitness: keep })
  }
  if (template === undefined) throw new Error('no ADD step to build the edge vectors on')
  steps.push(...(await edgeVectors(template)))
  const shapes: ShapeVector[] = []
  for (let fork = 0; fork <= 3; fork++)
    for (let opcode = 0; opcode < 256; opcode++) {
      const s = opcodeShape(opcode, fork)
      shapes.push({ fork, opcode, defined: s !== undefined, reads: s?.reads ?? 0, gas: s?.gas ?? 0 })
    }
  return { steps, shapes }
}

/** Words at the edges of the arithmetic: 0, 1, the sign bit, all ones, a byte's and a word's bit count, and a wide odd value. */
const EDGES = [0n, 1n, 1n << 255n, (1n << 256n) - 1n, 255n, (1n << 200n) + 0x1234_5678_9abcn]

/**
 * Steps no corpus block has: every arithmetic and comparison opcode on every pair of EDGES (the
 * modulus of ADDMOD and MULMOD 0, 3 or all ones), built on a real ADD step by putting the opcode in
 * its code chunk and the operands on its stack (the frame's code root and stack hash recomputed),
 * on Osaka so that CLZ exists; the post is the checker's.
 */
async function edgeVectors(add: StepWitness): Promise<StepVector[]> {
  const [frameItem, leafItem, siblingsItem, stackItem] = add.proof as [Uint8Array, Uint8Array, Uint8Array, Uint8Array]
  const frame = readFrame(frameItem)
  const below = stackItem.slice(64, 96)
  const siblings = Array.from({ length: 16 }, (_, i) => siblingsItem.slice(32 * i, 32 * i + 32))
  const out: StepVector[] = []
  const ops = [...Array.from({ length: 11 }, (_, i) => 0x01 + i), ...Array.from({ length: 15 }, (_, i) => 0x10 + i)]
  for (const op of ops) {
    const reads = opcodeShape(op, 3)?.reads as number
    const moduli = reads === 3 ? [0n, 3n, (1n << 256n) - 1n] : [undefined]
    const pairs = reads === 1 ? EDGES.map((a) => [a]) : EDGES.flatMap((a) => EDGES.map((b) => [a, b]))
    for (const m of moduli)
      for (const pair of pairs) {
        const args = m === undefined ? pair : [...pair, m]
        const leaf = leafItem.slice()
        leaf[frame.pc & 31] = op
        let stackHash: Uint8Array = below
        for (let i = args.length - 1; i >= 0; i--) stackHash = keccak(stackHash, be(args[i] as bigint))
        const codeRoot = rangeRoot([keccak(leaf)], frame.pc >> 5, 16, siblings)
        const f = writeFrame({ ...frame, codeRoot, stackHash, stackSize: Math.max(frame.stackSize, reads) })
        const stateData = writeState({ ...readState(add.stateData), forkId: 3, frameHash: keccak(f) })
        const proof = [f, leaf, siblingsItem, Uint8Array.from([...args.flatMap((a) => [...be(a)]), ...below])]
        const post = await checkStep({ pre: keccak(stateData), stateData, proof })
        out.push({
          name: `edge opcode 0x${op.toString(16)} on ${args.map((a) => `0x${a.toString(16)}`).join(', ')}`,
          opcode: op,
          stateData: hex(stateData),
          proof: hex(proofCalldata(proof)),
          post: hex(post),
        })
      }
  }
  return out
}

/** The vectors file: its first key says how to regenerate it. */
export function serializeVectors(v: { steps: StepVector[]; shapes: ShapeVector[] }): string {
  return `${JSON.stringify({ generatedBy: REGENERATE, steps: v.steps, shapes: v.shapes })}\n`
}
