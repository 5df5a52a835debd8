/**
 * Generates contracts/test/vectors/mips-steps.json: step witnesses from the TypeScript VM that the
 * forge tests replay through MIPS.sol, expecting the same post-state hash.
 *
 *   pnpm gen:mips-vectors (this module's generateVectors, written out by gen-vectors.ts)
 *
 * Sources: every distinct instruction word of the generated instruction suite (up to three operand
 * sets each), sampled steps of the C and Go test programs (including every syscall number they
 * make and their exit), preimage reads and key writes at every alignment, each kind of fault, and
 * steps of the go-ethereum guest running a real block (start-up, input, execution, commitment,
 * preimage reads, exit).
 */
import { join } from 'node:path'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { loadCorpus, toHex } from '@stepproof/block-traces'
import { watchPhases } from '../src/exec-mips.ts'
import { buildGuest } from '../src/guest.ts'
import { TraceOracle } from '../src/host/block-host.ts'
import { vmFromElf } from '../src/program.ts'
import { Memory } from '../src/vm/memory.ts'
import { initialState } from '../src/vm/state.ts'
import { type StepVector, toVector } from '../src/vm/vector.ts'
import { MipsVm, type PreimageOracle } from '../src/vm/vm.ts'
import { proveNextStep, type StepWitness } from '../src/vm/witness.ts'
import { instructionSuite } from '../test/instruction-suite.ts'
import { buildAssembly, buildGo, buildMips, PROGRAMS } from '../test/toolchain.ts'

/** Every vector, in a fixed order (deterministic: the programs build reproducibly). */
export async function generateVectors(): Promise<StepVector[]> {
  const vectors: StepVector[] = []
  const preimages = new Map<string, Uint8Array>()

  function add(name: string, w: StepWitness): void {
    vectors.push(toVector(name, w, w.preimage ? preimages.get(toHex(w.preimage.key)) : undefined))
  }

  /** Runs a program, recording the witnesses of the steps `pick` selects (by step and instruction word). */
  function sample(
    name: string,
    vm: MipsVm,
    pick: (step: number, insn: number, vm: MipsVm) => boolean,
    limit = Number.POSITIVE_INFINITY,
  ): void {
    let taken = 0
    while (!vm.state.exited && taken < limit) {
      const insn = vm.memory.getWord(vm.state.pc) >>> 0
      if (pick(vm.state.step, insn, vm)) {
        add(`${name} step ${vm.state.step} insn 0x${insn.toString(16).padStart(8, '0')}`, proveNextStep(vm))
        taken++
      } else vm.step()
    }
  }

  // 1. The instruction suite: up to three witnesses per distinct instruction word.
  {
    const elf = buildAssembly(instructionSuite().source, 'suite')
    const seen = new Map<number, number>()
    sample('suite', vmFromElf(elf), (_s, insn) => {
      const n = seen.get(insn) ?? 0
      seen.set(insn, n + 1)
      return n < 3
    })
  }

  // 2. C and Go programs: every syscall number's first use, the exit, and evenly spread steps.
  const isSyscall = (insn: number) => insn === 0x0000000c
  for (const [name, elf] of [
    ['sha256.c', buildMips([join(PROGRAMS, 'sha256.c')], 'sha256')],
    ['control.c', buildMips([join(PROGRAMS, 'control.c')], 'control')],
    ['go channels', buildGo(join(PROGRAMS, '..', 'go', 'channels'), 'channels')],
  ] as const) {
    const syscallsSeen = new Set<number>()
    sample(name, vmFromElf(elf), (step, insn, vm) => {
      if (isSyscall(insn)) {
        const num = vm.state.registers[2] as number
        if (!syscallsSeen.has(num)) {
          syscallsSeen.add(num)
          return true
        }
      }
      return step % 4001 === 0
    })
  }

  // 3. Preimage traffic: a key written in pieces at every alignment, then reads at every alignment.
  {
    const preimage = new TextEncoder().encode('stepproof preimage: 37 bytes of data!')
    const key = keccak_256(preimage)
    key[0] = 2
    preimages.set(toHex(key), preimage)
    const oracle: PreimageOracle = {
      getPreimage: (k) => {
        if (toHex(k) !== toHex(key)) throw new Error(`the preimage program asked for ${toHex(k)}, not ${toHex(key)}`)
        return preimage
      },
      hint() {},
    }
    const li = (reg: number, v: number) => [
      (0x0f << 26) | (reg << 16) | (v >>> 16),
      (0x0d << 26) | (reg << 21) | (reg << 16) | (v & 0xffff),
    ]
    const program: number[] = []
    const syscall = (num: number, fd: number, addr: number, count: number) =>
      program.push(...li(2, num), ...li(4, fd), ...li(5, addr), ...li(6, count), 0x0000000c)
    // The key sits at 0x3000..0x301f; each write stays inside its word, at alignments 0, 3 and 2.
    let at = 0x3000
    for (const n of [4, 3, 1, 2, 2, 4, 4, 4, 4, 4]) {
      syscall(4004, 6, at, n)
      at += n
    }
    for (const [addr, count] of [
      [0x4000, 8],
      [0x4009, 100],
      [0x400a, 1],
      [0x400b, 4],
      [0x4010, 4],
      [0x4014, 4],
      [0x4018, 4],
      [0x401c, 2],
    ]) {
      syscall(4003, 5, addr as number, count as number)
    }
    const memory = new Memory()
    for (const [k, w] of program.entries()) memory.setWord(0x1000 + 4 * k, w)
    memory.setRange(0x3000, key)
    const vm = new MipsVm(initialState(0x1000, 0x05000000), memory, oracle)
    sample('preimage', vm, (_s, insn) => isSyscall(insn), 40)
  }

  // 4. Faults: each kind of step Cannon's contract would revert on.
  function faultVector(name: string, words: number[], stepsBefore: number, setup?: (vm: MipsVm) => void): void {
    const memory = new Memory()
    for (const [k, w] of words.entries()) memory.setWord(0x1000 + 4 * k, w)
    const vm = new MipsVm(initialState(0x1000, 0x05000000), memory)
    setup?.(vm)
    vm.run(stepsBefore)
    const w = proveNextStep(vm)
    if (vm.fault === undefined) throw new Error(`${name}: expected a fault`)
    add(`fault: ${name}`, w)
  }
  faultVector('invalid instruction (teq)', [0x00000034], 0)
  faultVector('unsupported syscall 4999', [0x24021387, 0x0000000c], 1) // li $2, 4999; syscall
  faultVector('division by zero', [0x0109001a], 0) // div $8, $9 with $9 = 0
  faultVector('branch in a delay slot', [0x10000002, 0x10000002], 1) // beq in the delay slot of beq
  faultVector('unaligned pc', [0x00000000], 0, (vm) => {
    vm.state.pc = 0x1002
    vm.state.nextPC = 0x1006
  })
  // 5. The go-ethereum guest on a real block: see gethGuestSamples.
  for (const { name, witness } of await gethGuestSamples(GUEST_SAMPLE_TRACE, preimages)) add(name, witness)
  return vectors
}

/** The block the guest samples come from: six transfers, Shanghai, about 195M steps. */
export const GUEST_SAMPLE_TRACE = 'standard/eth-transfers'
const GUEST_EXECUTION_SAMPLES = 120
const GUEST_OTHER_PHASE_SAMPLES = 12
const GUEST_READS_PER_KEY = 4

/**
 * Steps of the go-ethereum guest running a real block: evenly spread over each phase (more in
 * block execution), every phase marker, the first preimage reads of each of the first keys (the
 * boot data and trie nodes, at the offsets the guest's reader uses), and the exit. Two passes: the
 * first runs the block to find where the phases and preimage fetches are, the second re-runs it
 * (deterministically) and proves those steps. `preimages` receives the data behind every key read.
 */
async function gethGuestSamples(traceId: string, preimages: Map<string, Uint8Array>): Promise<{ name: string; witness: StepWitness }[]> {
  const entry = loadCorpus('standard').find((e) => e.trace.id === traceId)
  if (entry === undefined) throw new Error(`guest samples: no trace ${traceId} in the standard corpus`)
  const { elf } = buildGuest()

  // Pass 1: phase markers (stderr) and the steps at which each key's preimage is first fetched.
  const firstOracle = await TraceOracle.forTrace(entry.trace)
  const fetches: number[] = []
  const first = vmFromElf(elf, {
    getPreimage: (key) => {
      fetches.push(first.state.step)
      return firstOracle.getPreimage(key)
    },
    hint: () => firstOracle.hint(),
  })
  const marks: { phase: string; step: number }[] = [{ phase: 'start-up', step: 0 }]
  watchPhases(first, (phase, step) => marks.push({ phase, step }))
  first.run()
  if (first.state.exitCode !== 0) throw new Error(`guest samples: the guest exited with ${first.state.exitCode} on ${traceId}`)
  const total = first.state.step

  const targets = new Map<number, string>()
  for (const [i, m] of marks.entries()) {
    const end = marks[i + 1]?.step ?? total - 1
    const n = m.phase === 'execution' ? GUEST_EXECUTION_SAMPLES : GUEST_OTHER_PHASE_SAMPLES
    for (let k = 0; k < n; k++) targets.set(m.step + Math.floor(((end - m.step) * k) / n), m.phase)
    if (i > 0) targets.set(m.step, `${m.phase} marker`)
  }
  targets.set(total - 1, 'exit')
  const reads = new Set(fetches.slice(0, 8))
  for (const step of reads) targets.set(step, 'preimage read')

  // Pass 2: the same run, stopping at each target to prove it.
  const oracle = await TraceOracle.forTrace(entry.trace)
  const vm = vmFromElf(elf, {
    getPreimage: (key) => {
      const data = oracle.getPreimage(key)
      preimages.set(toHex(key), data)
      return data
    },
    hint: () => oracle.hint(),
  })
  const out: { name: string; witness: StepWitness }[] = []
  const isPreimageRead = () =>
    vm.memory.getWord(vm.state.pc) >>> 0 === 0x0000000c && vm.state.registers[2] === 4003 && vm.state.registers[4] === 5
  const label = (what: string) =>
    `geth guest ${traceId} ${what} step ${vm.state.step} insn 0x${(vm.memory.getWord(vm.state.pc) >>> 0).toString(16).padStart(8, '0')}`
  for (const step of [...targets.keys()].sort((a, b) => a - b)) {
    if (step < vm.state.step) continue // taken already, by a read that followed a fetch
    vm.run(step - vm.state.step)
    const what = targets.get(step) as string
    if (what !== 'preimage read') {
      out.push({ name: label(what), witness: proveNextStep(vm) })
      continue
    }
    if (!isPreimageRead()) throw new Error(`guest samples: step ${step} fetched a preimage but is not a preimage read`)
    // This read and the next few of the same key, at whatever offsets and lengths the guest uses.
    for (let taken = 0, budget = 20_000; taken < GUEST_READS_PER_KEY && budget > 0 && !vm.state.exited; budget--) {
      if (isPreimageRead()) {
        out.push({ name: label(`preimage read at offset ${vm.state.preimageOffset}`), witness: proveNextStep(vm) })
        taken++
      } else vm.step()
    }
  }
  if (!vm.state.exited || vm.state.step !== total)
    throw new Error(`guest samples: the second run ended at step ${vm.state.step}, not ${total}`)
  return out
}

/** Where the vectors are committed, relative to the repository root. */
export const VECTORS_FILE = 'contracts/test/vectors/mips-steps.json'

/** The committed file's text for a list of vectors. */
export function serializeVectors(vectors: StepVector[]): string {
  return `${JSON.stringify({ generatedBy: 'pnpm gen:mips-vectors', vectors }, null, 1)}\n`
}
