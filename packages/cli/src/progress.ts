import type { AnyCorpusName, CachedCorpusOptions } from '@stepproof/block-traces'
import cliProgress from 'cli-progress'

/** A progress bar on stderr for long runs, shown only when stderr is a terminal. */
export interface Progress {
  tick(label: string): void
  /** Replaces the label without advancing, for progress within an item. */
  note(label: string): void
  done(): void
}

/** How a progress bar shows itself. */
export interface ProgressOptions {
  /** Items already done (a resumed run). */
  start?: number
  /** When stderr is not a terminal (a log, CI), print a line this often instead of staying silent. */
  logEverySeconds?: number
}

/** Starts a progress bar over `total` items. */
export function startProgress(title: string, total: number, opts: ProgressOptions = {}): Progress {
  const silent = { tick() {}, note() {}, done() {} }
  if (total < 2) return silent
  if (!process.stderr.isTTY)
    return opts.logEverySeconds === undefined ? silent : progressLog(title, total, opts.start ?? 0, opts.logEverySeconds)
  const bar = new cliProgress.SingleBar(
    {
      format: `${title} [{bar}] {value}/{total} eta {eta_formatted} {label}`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  )
  bar.start(total, opts.start ?? 0, { label: '' })
  return {
    tick: (label) => bar.increment(1, { label: label.slice(0, 60) }),
    note: (label) => bar.update({ label: label.slice(0, 60) }),
    done: () => bar.stop(),
  }
}

const clock = (seconds: number) => `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`

/**
 * Progress as a line at most every `everySeconds` (and at the end), for logs. Written on each tick
 * rather than by a timer: a long synchronous import gives a timer no chance to fire.
 */
function progressLog(title: string, total: number, start: number, everySeconds: number): Progress {
  const started = performance.now()
  let value = start
  let logged = started
  return {
    tick(label) {
      value++
      const now = performance.now()
      if (now - logged < everySeconds * 1000 && value < total) return
      logged = now
      const rate = (value - start) / ((now - started) / 1000)
      const eta = rate > 0 ? ` eta ${clock((total - value) / rate)}` : ''
      process.stderr.write(`${title} ${value}/${total} (${Math.floor((100 * value) / total)}%)${eta} ${label.slice(0, 120)}\n`)
    },
    note() {},
    done() {},
  }
}

/** Import progress on stderr: a bar on a terminal, a line every ten seconds in a log; counts the fixture files imported now. */
export interface ImportProgress extends Pick<CachedCorpusOptions, 'onFixture'> {
  importedNow: number
}

/** Runs `run` with progress for the imports a cached corpus needs (none for a committed one). */
export async function withImportProgress<T>(name: AnyCorpusName, run: (opts: ImportProgress) => Promise<T>): Promise<T> {
  let bar: ReturnType<typeof startProgress> | undefined
  const progress: ImportProgress = {
    importedNow: 0,
    onFixture: (fixture, done, total, imported) => {
      if (imported) progress.importedNow++
      bar ??= startProgress(`import ${name}`, total, { start: done - 1, logEverySeconds: 10 })
      bar.tick(`${imported ? 'imported' : 'cached'} ${fixture.replace(/^.*blockchain_tests__/, '')}`)
    },
  }
  try {
    return await run(progress)
  } finally {
    bar?.done()
  }
}
