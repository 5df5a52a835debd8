import cliProgress from 'cli-progress'

/** A progress bar on stderr for long runs, shown only when stderr is a terminal. */
export interface Progress {
  tick(label: string): void
  /** Replaces the label without advancing, for progress within an item. */
  note(label: string): void
  done(): void
}

/** Starts a progress bar over `total` items. */
export function startProgress(title: string, total: number): Progress {
  if (!process.stderr.isTTY || total < 2) return { tick() {}, note() {}, done() {} }
  const bar = new cliProgress.SingleBar(
    { format: `${title} [{bar}] {value}/{total} {label}`, stream: process.stderr, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  )
  bar.start(total, 0, { label: '' })
  return {
    tick: (label) => bar.increment(1, { label: label.slice(0, 60) }),
    note: (label) => bar.update({ label: label.slice(0, 60) }),
    done: () => bar.stop(),
  }
}
