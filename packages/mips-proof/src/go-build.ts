import { spawnSync } from 'node:child_process'

/**
 * Builds the Go package in `packageDir` as a static GOARCH=mips GOMIPS=softfloat ELF at `out`,
 * reproducibly: -trimpath, no VCS stamp (otherwise the binary embeds the repository's commit and
 * dirty flag), an empty build id, and the machine's own Go toolchain.
 */
export function goBuildMips(packageDir: string, out: string): void {
  const env = {
    ...process.env,
    GOOS: 'linux',
    GOARCH: 'mips',
    GOMIPS: 'softfloat',
    CGO_ENABLED: '0',
    GOFLAGS: '-mod=mod',
    GOTOOLCHAIN: 'local',
  }
  const r = spawnSync('go', ['build', '-trimpath', '-buildvcs=false', '-ldflags=-buildid=', '-o', out, '.'], {
    cwd: packageDir,
    env,
    encoding: 'utf8',
  })
  if (r.error) throw r.error
  if (r.status !== 0) throw new Error(`go build in ${packageDir} failed:\n${r.stderr}`)
}
