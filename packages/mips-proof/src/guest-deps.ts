import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'

/**
 * The guest's one patched dependency, github.com/crate-crypto/go-eth-kzg, and the Go workspace that
 * builds the guest with it.
 *
 * go-ethereum's point-evaluation precompile creates a go-eth-kzg context on its first call, and the
 * library's constructor decompresses 8,192 G1 points and precomputes the EIP-7594 FK20 tables: 111 s
 * under qemu-mips (MIPS32 emulates every 64-bit multiply), against 0.07 s for the evaluation itself.
 * The precompile only needs the opening key (two G2 points of the setup and the G1 generator). The
 * patch builds that key as the library does and defers the rest of the context, built by the
 * library's own constructor, to the first method that needs it; go-ethereum's source is untouched
 * and no result changes (`test/guest-deps.test.ts` runs the library's own test vectors on the
 * patched copy). The copy lives in `.cache/go-work/`, made from the module cache at build time, so
 * the repository holds only the edits below and the added file in `guest/patches/`.
 */
const MODULE = 'github.com/crate-crypto/go-eth-kzg'
const PATCH_FILE = 'stepproof_deferred_setup.go'
/** The one exported Context method that runs on the opening key alone. */
const EAGER_METHOD = 'VerifyKZGProof'

interface Edit {
  file: string
  find: string
  replace: string
}

const EDITS: readonly Edit[] = [
  { file: 'api.go', find: 'type Context struct {\n', replace: 'type Context struct {\n\tdeferred *deferredSetup\n\n' },
  {
    file: 'api.go',
    find: 'func NewContext4096(trustedSetup *JSONTrustedSetup) (*Context, error) {',
    replace: 'func newContext4096Eager(trustedSetup *JSONTrustedSetup) (*Context, error) {',
  },
]

/** An exported method of Context, its receiver and the end of its signature line. */
const METHOD = /^func \((\w+) \*Context\) ([A-Z]\w*)\(.*\{$/gm
const ANY_METHOD = /^func \(\w+ \*Context\) [A-Z]/gm

export const PATCHES_DIR = resolve(import.meta.dirname, '../guest/patches')

/** A hash of the patch (edits and added file), part of the guest's build cache key. */
export function patchHash(): string {
  return createHash('sha256')
    .update(JSON.stringify(EDITS))
    .update(METHOD.source)
    .update(readFileSync(join(PATCHES_DIR, `${PATCH_FILE}.txt`)))
    .digest('hex')
    .slice(0, 16)
}

function goJson(cwd: string, args: string[]): Record<string, string> {
  const r = spawnSync('go', args, { cwd, encoding: 'utf8', env: { ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' } })
  if (r.error) throw r.error
  if (r.status !== 0) throw new Error(`go ${args.join(' ')} failed:\n${r.stderr}`)
  return JSON.parse(r.stdout) as Record<string, string>
}

function fail(tmp: string, version: string, what: string): never {
  rmSync(tmp, { recursive: true, force: true })
  throw new Error(
    `${MODULE} ${version}: ${what}; update the deferred-setup patch in packages/mips-proof/src/guest-deps.ts for this version`,
  )
}

/** Copies the module from the module cache and applies the patch; fails naming any edit that no longer applies. */
export function patchModule(source: string, target: string, version: string): void {
  const tmp = `${target}.partial-${process.pid}`
  rmSync(tmp, { recursive: true, force: true })
  cpSync(source, tmp, { recursive: true })
  spawnSync('chmod', ['-R', 'u+w', tmp])
  for (const edit of EDITS) {
    const path = join(tmp, edit.file)
    const text = readFileSync(path, 'utf8')
    const count = text.split(edit.find).length - 1
    if (count !== 1) fail(tmp, version, `${edit.file} contains ${JSON.stringify(edit.find.trim())} ${count} times, not once`)
    writeFileSync(path, text.replace(edit.find, edit.replace))
  }
  let methods = 0
  let patched = 0
  for (const file of readdirSync(tmp).filter((f) => f.endsWith('.go') && !f.endsWith('_test.go'))) {
    const path = join(tmp, file)
    const text = readFileSync(path, 'utf8')
    methods += text.match(ANY_METHOD)?.length ?? 0
    const out = text.replace(METHOD, (line, receiver: string, name: string) => {
      if (name === EAGER_METHOD) return line
      patched++
      return `${line}\n\t${receiver}.ensureFull()`
    })
    if (out !== text) writeFileSync(path, out)
  }
  // Every exported method but the eager one must complete the context first.
  if (patched !== methods - 1 || patched === 0) fail(tmp, version, `${patched} of ${methods - 1} Context methods got ensureFull`)
  cpSync(join(PATCHES_DIR, `${PATCH_FILE}.txt`), join(tmp, PATCH_FILE))
  // Test workers may patch at the same time: the first rename wins, the others drop their copy.
  try {
    if (existsSync(target)) throw new Error('already patched')
    renameSync(tmp, target)
  } catch {
    rmSync(tmp, { recursive: true, force: true })
    if (!existsSync(target)) throw new Error(`${MODULE} ${version}: could not move the patched copy to ${target}`)
  }
}

/**
 * Prepares `<cacheRoot>/go-work/go.work`: the guest module plus the patched go-eth-kzg at the
 * version the guest's go.sum pins. Paths in it are relative, so -trimpath builds stay byte-identical
 * wherever the repository is checked out. Returns the go.work path, for GOWORK.
 */
export function guestWorkspace(guestDir: string, cacheRoot: string): string {
  return prepareWorkspace(guestDir, cacheRoot).workFile
}

/** {@link guestWorkspace}, also naming the patched module's directory. */
export function prepareWorkspace(guestDir: string, cacheRoot: string): { workFile: string; patchedModule: string } {
  const dir = join(cacheRoot, 'go-work')
  mkdirSync(dir, { recursive: true })
  const mod = goJson(guestDir, ['mod', 'download', '-json', MODULE])
  const version = mod.Version
  const source = mod.Dir
  if (!version || !source) throw new Error(`go mod download ${MODULE} gave no version or directory`)
  const patched = `go-eth-kzg@${version}-${patchHash()}`
  if (!existsSync(join(dir, patched))) patchModule(source, join(dir, patched), version)
  const work = `go 1.26\n\nuse ${relative(dir, guestDir)}\n\nreplace ${MODULE} ${version} => ./${patched}\n`
  const path = join(dir, 'go.work')
  if (!existsSync(path) || readFileSync(path, 'utf8') !== work) {
    const tmp = `${path}.${process.pid}`
    writeFileSync(tmp, work)
    renameSync(tmp, path)
  }
  return { workFile: path, patchedModule: join(dir, patched) }
}
