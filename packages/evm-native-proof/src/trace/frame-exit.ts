/**
 * frame-exit steps (SPEC.md §4; the checker's side is src/check/frame-exit.ts): a frame's halt, from
 * ethereumjs's afterMessage, then the exit that resumes the caller (or, for a transaction's or
 * system call's frame, keeps the frame with its final status and gas until tx-end or block-end).
 */
import type { EVMResult } from '@ethereumjs/evm'
import { type BytesView, EMPTY_VIEW, ownView, viewBytes, viewHolds, viewOf } from '../commit/bytes-tree.ts'
import { H } from '../commit/hash.ts'
import { extendSystemExit, systemCallExit } from './block-end.ts'
import { frameData } from './encoding.ts'
import { finalRunState } from './ethereumjs.ts'
import { opcodeStep, settlePending, syncFromFinal } from './opcode.ts'
import { HALTING, OP } from './opcodes.ts'
import { FRAME_KIND, PHASE, STATUS } from './phases.ts'
import { isIdentity, precompileStep } from './precompile.ts'
import type { Frame, Tracing } from './state.ts'
import { frameExitWitness } from './witness.ts'
import { COPY_CHUNK } from './witness-parts.ts'

/** ethereumjs's afterMessage: the frame's last steps, its halt and its exit. */
export async function exitFrame(t: Tracing, result: EVMResult): Promise<void> {
  const f = t.frames[t.frames.length - 1] as Frame
  const failed = result.execResult.exceptionError !== undefined
  // A precompile never reverts: ethereumjs labels a failed one REVERT, with all its gas used.
  const reverted = failed && !f.precompile && result.execResult.exceptionError?.error === 'revert'
  const final = finalRunState(result)
  const isCreate = f.kind === FRAME_KIND.CREATE || f.kind === FRAME_KIND.CREATE2
  // A create whose RETURN ran (the interpreter kept its output) but whose code could not be stored:
  // the RETURN succeeded, the frame exit fails the create (SPEC.md §4).
  const returned = final?.returnValue
  const depositFailed = failed && !reverted && isCreate && f.lastOp === OP.RETURN && returned !== undefined
  if (failed && !reverted && !depositFailed && f.beforeOp !== undefined) {
    // An exceptional halt: the failing opcode changes nothing but the frame (SPEC.md §5), though
    // ethereumjs warmed and refunded in its gas handler before failing.
    t.pendingOp = undefined
    t.access.revert(f.beforeOp.access)
    f.refundLocal = f.beforeOp.refundLocal
  } else settlePending(t)
  if (f.precompile) await precompileStep(t, f, result.execResult.exceptionError?.error === 'out of gas')
  if (!failed && !f.precompile && (f.lastOp === undefined || !HALTING.has(f.lastOp))) {
    // The frame ran past its code: its last opcode's effects come from the interpreter's final
    // state, then an implicit STOP step (SPEC.md §4: pc ≥ codeSize executes STOP).
    if (final !== undefined) await syncFromFinal(t, f, final)
    // The interpreter has moved its refund counter into the result by now (its run state reads 0).
    if (result.execResult.gasRefund !== undefined) f.refundLocal = t.authRefund + result.execResult.gasRefund
    t.syncAccess()
    await t.seal()
    await opcodeStep(t, f, OP.STOP, final?.stack.getStack() ?? [])
  }
  f.status = !failed || depositFailed ? STATUS.RETURNED : reverted ? STATUS.REVERTED : STATUS.FAILED
  f.output = outputOf(t, f, depositFailed ? (returned as Uint8Array) : result.execResult.returnValue)
  // The gas the frame halted with: the interpreter's (a create's execResult has the code deposit
  // charged already, which is the frame exit's); a call to no code leaves all of it.
  if (!failed || reverted || depositFailed) f.gas = final?.gasLeft ?? result.execResult.gas ?? f.gas - result.execResult.executionGasUsed
  else f.gas = 0n
  // The halting opcode (or the precompile): the frame has halted, the world state is as before
  // it (a create's code is stored by the frame exit, which ethereumjs has already done).
  await t.seal()
  const caller = t.frames[t.frames.length - 2]
  if (caller !== undefined && !isCreate) await copyOutputParts(t, f, caller)
  await cutExitWitness(t, f, caller)
  const system = f.kind === FRAME_KIND.SYSTEM
  if (system && failed) {
    // execution-specs' checked system call (EIP-7002, EIP-7251): one that reverts or fails makes
    // the block invalid — the exit's pre-state with phase INVALID. ethereumjs 10.1.3 accepts such
    // a block and runs on; the proof ends here.
    t.phase = PHASE.INVALID
    await t.step('frame-exit')
    t.endedInvalid = {
      reason: `the system call to 0x${Buffer.from(f.codeAddress).toString('hex')} ${reverted ? 'reverted' : 'failed'}`,
      ethereumjsAccepts: true,
    }
    return
  }
  if (system) await extendSystemExit(t, f, STATUS.RETURNED)
  t.stateDirty = true
  t.push('frame-exit')
  t.frames.pop()
  if (failed) {
    t.access.revert(f.marks.access)
    t.transient.revert(f.marks.transient)
  }
  // A system call's sub-state goes with it, as a failed frame's does (its refund: `kept` below).
  if (failed || system) {
    t.selfdestructs.revert(f.marks.selfdestruct)
    t.created.revert(f.marks.created)
    t.touched.revert(f.marks.touched)
    t.logs.revert(f.marks.logs)
  }
  const parent = t.frames[t.frames.length - 1]
  t.suspended.pop()
  const popped = t.suspendedParts.pop()
  if (parent !== undefined) {
    // Return data: a call's output, a create's only when it reverted; nothing after a failure.
    parent.returnData = (failed && !reverted) || (isCreate && !failed) ? EMPTY_VIEW : f.output
    if (!failed && result.execResult.gasRefund !== undefined) parent.refundLocal = t.authRefund + result.execResult.gasRefund
    // Sealed at the caller's next event, which shows its pc, stack, gas and memory after the call.
    return
  }
  // The transaction's (or system call's) frame stays with its final status and gas: a create
  // whose code could not be stored fails here, and its deposit is paid (SPEC.md §4).
  const status = depositFailed || (failed && !reverted) ? STATUS.FAILED : reverted ? STATUS.REVERTED : STATUS.RETURNED
  const gas = status === STATUS.FAILED ? 0n : f.gasStart - result.execResult.executionGasUsed
  // A failure restores the refund counter to what the authorisations left (their refunds stay).
  const refund = system ? 0n : status === STATUS.RETURNED ? t.authRefund + (result.execResult.gasRefund ?? 0n) : t.authRefund
  t.kept = { frame: { ...f, status, gas }, refund }
  if (system) await systemCallExit(t, f, status, popped?.revertPre)
  else t.phase = PHASE.TX_REFUND
  await t.seal()
}

/**
 * A frame's output (SPEC.md §2.3): a precompile's in a tree of its own, a RETURN's or REVERT's where
 * it lies in the frame's memory (which no longer changes), none after a failure or a STOP.
 */
function outputOf(t: Tracing, f: Frame, bytes: Uint8Array): BytesView {
  if (f.status === STATUS.FAILED) return EMPTY_VIEW
  const view = f.precompile
    ? precompileOutput(t, f, bytes)
    : f.halted !== undefined && (f.lastOp === OP.RETURN || f.lastOp === OP.REVERT)
      ? viewOf(f.memory, f.halted.offset, f.halted.size)
      : EMPTY_VIEW
  if (!viewHolds(view, bytes)) throw t.diverged('a frame’s output is not the memory its RETURN or REVERT names')
  return view
}

/**
 * A precompile's output: a tree of its own, but identity's is its input where it lies (SPEC.md
 * §5.3), in the caller's memory, which the exit's copy and the caller then write: it keeps the
 * memory's bytes as they were, to read from once the live tree has moved on.
 */
function precompileOutput(t: Tracing, f: Frame, bytes: Uint8Array): BytesView {
  if (!isIdentity(f.codeAddress)) return ownView(bytes)
  const caller = t.frames[t.frames.length - 2]
  return caller === undefined ? f.calldata : { ...f.calldata, saved: caller.memory.bytes.slice() }
}

/**
 * The exit steps before the last of a call whose output is longer than one step copies (SPEC.md
 * §6.1): each copies the next COPY_CHUNK bytes into the suspended caller's memory, the child's
 * `progress` counting them; the last step (the caller's) copies the rest and resumes the caller.
 */
async function copyOutputParts(t: Tracing, f: Frame, caller: Frame): Promise<void> {
  const n = f.status === STATUS.FAILED ? 0 : Math.min(f.output.size, f.retSize)
  const output = viewBytes(f.output)
  while (n - (f.progress ?? 0) > COPY_CHUNK) {
    const done = f.progress ?? 0
    await cutExitWitness(t, f, caller)
    caller.memory.write(f.retOffset + done, output.subarray(done, done + COPY_CHUNK))
    f.progress = done + COPY_CHUNK
    // The caller stays suspended, its memory written: its suspension is hashed again.
    const top = t.suspendedParts.length - 1
    const parts = t.suspendedParts[top] as { parent: Uint8Array; revertPre: Uint8Array; below: Uint8Array }
    const parent = frameData(caller)
    t.suspendedParts[top] = { ...parts, parent }
    t.suspended[t.suspended.length - 1] = H(H(parent), H(parts.revertPre), parts.below)
    t.push('frame-exit')
    await t.seal()
  }
}

/** Cuts the witness of the exit step about to be pushed (SPEC.md §5.2), when asked to. */
async function cutExitWitness(t: Tracing, f: Frame, caller: Frame | undefined): Promise<void> {
  await t.cutWitness('frame-exit', async () => ({
    codes: [],
    proof: await frameExitWitness({
      childData: frameData(f),
      child: f,
      stateAt: () => t.stateTrie(),
      suspension: t.suspendedParts[t.suspendedParts.length - 1],
      ...(caller === undefined ? {} : { callerMemory: caller.memory }),
    }),
  }))
}
