import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { readWideSample, WIDE_SAMPLE_FILE, wideLocation } from './corpus.ts'
import { FORKS, type Fork } from './forks.ts'
import { fixtureOf, testFolderOf } from './wide-corpus.ts'
import { formatWideSample, interleave, parseWideSample, type SampleCandidate, sampleWideBlocks, WIDE_SAMPLE_SIZE } from './wide-sample.ts'

/** A corpus shaped like eest-wide: folders of fixture files, each test on several forks, some with two blocks. */
function corpus(): SampleCandidate[] {
  const out: SampleCandidate[] = []
  for (const folder of [
    'cancun__eip1153_tstore',
    'prague__eip7702_set_code_tx',
    'static__state_tests__stRandom',
    'shanghai__eip3855_push0',
  ]) {
    for (const file of ['test_a', 'test_b', 'test_c']) {
      const fixture = `eest-v5.4.0__blockchain_tests__${folder}__${file}.json.gz`
      for (const fork of FORKS.slice(folder.startsWith('prague') ? 2 : 0)) {
        for (const n of [1, 2]) {
          const test = `${fixture}::tests/${folder}/${file}.py::${file}[fork_${fork}-${n}]`
          if (n === 2) out.push({ id: `${test}::block1`, fork }, { id: `${test}::block2`, fork })
          else out.push({ id: test, fork })
        }
      }
    }
  }
  return out
}

const folderOf = (c: SampleCandidate) => testFolderOf(fixtureOf(c.id))

describe('interleave', () => {
  it('takes the first of each group, then the second of each', () => {
    expect(interleave([[1, 2, 3], [4], [5, 6]])).toEqual([1, 4, 5, 2, 6, 3])
  })
})

describe('sampleWideBlocks', () => {
  it('picks the same blocks whatever order the corpus is listed in', () => {
    const blocks = corpus()
    expect(sampleWideBlocks([...blocks].reverse(), 20)).toEqual(sampleWideBlocks(blocks, 20))
  })

  it('covers every folder within its first round and every fork soon after', () => {
    const sample = sampleWideBlocks(corpus(), 8)
    expect(new Set(sample.slice(0, 4).map(folderOf)).size).toBe(4)
    expect(new Set(sample.map((c) => c.fork))).toEqual(new Set(FORKS))
  })

  it('spreads a folder over its fixture files', () => {
    const sample = sampleWideBlocks(corpus(), 12)
    const cancun = sample.filter((c) => folderOf(c) === 'cancun__eip1153_tstore').map((c) => fixtureOf(c.id))
    expect(new Set(cancun).size).toBe(3)
  })

  it("prefers each test's first block", () => {
    const sample = sampleWideBlocks(corpus(), 40)
    expect(sample.some((c) => c.id.endsWith('::block2'))).toBe(false)
  })

  it('takes the whole corpus when asked for more blocks than it has', () => {
    expect(sampleWideBlocks(corpus(), 10_000)).toHaveLength(corpus().length)
  })
})

describe('the committed wide sample', () => {
  const sample = readWideSample()

  it('says in its first line how to regenerate it', () => {
    expect(readFileSync(WIDE_SAMPLE_FILE, 'utf8').split('\n')[0]).toMatch(/^# pnpm stepproof traces sample regenerates this file/)
  })

  it('holds the default number of distinct blocks, every fork among them', () => {
    expect(sample).toHaveLength(WIDE_SAMPLE_SIZE)
    expect(new Set(sample.map((c) => c.id)).size).toBe(WIDE_SAMPLE_SIZE)
    expect(new Set(sample.map((c) => c.fork))).toEqual(new Set<Fork>(FORKS))
  })

  it.skipIf(!existsSync(wideLocation().fixtures))('covers every test folder of eest-wide', () => {
    const folders = new Set(readdirSync(wideLocation().fixtures).flatMap((f) => testFolderOf(f) ?? []))
    expect(new Set(sample.map(folderOf))).toEqual(folders)
  })

  it('round-trips through its text form', () => {
    expect(parseWideSample(formatWideSample(sample, WIDE_SAMPLE_SIZE), 'sample')).toEqual(sample)
  })
})
