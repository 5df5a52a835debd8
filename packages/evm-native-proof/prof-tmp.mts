import { readFileSync } from 'node:fs'
import { checkBlock } from './src/verify-trace.ts'
import { traceBlock } from './src/trace/tracer.ts'
const trace = JSON.parse(readFileSync(process.argv[2] as string, 'utf8'))
const mode = process.argv[3] ?? 'check'
const t0 = performance.now()
if (mode === 'trace') {
  const r = await traceBlock(trace, {})
  console.log('trace only', r.steps.length, ((performance.now() - t0) / 1000).toFixed(1), 's')
} else if (mode === 'witness') {
  let n = 0
  const r = await traceBlock(trace, { witness: () => true, onWitness: async () => { n++ } })
  console.log('trace+witness', r.steps.length, n, ((performance.now() - t0) / 1000).toFixed(1), 's')
} else {
  const r = await checkBlock(trace)
  console.log('check', r.steps, r.checked, r.failures.length, ((performance.now() - t0) / 1000).toFixed(1), 's')
}
