import { type ChildProcess, fork } from 'node:child_process'

/** How a pool runs its tasks. */
export interface PoolOptions<T = unknown> {
  /** The worker module: it sends `'ready'` once loaded, then one reply per task it is sent. */
  module: string
  /** Child processes working at once. */
  jobs: number
  /** A task not answered in this time is given up and its worker killed (a new one takes its place). */
  timeoutMs: number
  /** What a worker is sent for a task (default: the task itself). */
  message?: (task: T) => unknown
}

/** A task's reply, or why there is none: `timeout`, or how its worker died. */
export type TaskOutcome<R> = { ok: true; value: R } | { ok: false; reason: string }

/**
 * Runs tasks in child processes (TypeScript through tsx), `jobs` at a time, each worker taking the
 * next task when it answers one. Outcomes arrive through `onOutcome` in completion order.
 */
export function runPool<T, R>(
  opts: PoolOptions<T>,
  tasks: readonly T[],
  onOutcome: (task: T, outcome: TaskOutcome<R>) => void,
): Promise<void> {
  const execArgv = ['--import', import.meta.resolve('tsx')]
  let next = 0
  let running = 0
  return new Promise((resolve, reject) => {
    const start = () => {
      running++
      // The workers' stdout goes to stderr: stdout carries the command's own output (--json).
      const child: ChildProcess = fork(opts.module, [], { execArgv, stdio: ['ignore', process.stderr, 'inherit', 'ipc'] })
      let current: T | undefined
      let ready = false
      let timedOut = false
      let timer: NodeJS.Timeout | undefined
      const dispatch = () => {
        if (next >= tasks.length) {
          child.disconnect()
          return
        }
        current = tasks[next++] as T
        timer = setTimeout(() => {
          timedOut = true
          child.kill('SIGKILL')
        }, opts.timeoutMs)
        child.send((opts.message?.(current) ?? current) as object)
      }
      child.on('message', (message: unknown) => {
        if (!ready) {
          ready = message === 'ready'
          if (ready) dispatch()
          return
        }
        clearTimeout(timer)
        const task = current as T
        current = undefined
        onOutcome(task, { ok: true, value: message as R })
        dispatch()
      })
      child.on('exit', (code, signal) => {
        clearTimeout(timer)
        running--
        if (!ready) return reject(new Error(`a worker (${opts.module}) exited before it was ready (${signal ?? `exit code ${code}`})`))
        if (current !== undefined)
          onOutcome(current, { ok: false, reason: timedOut ? 'timeout' : `worker exited (${signal ?? `exit code ${code}`})` })
        if (next < tasks.length) start()
        else if (running === 0) resolve()
      })
    }
    if (tasks.length === 0) return resolve()
    for (let i = 0; i < Math.min(opts.jobs, tasks.length); i++) start()
  })
}
