import { spawn } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { type BlockTrace, type ExecResult, execResult, type Hex } from '@stepproof/block-traces'
import { guestOutcome } from './exec-mips.ts'
import { buildGuestBinary, nativeGuest } from './guest.ts'
import { TraceOracle } from './host/block-host.ts'

/** What a native run of the guest printed and asked for. */
export interface NativeRun {
  stdout: string
  exitCode: number | null
  requests: string[]
  seconds: number
}

/** Builds the guest for the host machine (linux/amd64 here), for comparison with the MIPS build. */
export function buildNativeGuest(outDir: string): string {
  mkdirSync(outDir, { recursive: true })
  const out = join(outDir, 'guest-native')
  buildGuestBinary(out, 'host')
  return out
}

/**
 * Runs the guest natively with the preimage oracle on pipes at the same file descriptors as in the
 * VM: the guest writes a 32-byte key on fd 6, the host answers on fd 5 with the 8-byte big-endian
 * length and the data. Hint fds 3 and 4 are pipes too (the guest does not hint).
 */
export async function runNativeGuest(binary: string, trace: BlockTrace, claim?: Hex): Promise<NativeRun> {
  const started = performance.now()
  const oracle = await TraceOracle.forTrace(trace, claim)
  const child = spawn(binary, [], { stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe', 'pipe', 'pipe'] })
  // Node types the stdio tuple only up to fd 4; fds 5 and 6 are the pipes asked for above.
  const stdio = child.stdio as unknown as (NodeJS.ReadableStream & NodeJS.WritableStream)[]
  const preimageRead = stdio[5] as NodeJS.WritableStream
  const preimageWrite = stdio[6] as NodeJS.ReadableStream
  let pending = Buffer.alloc(0)
  let failure: Error | undefined
  preimageWrite.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk])
    while (pending.length >= 32) {
      const key = pending.subarray(0, 32)
      pending = pending.subarray(32)
      try {
        const data = oracle.getPreimage(key)
        const framed = Buffer.alloc(8 + data.length)
        framed.writeBigUInt64BE(BigInt(data.length))
        framed.set(data, 8)
        preimageRead.write(framed)
      } catch (e) {
        failure = e as Error
        child.kill()
      }
    }
  })
  let stdout = ''
  child.stdout?.on('data', (c: Buffer) => {
    stdout += c.toString()
  })
  // A pipe can fail (ECONNRESET, EPIPE) when the guest dies mid-exchange: that is the run's failure,
  // not an unhandled 'error' event that takes the whole process down.
  let pipeError: Error | undefined
  for (const s of [child.stdout, child.stderr, preimageRead, preimageWrite])
    (s as NodeJS.EventEmitter | null)?.on('error', (e: Error) => {
      pipeError ??= e
    })
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.on('error', (e) => reject(new Error(`${trace.id}: the native go-ethereum guest ${binary} did not start: ${e.message}`)))
    child.on('close', (code) => resolve(code))
  })
  if (failure) throw failure
  if (pipeError !== undefined && exitCode !== 0)
    throw new Error(`${trace.id}: the native go-ethereum guest exited with ${exitCode} after its oracle pipe failed: ${pipeError.message}`)
  return { stdout, exitCode, requests: oracle.requests, seconds: (performance.now() - started) / 1000 }
}

/**
 * Executes a trace's block with the go-ethereum guest built for this machine (engine `geth`): the
 * same program as in MIPS, fed the same preimages, in a fraction of a second. A block go-ethereum
 * rejects is a verdict (`verdict: 'invalid'`), compared with the trace's expectation like any other.
 */
export async function executeGeth(trace: BlockTrace, binary = nativeGuest()): Promise<ExecResult> {
  const started = performance.now()
  const run = await runNativeGuest(binary, trace)
  const outcome = guestOutcome(trace, run.stdout)
  if (outcome === undefined)
    throw new Error(
      `${trace.id}: the native go-ethereum guest exited with ${run.exitCode} without a result: ${run.stdout.trim().slice(0, 500)}`,
    )
  return execResult(trace, 'geth', outcome, started)
}
