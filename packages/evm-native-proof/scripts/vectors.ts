/**
 * The step vectors the Solidity verifier is held to (contracts/test/vectors/evm-steps.json): real
 * steps of the standard corpus, the fixtures and the wide sample, each with the reference checker's post-state,
 * for the step kinds and opcode classes contracts/src/evm/ proves; and the checker's opcode table for every fork.
 */
import { join } from 'node:path'
import {
  type BlockTrace,
  cachedCorpus,
  cachedTracePath,
  importWideFixture,
  loadCorpus,
  REPO_ROOT,
  readBlockTrace,
  wideLocation,
} from '@stepproof/block-traces'
import { checkStep } from '../src/check/index.ts'
import { be, keccak, num, readFrame, readState, writeFrame, writeState } from '../src/check/layout.ts'
import { COPY_CHUNK } from '../src/check/opcode.ts'
import { opcodeShape } from '../src/check/opcodes.ts'
import { rangeRoot } from '../src/check/trees.ts'
import { opcodeProvenOnChain, operand, proofCalldata, provenOnChain } from '../src/onchain.ts'
import { traceBlock } from '../src/trace/tracer.ts'
import type { StepWitness } from '../src/trace/witness.ts'
import { copiesBlock, hashesBlock } from '../test/long-blocks.ts'

export const VECTORS_FILE = 'contracts/test/vectors/evm-steps.json'
const REGENERATE = 'pnpm gen:evm-vectors'

/** The kind of step a vector stands for, so that each kind gets its own few vectors per fork. */
function stepKey(fork: string, w: StepWitness): string {
  // The other step kinds' witnesses need not start with a frame.
  if (w.kind === 'tx-refund' || w.kind === 'tx-cleanup') return `${fork} ${w.kind} ${txEndCase(w)}`
  if (w.kind !== 'opcode' && w.kind !== 'frame-exit') return `${fork} ${w.kind}`
  const f = readFrame(w.proof[0] as Uint8Array)
  // A frame's exit by the frame's kind, its status, whether it is a transaction's, and whether an output copy is under way.
  if (w.kind === 'frame-exit') return `${fork} exit ${f.kind} ${f.status} ${f.depth === 0} ${f.progress > 0}`
  // A long copy's, hash's or log's steps are of their own kinds (the first, the later parts).
  return `${fork} ${w.opcode} ${f.progress > 0} ${longStep(w)}`
}

/**
 * A transaction end's case, from its maps' counts (SPEC.md §5.4): a refund with accounts to clean up
 * or none; a clean-up of a self-destructed or a touched account.
 */
function txEndCase(w: StepWitness): string {
  const count = (i: number) => num((w.proof[i] as Uint8Array).subarray(32))
  if (w.kind === 'tx-refund') return count(5) + count(6) > 2n ? 'cleanup' : 'receipt'
  return BigInt(readState(w.stateData).subIndex) < count(1) - 1n ? 'selfdestructed' : 'touched'
}

/** Whether a copy, hash or log step goes on past this step: a kind of step of its own for the vectors. */
function longStep(w: StepWitness): boolean {
  const op = w.opcode as number
  const len = [0x37, 0x39, 0x3e, 0x5e].includes(op) ? operand(w, 2) : op === 0x20 || op >= 0xa0 ? operand(w, 1) : 0n
  return len > BigInt(COPY_CHUNK) - 256n && len < 1n << 32n
}

export interface StepVector {
  name: string
  /** `opcode`, `frame-exit`, `tx-refund` or `tx-cleanup`. */
  kind: string
  opcode: number
  stateData: string
  proof: string
  /** The codes the step reads through the CodeOracle, posted before it. */
  codes: string[]
  post: string
}

export interface ShapeVector {
  fork: number
  opcode: number
  defined: boolean
  reads: number
  gas: number
}

/**
 * eest-wide fixture files whose blocks run opcodes the other sources do not (PUSH11–PUSH28, SWAP9–SWAP16,
 * BASEFEE, LOG4), found by scanning the fixtures' codes: every block of each is a source.
 */
const COVERAGE_FIXTURES = [
  'frontier__opcodes__test_swap',
  'frontier__opcodes__test_dup',
  'osaka__eip7939_count_leading_zeros__test_clz_push_operation_same_value',
  'static__state_tests__stBadOpcode__undefinedOpcodeFirstByte',
  'static__state_tests__VMTests__vmLogTest__log4',
].map((name) => `eest-v5.4.0__blockchain_tests__${name}.json.gz`)

/** The blocks the vectors come from: the standard corpus, the fixtures, the CI's wide sample (all four forks) but its slow blocks, the coverage fixtures and the long-step blocks. */
async function sourceBlocks(): Promise<BlockTrace[]> {
  const wide = await cachedCorpus('wide-sample')
  const quick = wide.entries.filter((e) => !/ContractCreationSpam|Call50000|LoopCalls|run_until_out_of_gas/.test(e.id))
  const loc = wideLocation()
  const coverage: BlockTrace[] = []
  for (const fixture of COVERAGE_FIXTURES) {
    const { entry } = await importWideFixture(loc, fixture)
    for (const t of entry.traces) coverage.push(readBlockTrace(cachedTracePath(loc, entry, t)))
  }
  // Copies, hashes and logs past one step (no corpus block has them): test/long-copies.test.ts's blocks.
  const long = [await copiesBlock('Cancun'), await copiesBlock('Osaka'), await hashesBlock('Shanghai'), await hashesBlock('Prague')]
  return [
    ...[...loadCorpus('standard'), ...loadCorpus('fixtures')].map((e) => e.trace),
    ...quick.map((e) => readBlockTrace(join(REPO_ROOT, e.path))),
    ...coverage,
    ...long,
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
      if (!provenOnChain(w)) return
      if (w.opcode === 0x01 && template === undefined) template = w
      const key = stepKey(trace.fork, w)
      if ((taken.get(key) ?? 0) >= perOpcode) return
      const post = await checkStep(w)
      if (hex(post) !== hex(w.post)) throw new Error(`${trace.id} step ${w.step}: the checker's post is not the tracer's`)
      taken.set(key, (taken.get(key) ?? 0) + 1)
      steps.push({
        name: `${trace.id} step ${w.step} ${w.kind === 'opcode' ? `opcode 0x${(w.opcode ?? 0).toString(16)}` : w.kind}`,
        kind: w.kind,
        opcode: w.opcode ?? 0,
        stateData: hex(w.stateData),
        proof: hex(proofCalldata(w.proof)),
        codes: w.codes.map(hex),
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
          kind: 'opcode',
          opcode: op,
          stateData: hex(stateData),
          proof: hex(proofCalldata(proof)),
          codes: [],
          post: hex(post),
        })
      }
  }
  return out
}

/** The vectors file: its first key says how to regenerate it. */
export function serializeVectors(v: { steps: StepVector[]; shapes: ShapeVector[] }): string {
  const proven = Array.from({ length: 256 }, (_, op) => op).filter(opcodeProvenOnChain)
  return `${JSON.stringify({ generatedBy: REGENERATE, proven, steps: v.steps, shapes: v.shapes })}\n`
}
