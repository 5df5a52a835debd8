import { describe, expect, it } from 'vitest'
import { codeSize, countCodeLines, MIPS_VERIFIER } from './code-size.ts'

describe('code size counter', () => {
  it('counts code lines, not blank lines, comments or NatSpec', () => {
    const source = ['// SPDX', '/// @notice x', 'contract A {', '', '  /* block', '     still */', '  uint x; // trailing', '}'].join('\n')
    expect(countCodeLines(source)).toBe(3)
  })

  it('finds every MIPS contract under the EIP-170 limit of 24,576 deployed bytes', () => {
    const size = codeSize(MIPS_VERIFIER.files, MIPS_VERIFIER.contracts)
    expect(size.lines).toBeGreaterThan(100)
    for (const c of size.deployed) expect(c.bytes, c.contract).toBeLessThanOrEqual(24_576)
  })
})
