import { spawnSync } from 'node:child_process'

/**
 * Builds the Go package in `packageDir` at `out`, statically, reproducibly: -trimpath, no VCS stamp
 * (otherwise the binary embeds the repository's commit and dirty flag), an empty build id, and the
 * machine's own Go toolchain. `target` is 32-bit big-endian MIPS (softfloat) or the host itself;
 * `workspace` is a go.work to build in (the guest's, with its patched dependency).
 */
export function goBuild(packageDir: string, out: string, target: 'mips' | 'host', workspace?: string): void {
  const cross = target === 'mips' ? { GOOS: 'linux', GOARCH: 'mips', GOMIPS: 'softfloat' } : {}
  // A workspace (go.work) replaces modules; -mod=mod is not allowed in workspace mode.
  const mode = workspace ? { GOWORK: workspace, GOFLAGS: '' } : { GOWORK: 'off', GOFLAGS: '-mod=mod' }
  const env = { ...process.env, ...cross, ...mode, CGO_ENABLED: '0', GOTOOLCHAIN: 'local' }
  const r = spawnSync('go', ['build', '-trimpath', '-buildvcs=false', '-ldflags=-buildid=', '-o', out, '.'], {
    cwd: packageDir,
    env,
    encoding: 'utf8',
  })
  if (r.error) throw r.error
  if (r.status !== 0) throw new Error(`go build in ${packageDir} failed:\n${r.stderr}`)
}

/** {@link goBuild} for GOARCH=mips GOMIPS=softfloat. */
export function goBuildMips(packageDir: string, out: string): void {
  goBuild(packageDir, out, 'mips')
}
