import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { REPO_ROOT } from '@stepproof/block-traces'

/** What one CLI run printed and how it ended. */
export interface CliRun {
  code: number
  stdout: string
  stderr: string
}

/** Runs the stepproof CLI as a user would (a real process), from `cwd`, with `env` added to the environment. */
export function stepproof(args: string[], cwd = REPO_ROOT, env: NodeJS.ProcessEnv = {}): CliRun {
  const tsx = join(REPO_ROOT, 'node_modules/.bin/tsx')
  const r = spawnSync(tsx, [join(REPO_ROOT, 'packages/cli/src/main.ts'), ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env, INIT_CWD: cwd },
  })
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
}
