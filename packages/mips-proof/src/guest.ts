import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { parseElf } from './elf/elf.ts'
import { loadProgram } from './elf/load.ts'
import { patchGoRuntime } from './elf/patch-go.ts'
import { goBuild } from './go-build.ts'
import { guestWorkspace, patchHash } from './guest-deps.ts'
import { MipsVm } from './vm/vm.ts'

/** The Go module of the go-ethereum guest. */
export const GUEST_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../guest')
const CACHE_ROOT = resolve(GUEST_DIR, '../../../.cache')
const CACHE_DIR = join(CACHE_ROOT, 'guest')

/** What `mips build-guest` reports. */
export interface GuestBuild {
  elf: string
  /** keccak256 of the ELF file. */
  elfHash: string
  /** Status-tagged hash of the VM state at step 0 (ELF loaded and patched): the absolute pre-state. */
  absolutePrestate: string
  goVersion: string
  gethVersion: string
}

function sourceHash(): string {
  const h = createHash('sha256')
  for (const f of readdirSync(GUEST_DIR).sort()) {
    if (f.endsWith('.go') || f === 'go.mod' || f === 'go.sum') h.update(f).update(readFileSync(join(GUEST_DIR, f)))
  }
  return h.update(patchHash()).digest('hex').slice(0, 16)
}

/**
 * The guest built for this machine (linux/amd64 here), cached like the MIPS ELF by a hash of its
 * sources and the Go version: the same go-ethereum code, run natively, as a second client.
 */
export function nativeGuest(dir = CACHE_DIR): string {
  mkdirSync(dir, { recursive: true })
  const out = join(dir, `guest-native-${sourceHash()}-${goVersion()}`)
  if (!existsSync(out)) {
    const tmp = `${out}.partial-${process.pid}`
    buildGuestBinary(tmp, 'host')
    renameSync(tmp, out)
  }
  return out
}

/** Builds the guest package (this module, with its patched go-eth-kzg) for MIPS or the host. */
export function buildGuestBinary(out: string, target: 'mips' | 'host'): void {
  goBuild(GUEST_DIR, out, target, guestWorkspace(GUEST_DIR, CACHE_ROOT))
}

/** The Go toolchain version, e.g. go1.26.8. */
export function goVersion(): string {
  return spawnSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' }).stdout.trim()
}

/**
 * Builds the guest for GOARCH=mips GOMIPS=softfloat with fixed flags (reproducible: -trimpath,
 * no VCS stamp, empty build id), caching the ELF by a hash of its sources and the Go version.
 */
export function buildGuest(opts: { outDir?: string; force?: boolean } = {}): GuestBuild {
  const dir = opts.outDir ?? CACHE_DIR
  mkdirSync(dir, { recursive: true })
  const go = goVersion()
  const elf = join(dir, `guest-${sourceHash()}-${go}.elf`)
  if (opts.force || !existsSync(elf)) {
    const tmp = `${elf}.partial-${process.pid}` // test workers may build at the same time
    buildGuestBinary(tmp, 'mips')
    renameSync(tmp, elf)
  }
  const bytes = readFileSync(elf)
  const parsed = parseElf(bytes, elf)
  const { state, memory } = loadProgram(parsed)
  patchGoRuntime(parsed, memory)
  const mod = readFileSync(join(GUEST_DIR, 'go.mod'), 'utf8')
  return {
    elf,
    elfHash: `0x${Buffer.from(keccak_256(bytes)).toString('hex')}`,
    absolutePrestate: `0x${Buffer.from(new MipsVm(state, memory).stateHash()).toString('hex')}`,
    goVersion: go,
    gethVersion: /github\.com\/ethereum\/go-ethereum (v[\w.-]+)/.exec(mod)?.[1] ?? 'unknown',
  }
}
