import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { GUEST_DIR } from '../src/guest.ts'
import { patchModule, prepareWorkspace } from '../src/guest-deps.ts'

const CACHE_ROOT = resolve(GUEST_DIR, '../../../.cache')

/**
 * The guest's patched go-eth-kzg (deferred context set-up) is the library's own code with the
 * expensive part moved, so the library's own tests, with the consensus-spec KZG vectors it ships,
 * must still pass on the patched copy.
 */
describe("the guest's patched go-eth-kzg", () => {
  it("passes the library's own tests and consensus-spec vectors", () => {
    const { patchedModule } = prepareWorkspace(GUEST_DIR, CACHE_ROOT)
    expect(readFileSync(join(patchedModule, 'api.go'), 'utf8')).toContain('func newContext4096Eager(')
    const r = spawnSync('go', ['test', '-count=1', '.'], {
      cwd: patchedModule,
      encoding: 'utf8',
      env: { ...process.env, GOWORK: 'off', GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' },
    })
    expect(r.stderr + r.stdout).toMatch(/^ok\s+github\.com\/crate-crypto\/go-eth-kzg/m)
    expect(r.status).toBe(0)
  }, 300_000)

  it('refuses a library version the patch does not fit, naming the edit, and leaves nothing behind', () => {
    const { patchedModule } = prepareWorkspace(GUEST_DIR, CACHE_ROOT)
    const source = join(mkdtempSync(join(tmpdir(), 'kzg-src-')), 'm')
    cpSync(patchedModule, source, { recursive: true })
    // The patched copy no longer holds the original constructor: exactly what a changed library looks like.
    writeFileSync(join(source, 'api.go'), readFileSync(join(source, 'api.go'), 'utf8').replace('deferred *deferredSetup', ''))
    const target = join(mkdtempSync(join(tmpdir(), 'kzg-out-')), 'patched')
    expect(() => patchModule(source, target, 'v9.9.9')).toThrow(/go-eth-kzg v9\.9\.9: api\.go contains "func NewContext4096\(/)
    expect(existsSync(target)).toBe(false)
    expect(existsSync(`${target}.partial-${process.pid}`)).toBe(false)
  })
})
