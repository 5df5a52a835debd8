import { loadCorpus } from '@stepproof/block-traces'
import { checkBlock } from './src/verify-trace.ts'

const want = process.argv[2] ?? 'standard/'
for (const { trace } of [...loadCorpus('standard'), ...loadCorpus('fixtures')]) {
  if (process.argv[3]) break
  if (!trace.id.includes(want)) continue
  const r = await checkBlock(trace)
  console.log(
    trace.id.slice(0, 60),
    'steps',
    r.steps,
    'witnessed',
    r.witnessed,
    'checked',
    r.checked,
    'fail',
    r.failures.length,
    r.seconds.toFixed(1) + 's',
    JSON.stringify(r.notChecked),
  )
  for (const f of r.failures.slice(0, 5)) console.log('   ', f.step, f.opcode?.toString(16), f.reason)
}

import { checkStepState } from './src/check/index.ts'
import { traceBlock } from './src/trace/tracer.ts'

if (process.argv[3]) {
  const tr = [...loadCorpus('standard'), ...loadCorpus('fixtures')].find((e) => e.trace.id.includes(want))!.trace
  const k = Number(process.argv[3])
  const t = await traceBlock(tr, { witness: (s) => s === k })
  const [w] = t.witnesses
  const mine = await checkStepState(w!)
  const theirs = w!.postStateData
  for (let i = 0; i < 11; i++) {
    const a = Buffer.from(mine.subarray(i * 32, i * 32 + 32)).toString('hex'),
      b = Buffer.from(theirs.subarray(i * 32, i * 32 + 32)).toString('hex')
    if (a !== b) console.log('word', i, a, b)
  }
  console.log('frame pre', Buffer.from(w!.proof[0]!).toString('hex').slice(0, 64))
}
