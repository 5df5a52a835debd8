import { InputError } from './errors.ts'
import { FORKS, type Fork } from './forks.ts'
import { fixtureOf, testFolderOf } from './wide-corpus.ts'

/** How many blocks the committed sample of the wide corpus holds by default. */
export const WIDE_SAMPLE_SIZE = 300

/** A block the sample can pick: its trace id (`<fixture file>::<test>[::blockN]`) and fork. */
export interface SampleCandidate {
  id: string
  fork: Fork
}

/** Round-robin over groups: the first item of each group in turn, then the second of each, and so on. */
export function interleave<T>(groups: readonly (readonly T[])[]): T[] {
  const out: T[] = []
  const longest = Math.max(0, ...groups.map((g) => g.length))
  for (let i = 0; i < longest; i++) for (const g of groups) if (i < g.length) out.push(g[i] as T)
  return out
}

/** Groups items by key, the groups sorted by key (code-unit order, so the same on every machine). */
function groupBy<T>(items: readonly T[], key: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>()
  for (const item of items) {
    const k = key(item)
    const group = groups.get(k)
    if (group === undefined) groups.set(k, [item])
    else group.push(item)
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g)
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const k = items.length === 0 ? 0 : by % items.length
  return [...items.slice(k), ...items.slice(0, k)]
}

/** A block's position in its test (0 for the first block), from the `::blockN` suffix multi-block ids carry. */
function blockIndex(id: string): number {
  const n = /::block(\d+)$/.exec(id)?.[1]
  return n === undefined ? 0 : Number(n) - 1
}

const sortKey = (c: SampleCandidate) => `${String(blockIndex(c.id)).padStart(6, '0')} ${c.id}`

/**
 * A deterministic stratified sample of the wide corpus's blocks. The order is a round-robin over
 * test folders (in an order that alternates their first parts: `berlin`, `cancun`, …, `static`);
 * within a folder, over its fixture files; within a file, over forks (the starting
 * fork rotating from file to file, so no fork crowds out another); within a fork, the first block
 * of each test by name before any test's second block. Every prefix of the result is spread the
 * same way, so `size` at least the number of folders covers every folder.
 */
export function sampleWideBlocks(candidates: readonly SampleCandidate[], size = WIDE_SAMPLE_SIZE): SampleCandidate[] {
  let fileIndex = 0
  const byFolder = groupBy(candidates, (c) => testFolderOf(fixtureOf(c.id)) ?? fixtureOf(c.id)).map((folder) =>
    interleave(
      groupBy(folder, (c) => fixtureOf(c.id)).map((file) => {
        const byFork = FORKS.map((fork) => file.filter((c) => c.fork === fork).sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1)))
        return interleave(rotate(byFork, fileIndex++))
      }),
    ),
  )
  // Each round takes one block from every folder, the folders ordered so that their first parts
  // (`berlin`, `cancun`, …, `static`) alternate: a short prefix spans them all.
  const area = (folder: SampleCandidate[]) => (testFolderOf(fixtureOf((folder[0] as SampleCandidate).id)) ?? '').split('__')[0] as string
  return interleave(interleave(groupBy(byFolder, area))).slice(0, size)
}

const HEADER = '# pnpm stepproof traces sample'

/** The sample as committed: a first line saying how to regenerate it, then one `<fork>\t<id>` line per block. */
export function formatWideSample(sample: readonly SampleCandidate[], size: number): string {
  const command = size === WIDE_SAMPLE_SIZE ? HEADER : `${HEADER} --size ${size}`
  const header = `${command} regenerates this file: a stratified sample of the wide corpus (eest-wide), one block a line`
  return `${[header, ...sample.map((c) => `${c.fork}\t${c.id}`)].join('\n')}\n`
}

/** Reads a sample written by {@link formatWideSample}; `where` names the file in errors. */
export function parseWideSample(text: string, where: string): SampleCandidate[] {
  const sample: SampleCandidate[] = []
  for (const [i, line] of text.split('\n').entries()) {
    if (line === '' || line.startsWith('#')) continue
    const [fork, id] = line.split('\t')
    const known = FORKS.find((f) => f === fork)
    if (known === undefined || id === undefined || id === '') {
      throw new InputError(`${where}: line ${i + 1} is not "<fork>\\t<trace id>"; regenerate it with \`pnpm stepproof traces sample\``)
    }
    sample.push({ id, fork: known })
  }
  return sample
}
