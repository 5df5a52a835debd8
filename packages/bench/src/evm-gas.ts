/**
 * Gas of the EVM-native one-step proof (contracts/src/evm/) on a local Anvil, by opcode class (the
 * checker's and the verifier's files) and step kind: every step the verifier proves of every block
 * of a corpus is traced, proven on-chain (the codes it reads posted to the CodeOracle first) and held
 * to the tracer's post; the gas inside `step` (measured around the call), the witness bytes, the worst
 * step; the steps it does not prove yet, by kind; and the verifier's size.
 *
 *   pnpm bench:evm-gas [--corpus standard] [--json]
 */
import { loadAnyCorpus, parseCorpusName } from '@stepproof/block-traces'
import { startAnvil } from '@stepproof/contracts'
import { deployEvmVerifier, provenOnChain, proveOnChain, traceBlock, verifierClass } from '@stepproof/evm-native-proof'
import { codeSize, EVM_VERIFIER } from './code-size.ts'

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b)
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * (s.length - 1)))] as number
  return { n: s.length, min: s[0] as number, median: at(0.5), p99: at(0.99), max: s[s.length - 1] as number }
}

const args = process.argv.slice(2)
const json = args.includes('--json')
const corpusArg = args[args.indexOf('--corpus') + 1]
const corpus = parseCorpusName(args.includes('--corpus') && corpusArg !== undefined ? corpusArg : 'standard')
const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}`

const byClass = new Map<string, { gas: number[]; witness: number[] }>()
const unproven: Record<string, number> = {}
let worst = { gas: 0, step: '' }
const blocks = await loadAnyCorpus(corpus)
const anvil = await startAnvil()
try {
  const d = await deployEvmVerifier(anvil)
  for (const [i, { trace }] of blocks.entries()) {
    if (!json) process.stderr.write(`${i + 1}/${blocks.length} ${trace.id}\n`)
    await traceBlock(trace, {
      witness: () => true,
      onWitness: async (w) => {
        if (!provenOnChain(w)) {
          unproven[w.kind] = (unproven[w.kind] ?? 0) + 1
          return
        }
        const r = await proveOnChain(d, w)
        if (r.onchainPost !== hex(w.post)) throw new Error(`${trace.id} step ${w.step}: the on-chain post is not the tracer's`)
        const cls = w.kind === 'opcode' ? verifierClass(w.opcode ?? 0) : w.kind
        const entry = byClass.get(cls) ?? { gas: [], witness: [] }
        entry.gas.push(r.executionGas)
        entry.witness.push(r.calldataBytes)
        byClass.set(cls, entry)
        if (r.executionGas > worst.gas)
          worst = {
            gas: r.executionGas,
            step: `${trace.id} step ${w.step} (${cls}${w.opcode === undefined ? '' : ` 0x${w.opcode.toString(16)}`})`,
          }
      },
    })
  }
} finally {
  await anvil.stop()
}
const size = codeSize(EVM_VERIFIER.files(), EVM_VERIFIER.contracts)
const classes = [...byClass.entries()]
  .map(([cls, e]) => ({ class: cls, gas: stats(e.gas), witnessBytes: stats(e.witness) }))
  .sort((a, b) => a.gas.median - b.gas.median)
const proven = classes.reduce((n, c) => n + c.gas.n, 0)
if (json) console.log(JSON.stringify({ corpus, blocks: blocks.length, proven, classes, worst, unproven, codeSize: size }, null, 2))
else {
  console.log(`${corpus}: ${blocks.length} blocks, ${proven} steps proven on Anvil, every on-chain post equal to the tracer's`)
  console.log('class                 n      step gas min / median / p99 / max           calldata bytes median / max')
  for (const c of classes) {
    const g = c.gas
    console.log(
      `${c.class.padEnd(16)} ${String(g.n).padStart(6)}   ${[g.min, g.median, g.p99, g.max].map((x) => String(x).padStart(8)).join(' / ')}   ${String(c.witnessBytes.median).padStart(10)} / ${c.witnessBytes.max}`,
    )
  }
  console.log(`worst step: ${worst.gas} gas, ${worst.step}`)
  console.log(`not proven on-chain yet: ${JSON.stringify(unproven)}`)
  console.log(
    `verifier: ${size.lines} lines of Solidity over ${size.files.length} files; deployed ${size.deployed.map((x) => `${x.contract} ${x.bytes} B`).join(', ')}`,
  )
}
