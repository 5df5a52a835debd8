/**
 * Gas of MIPS.sol's one-step proof on a local Anvil, by instruction class: the gas inside `step`
 * (measured around the call) and the whole transaction (base cost and calldata included), over
 * the witnesses of contracts/test/vectors/mips-steps.json: first over the steps sampled from the
 * go-ethereum guest running a real block, then over every vector (the instruction suite, C and Go
 * program steps, syscalls, preimage reads and writes, faults); plus preimage loads and the
 * verifier's size.
 *
 *   pnpm bench:mips-gas [--json]
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fromHex, REPO_ROOT } from '@stepproof/block-traces'
import { artifact, startAnvil } from '@stepproof/contracts'
import { decodeState, deployMips, fromVector, type StepVector, stepOnChain } from '@stepproof/mips-proof'
import type { Abi } from 'viem'
import { codeSize, MIPS_VERIFIER } from './code-size.ts'

/** The class of the instruction a witness executes, from the instruction word in its first proof. */
function classify(v: StepVector): string {
  if (v.name.startsWith('fault')) return 'fault'
  const { state } = decodeState(fromHex(v.stateData))
  const leaf = fromHex(v.proof).subarray(0, 32)
  const insn = new DataView(leaf.buffer, leaf.byteOffset).getUint32(state.pc & 31) >>> 0
  const opcode = insn >>> 26
  const funct = insn & 0x3f
  if (opcode === 0 && funct === 0x0c) {
    const num = state.registers[2] as number
    if (num === 4003 && state.registers[4] === 5) return 'syscall: preimage read'
    if (num === 4004 && state.registers[4] === 6) return 'syscall: preimage key write'
    return 'syscall: other'
  }
  if (opcode === 2 || opcode === 3 || (opcode === 0 && (funct === 8 || funct === 9))) return 'jump'
  if (opcode === 1 || (opcode >= 4 && opcode < 8)) return 'branch'
  if (opcode === 0 && funct >= 0x10 && funct < 0x1c) return 'hi/lo (mult, div, mfhi…)'
  if (opcode >= 0x28 && opcode !== 0x30) return 'store'
  if (opcode >= 0x20) return 'load'
  if (opcode === 0 && funct < 8) return 'shift'
  return 'alu'
}

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b)
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * (s.length - 1)))] as number
  return { n: s.length, min: s[0] as number, median: at(0.5), p99: at(0.99), max: s[s.length - 1] as number }
}

const json = process.argv.includes('--json')
const vectors = (JSON.parse(readFileSync(join(REPO_ROOT, 'contracts/test/vectors/mips-steps.json'), 'utf8')) as { vectors: StepVector[] })
  .vectors
/** Witnesses sampled from the go-ethereum guest running a real block (see scripts/vectors.ts). */
const isRealStep = (v: StepVector) => v.name.startsWith('geth guest')
type Samples = Map<string, { execution: number[]; tx: number[]; witness: number[] }>
const populations: { title: string; byClass: Samples }[] = [
  { title: 'steps sampled from the go-ethereum guest running standard/eth-transfers', byClass: new Map() },
  { title: 'every vector (instruction suite, C and Go programs, preimage traffic, faults, guest samples)', byClass: new Map() },
]
const anvil = await startAnvil()
const preimageLoads: { kind: string; bytes: number; gas: number }[] = []
try {
  const deployment = await deployMips(anvil)
  const oracleAbi = artifact('PreimageOracle.sol', 'PreimageOracle').abi as Abi
  const load = async (kind: string, size: number, functionName: string, args: unknown[]) => {
    const wallet = anvil.walletClient
    const hash = await wallet.writeContract({
      address: deployment.oracle,
      abi: oracleAbi,
      functionName,
      args,
      account: wallet.account ?? null,
      chain: wallet.chain ?? null,
    })
    const receipt = await anvil.publicClient.waitForTransactionReceipt({ hash })
    preimageLoads.push({ kind, bytes: size, gas: Number(receipt.gasUsed) })
  }
  await load('local (boot data hash)', 32, 'loadLocalData', [1n, `0x${'11'.repeat(32)}`, `0x${'22'.repeat(32)}`, 32n, 0n])
  for (const size of [32, 136, 532, 4096, 24576]) {
    // keccak256 preimages: a trie node is up to ~532 bytes; contract code up to 24,576.
    await load('keccak256', size, 'loadKeccak256PreimagePart', [0n, `0x${'ab'.repeat(size)}`])
  }
  for (const [i, v] of vectors.entries()) {
    const { witness, preimage } = fromVector(v)
    const r = await stepOnChain(deployment, witness, preimage)
    if (r.onchainPost !== v.post) throw new Error(`vector ${i} (${v.name}): on-chain post ${r.onchainPost}, expected ${v.post}`)
    const cls = classify(v)
    for (const { byClass } of isRealStep(v) ? populations : populations.slice(1)) {
      const entry = byClass.get(cls) ?? { execution: [], tx: [], witness: [] }
      entry.execution.push(r.executionGas)
      entry.tx.push(r.txGas)
      entry.witness.push(r.witnessBytes)
      byClass.set(cls, entry)
    }
    if (!json && i % 100 === 0) process.stderr.write(`${i}/${vectors.length}\r`)
  }
} finally {
  await anvil.stop()
}
const size = codeSize(MIPS_VERIFIER.files, MIPS_VERIFIER.contracts)
const tables = populations.map(({ title, byClass }) => ({
  title,
  classes: [...byClass.entries()]
    .map(([cls, e]) => ({ class: cls, execution: stats(e.execution), tx: stats(e.tx), witnessBytes: stats(e.witness) }))
    .sort((a, b) => a.execution.median - b.execution.median),
}))
if (json) console.log(JSON.stringify({ vectors: vectors.length, tables, preimageLoads, codeSize: size }, null, 2))
else {
  console.log(`${vectors.length} witnesses replayed on Anvil; every on-chain post-state equals the TypeScript VM's`)
  for (const t of tables) {
    console.log(`\n${t.title}`)
    console.log('class                         n   step gas min / median / p99 / max     tx gas median   witness bytes (max)')
    for (const c of t.classes) {
      const e = c.execution
      console.log(
        `${c.class.padEnd(28)} ${String(e.n).padStart(4)}   ${[e.min, e.median, e.p99, e.max].map((x) => String(x).padStart(6)).join(' / ')}   ${String(c.tx.median).padStart(12)}   ${String(c.witnessBytes.max).padStart(13)}`,
      )
    }
  }
  console.log('')
  for (const l of preimageLoads)
    console.log(`loading one 32-byte part of a ${l.kind} preimage of ${l.bytes} bytes: ${l.gas} gas (transaction)`)
  console.log(
    `verifier: ${size.lines} lines of Solidity over ${size.files.length} files; deployed ${size.deployed.map((d) => `${d.contract} ${d.bytes} B`).join(', ')}`,
  )
}
