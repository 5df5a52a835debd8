import { describe, expect, it } from 'vitest'
import { forge } from './index.ts'

describe('Foundry project, offline through the solc-js wrapper', () => {
  it('builds', () => {
    const r = forge(['build'])
    expect(r.stderr).not.toMatch(/error/i)
    expect(r.code).toBe(0)
  })

  it('passes its forge tests', () => {
    const r = forge(['test'])
    expect(r.code, r.stdout + r.stderr).toBe(0)
    expect(r.stdout).toMatch(/Ran \d+ test suites?/)
    expect(r.stdout).not.toMatch(/\b0 tests passed/)
  })

  // Fuzz tests are left out: their figures are means over inputs that differ from run to run.
  it('spends the gas recorded in .gas-snapshot (regenerate with `forge snapshot --no-match-test testFuzz_` after a deliberate change)', () => {
    const r = forge(['snapshot', '--check', '--no-match-test', 'testFuzz_'])
    expect(r.code, r.stdout + r.stderr).toBe(0)
    // forge 1.7.1 prints a changed figure as "Diff in …" and still exits 0.
    expect(r.stdout + r.stderr).not.toMatch(/Diff in/)
  })

  it('is formatted as forge fmt writes it', () => {
    const r = forge(['fmt', '--check'])
    expect(r.code, r.stdout).toBe(0)
  })
})
