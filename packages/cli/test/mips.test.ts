import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { REPO_ROOT } from '@stepproof/block-traces'
import { describe, expect, it } from 'vitest'
import { buildMips, PROGRAMS, runQemu } from '../../mips-proof/test/toolchain.ts'
import { stepproof } from './run.ts'

describe('stepproof mips', () => {
  const elf = buildMips([join(PROGRAMS, 'sha256.c')], 'sha256')

  it('runs an ELF and reports the documented JSON, with the same stdout as qemu', () => {
    const r = stepproof(['mips', 'run', elf, '--json'])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(Object.keys(out).sort()).toEqual(['exitCode', 'exited', 'stateHash', 'stdout', 'steps', 'stepsPerSecond'])
    expect(out).toMatchObject({ exited: true, exitCode: 0, stdout: runQemu(elf).stdout })
    expect(out.stateHash).toMatch(/^0x00[0-9a-f]{62}$/) // status byte 0: exited with code 0
  })

  it('serves --stdin to read(0) like qemu does, and says such a run is not provable', () => {
    const reader = buildMips([join(PROGRAMS, 'stdin.c')], 'stdin')
    const input = join(mkdtempSync(join(tmpdir(), 'stdin-')), 'input.txt')
    const text = 'stepproof reads its stdin, 7 bytes at a time: abc xyz.\n'.repeat(20)
    writeFileSync(input, text)
    const qemu = spawnSync('qemu-mips', [reader], { input: readFileSync(input), encoding: 'latin1' })
    const out = JSON.parse(stepproof(['mips', 'run', reader, '--stdin', input, '--json']).stdout)
    expect(out).toMatchObject({ exited: true, exitCode: 0, stdout: qemu.stdout, stdinBytesRead: text.length, provable: false })
    expect(qemu.stdout).toContain('STEPPROOF READS ITS STDIN')
    // Without --stdin the program sees EOF at once, as it would under Cannon and MIPS.sol.
    const bare = JSON.parse(stepproof(['mips', 'run', reader, '--json']).stdout)
    expect(bare.stdout).toBe('\nbytes 00000000\nchecksum 00000000\n')
    expect(bare).not.toHaveProperty('provable')
    const missing = stepproof(['mips', 'run', reader, '--stdin', '/nonexistent/input'])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/--stdin \/nonexistent\/input: no such file/)
  })

  it('stops at --max-steps with an unfinished state', () => {
    const out = JSON.parse(stepproof(['mips', 'run', elf, '--max-steps', '1000', '--json']).stdout)
    expect(out).toMatchObject({ steps: 1000, exited: false })
    expect(out.stateHash).toMatch(/^0x03/)
  })

  it('gives the witness of step K whose post is the state hash after K + 1 steps', () => {
    const w = JSON.parse(stepproof(['mips', 'witness', elf, '--step', '500', '--json']).stdout)
    expect(w.step).toBe(500)
    expect(w.stateData).toMatch(/^0x[0-9a-f]{452}$/) // 226 bytes
    expect(w.proof).toMatch(/^0x[0-9a-f]{3584}$/) // 2 × 28 × 32 bytes
    const after = JSON.parse(stepproof(['mips', 'run', elf, '--max-steps', '501', '--json']).stdout)
    expect(w.post).toBe(after.stateHash)
  })

  it('refuses a file that is not a MIPS ELF, with exit code 2', () => {
    const r = stepproof(['mips', 'run', join(PROGRAMS, 'io.h')])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/io\.h: not an ELF file; expected a static 32-bit big-endian MIPS executable/)
  })

  it("proves a step with MIPS.sol on a local Anvil and gets the VM's post-state", () => {
    const r = stepproof(['prove', elf, '--vm', 'mips', '--step', '777', '--json'])
    expect(r.code, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(Object.keys(out).sort()).toEqual(['executionGas', 'gas', 'ok', 'onchainPost', 'post', 'pre', 'step', 'vm', 'witnessBytes'])
    expect(out).toMatchObject({ vm: 'mips', step: 777, ok: true, witnessBytes: 2018 })
    expect(out.onchainPost).toBe(out.post)
    expect(out.gas).toBeGreaterThan(out.executionGas)
  })

  it("proves a step of the go-ethereum guest on a trace that reads the oracle's local data, with the part in the witness", () => {
    // The first guest read of the committed vectors: local key 1 (the boot data hash), at offset 4.
    const vectors = JSON.parse(readFileSync(join(REPO_ROOT, 'contracts/test/vectors/mips-steps.json'), 'utf8')) as {
      vectors: { name: string }[]
    }
    const name = vectors.vectors.map((v) => v.name).find((n) => /^geth guest standard\/eth-transfers preimage read at offset 4 /.test(n))
    const step = /step (\d+)/.exec(name ?? '')?.[1]
    if (step === undefined) throw new Error('no guest preimage read among the vectors')
    const witness = JSON.parse(stepproof(['mips', 'witness', 'standard/eth-transfers', '--step', step, '--json']).stdout)
    expect(witness.preimage).toMatchObject({ key: `0x01${'00'.repeat(30)}01`, offset: 4 })
    expect(witness.preimage.data).toMatch(/^0x[0-9a-f]{64}$/) // the 32-byte boot data hash
    const r = stepproof(['prove', 'standard/eth-transfers', '--vm', 'mips', '--step', step, '--json'])
    expect(r.code, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out).toMatchObject({ vm: 'mips', step: Number(step), ok: true, pre: witness.pre, post: witness.post })
  }, 300_000)

  it('profiles a run by function: the sampled shares add up, every sample has a symbol', () => {
    const r = stepproof(['mips', 'profile', elf, '--every', '97', '--top', '1000', '--json'])
    expect(r.code, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout) as { steps: number; samples: number; functions: { name: string; samples: number; share: number }[] }
    expect(out.samples).toBe(Math.floor((out.steps - 1) / 97))
    expect(out.functions.reduce((a, f) => a + f.samples, 0)).toBe(out.samples)
    // gcc -O2 inlines sha256.c's block() into main, which then runs nearly every step.
    expect(out.functions[0]?.name).toBe('main')
    expect(out.functions.every((f) => !f.name.startsWith('0x'))).toBe(true)
    expect(stepproof(['mips', 'profile', elf, '--every', '0']).code).toBe(2)
  })

  it('refuses a proof system that is not implemented yet, with exit code 2', () => {
    const r = stepproof(['prove', elf, '--vm', 'evm', '--step', '1'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--vm evm: only mips is implemented so far/)
  })
})
