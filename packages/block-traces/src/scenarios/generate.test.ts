import { readFileSync } from 'node:fs'
import { createTxFromRLP } from '@ethereumjs/tx'
import { describe, expect, it } from 'vitest'
import { corpusFiles, loadCorpus } from '../corpus.ts'
import { commonFor } from '../forks.ts'
import { fromHex } from '../hex.ts'
import { traceFileName } from '../importer.ts'
import { serializeBlockTrace } from '../trace.ts'
import { SCALING_SIZES, standardSpecs } from './corpora.ts'
import { generateCorpus } from './corpus-generation.ts'
import { generateBlock } from './generate.ts'
import { KINDS, precompileKindNames } from './kinds.ts'
import { buildWorld } from './world.ts'

describe('scenario generator', () => {
  for (const corpus of ['standard', 'scaling'] as const) {
    it(`regenerates the committed ${corpus} corpus byte for byte`, async () => {
      const traces = await generateCorpus(corpus)
      const committed = corpusFiles(corpus)
      expect(committed.map((p) => p.split('/').pop())).toEqual(traces.map((t) => traceFileName(t.id)).sort())
      for (const trace of traces) {
        const path = committed.find((p) => p.endsWith(traceFileName(trace.id))) as string
        expect(readFileSync(path, 'utf8'), trace.id).toBe(serializeBlockTrace(trace))
      }
    })
  }

  it('puts every transaction kind into the standard corpus', () => {
    const used = new Set(standardSpecs().flatMap((s) => s.kinds))
    expect([...Object.keys(KINDS)].filter((k) => !used.has(k))).toEqual([])
  })

  it('calls every precompile of Prague, BLS12-381 included', () => {
    const names = precompileKindNames('Prague')
    expect(names).toHaveLength(17)
    expect(standardSpecs().find((s) => s.name === 'precompiles-prague')?.kinds).toEqual(names)
  })

  it('uses every transaction type: legacy, 2930, 1559, 4844 and 7702', () => {
    const types = new Set<number>()
    for (const { trace } of loadCorpus('standard')) {
      const common = commonFor(trace.fork, BigInt(trace.chainId))
      for (const raw of trace.block.transactions) types.add(createTxFromRLP(fromHex(raw), { common }).type)
    }
    expect([...types].sort()).toEqual([0, 1, 2, 3, 4])
  })

  it('spans Shanghai, Cancun, Prague and Osaka, with withdrawals', () => {
    const traces = loadCorpus('standard').map((e) => e.trace)
    expect(new Set(traces.map((t) => t.fork))).toEqual(new Set(['Shanghai', 'Cancun', 'Prague', 'Osaka']))
    expect(traces.some((t) => (t.block.withdrawals?.length ?? 0) > 0)).toBe(true)
  })

  it('builds the scaling corpus at 1, 2, 4, … 64 transactions per block', () => {
    expect(loadCorpus('scaling').map((e) => e.trace.block.transactions.length)).toEqual([...SCALING_SIZES])
  })

  it('refuses a kind the fork does not have', async () => {
    const world = await buildWorld('Shanghai')
    await expect(generateBlock('test', { name: 'x', fork: 'Shanghai', kinds: ['transient'] }, world)).rejects.toThrow(
      'test/x: kind transient needs Cancun',
    )
  })

  it('refuses an unknown kind', async () => {
    const world = await buildWorld('Shanghai')
    await expect(generateBlock('test', { name: 'x', fork: 'Shanghai', kinds: ['teleport'] }, world)).rejects.toThrow(
      'test/x: unknown transaction kind "teleport"',
    )
  })
})
