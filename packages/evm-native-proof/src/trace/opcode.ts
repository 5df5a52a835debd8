/**
 * opcode steps (SPEC.md §4 phase 5; the checker's side is src/check/opcode.ts): the state before
 * each opcode from ethereumjs's step event, the witness cut from it, and the opcode's effects that
 * only the next event shows (transient writes, logs, the world state); a long copy's later steps.
 */
import type { InterpreterStep } from '@ethereumjs/evm'
import { Address } from '@ethereumjs/util'
import { EMPTY_VIEW } from '../commit/bytes-tree.ts'
import { H, uint } from '../commit/hash.ts'
import { KECCAK_CHUNK, spongeStates } from '../commit/sponge.ts'
import { frameData, logHead } from './encoding.ts'
import { type FinalRunState, watchOpHandler } from './ethereumjs.ts'
import { mapKey } from './keys.ts'
import { OP, opcodeInfo } from './opcodes.ts'
import { TAG } from './phases.ts'
import type { Frame, PendingOp, Tracing } from './state.ts'
import { encodeLog } from './tx-logs.ts'
import { opcodeWitness } from './witness.ts'
import { COPY_CHUNK, copyPart } from './witness-parts.ts'

/** ethereumjs's step event: the previous step sealed from the state it shows, this opcode pushed. */
export async function onStep(t: Tracing, e: InterpreterStep): Promise<void> {
  settlePending(t)
  const f = t.frames[t.frames.length - 1] as Frame
  if (f.callPending === true) {
    // The previous opcode was a call or create that failed fast (depth, balance, nonce): no child, return data cleared.
    f.callPending = false
    f.nextCall = undefined
    f.returnData = EMPTY_VIEW
  }
  await continueCopy(t, f, { gas: e.gasLeft, memoryWords: Number(e.memoryWordCount), memory: e.memory })
  // The state before this opcode, which is the state the previous step left.
  f.pc = e.pc
  f.gas = e.gasLeft
  f.stackSize = e.stack.length
  f.stack.update(e.stack)
  f.memoryWords = Number(e.memoryWordCount)
  syncMemory(f, e.memory)
  await t.seal()
  const op = e.opcode.code
  // ethereumjs names every undefined opcode INVALID (0xfe): the step is labelled with the byte itself
  // (the witness is INVALID's: an undefined opcode reads nothing more).
  await opcodeStep(t, f, op, e.stack, op === OP.INVALID ? (f.code?.code[e.pc] ?? OP.INVALID) : op)
  f.beforeOp = { access: t.access.mark(), refundLocal: f.refundLocal }
  const info = opcodeInfo(op)
  if (info?.copy !== undefined && e.stack.length >= info.in) {
    const top = (i: number) => e.stack[e.stack.length - 1 - i] as bigint
    const dest = top(info.copy.dest)
    const len = top(info.copy.len)
    if (len > BigInt(COPY_CHUNK))
      t.pendingCopy = { kind: 'copy', frame: f, opcode: op, stack: e.stack.slice(), dest, len, backward: op === OP.MCOPY && dest > top(1) }
  }
  const stream = longHashStream(op, e.stack, e.memory, f.address)
  if (stream !== undefined)
    t.pendingCopy =
      op === OP.KECCAK256
        ? { kind: 'hash', frame: f, opcode: op, stack: e.stack.slice(), states: spongeStates(stream) }
        : { kind: 'log', frame: f, opcode: op, stack: e.stack.slice(), stream }
  if ((op === OP.RETURN || op === OP.REVERT) && e.stack.length >= 2) {
    // Where the output lies in the frame's memory, which stays as it is after the halt (SPEC.md §2.3).
    f.halted = { offset: e.stack[e.stack.length - 1] as bigint, size: e.stack[e.stack.length - 2] as bigint }
  }
  if (info?.enters === true) {
    watchOpHandler(
      t.vm,
      op,
      (rs) => t.callerRunStates.push(rs),
      () => t.callerRunStates.pop(),
    )
    // A call or create that fails fast enters no child, and still clears the return data
    // (execution-specs' generic_call and generic_create empty it before their checks).
    f.callPending = true
    if (op !== OP.CREATE && op !== OP.CREATE2) {
      // The input (inOffset, inSize) and where the caller wants the output (outOffset, outSize): the last four inputs.
      const args = e.stack.slice(-info.in).reverse()
      const arg = (fromEnd: number) => args[args.length - fromEnd] as bigint
      f.nextCall = { inOffset: arg(4), inSize: arg(3), retOffset: arg(2), retSize: arg(1) }
    }
  }
  // SSTORE's gas handler has already moved the refund counter too (the only opcode that does).
  f.refundLocal = t.authRefund + e.gasRefund
  // ethereumjs computes an opcode's gas, warming what it touches (EIP-2929), before this event:
  // those keys are this opcode's effect (a call's target first, then its delegate).
  t.syncAccess(info?.enters === true && op !== OP.CREATE && op !== OP.CREATE2 ? callTargetKey(t, e.stack) : undefined)
  const pending: PendingOp = { frame: f, opcode: op, stack: e.stack, memory: e.memory }
  t.pendingOp = pending
  if (t.pendingCopy?.kind === 'log') {
    // A long LOG's effect is its last step's (see continueCopy).
    t.pendingCopy.deferred = pending
    t.pendingOp = undefined
  }
  if (op === OP.SELFDESTRUCT && e.stack.length > 0) {
    const to = uint((e.stack[e.stack.length - 1] as bigint) & ((1n << 160n) - 1n), 20)
    const [self, beneficiary] = await Promise.all([t.sm.getAccount(new Address(f.address)), t.sm.getAccount(new Address(to))])
    const empty = (beneficiary === undefined || beneficiary.isEmpty()) && (self?.balance ?? 0n) === 0n
    if (empty && Buffer.compare(to, f.address) !== 0) pending.emptyBeneficiary = to
  }
}

/** Pushes an opcode step whose pre-state is sealed, cutting its witness when asked to. */
export async function opcodeStep(t: Tracing, f: Frame, opcode: number, stack: bigint[], label = opcode): Promise<void> {
  f.lastOp = opcode
  await t.cutWitness(
    'opcode',
    async () =>
      opcodeWitness({
        opcode,
        fork: t.forkId,
        frameData: frameData(f),
        frame: { ...f, code: f.code ?? t.codeTree(new Uint8Array()) },
        stack,
        blockEnv: t.blockEnv,
        txEnv: t.txEnv,
        blobHashes: t.txBlobHashes,
        blockNumber: t.block.header.number,
        blockHashes: t.blockHashes,
        access: t.access,
        transient: t.transient,
        touched: t.touched,
        created: t.created,
        selfdestructs: t.selfdestructs,
        substate: t.substateBytes(),
        logs: t.logs,
        sm: t.sm,
        txStartRoot: t.txStartRoot,
      }),
    label,
  )
  t.push('opcode', label)
}

/** Effects of the previous opcode that the next event reveals (transient writes, logs, world state). */
export function settlePending(t: Tracing): void {
  const p = t.pendingOp
  t.pendingOp = undefined
  if (p === undefined) return
  const top = (i: number) => p.stack[p.stack.length - 1 - i] as bigint
  if (p.opcode === OP.TSTORE && !p.frame.isStatic) {
    t.transient.set(mapKey(TAG.TRANSIENT, p.frame.address, uint(top(0))), top(1))
  }
  if (p.opcode >= OP.LOG0 && p.opcode <= OP.LOG4) {
    const offset = Number(top(0))
    const size = Number(top(1))
    const topics = Array.from({ length: p.opcode - OP.LOG0 }, (_, i) => uint(top(2 + i)))
    const data = new Uint8Array(size)
    data.set(p.memory.subarray(offset, offset + size))
    // The log's RLP past the tree (the rest of a long one's parts, SPEC.md §6.1), then the sub-state's words.
    const log = encodeLog(p.frame.address, topics, data)
    const written = p.logWritten ?? 0
    t.logs.writePart(written, log.subarray(written))
    t.logs.finish(log, p.frame.address, topics, data, t.forkId)
  }
  if (opcodeInfo(p.opcode)?.writesState === true) t.stateDirty = true
  if (p.opcode === OP.SELFDESTRUCT) {
    t.selfdestructs.set(t.keyFor(TAG.SELFDESTRUCT, p.frame.address), 1n)
    // A beneficiary left empty (nothing came, it had nothing) is touched (EIP-161).
    if (p.emptyBeneficiary !== undefined) t.touched.set(t.keyFor(TAG.TOUCHED, p.emptyBeneficiary), 1n)
  }
}

/**
 * The later steps of a long copy (SPEC.md §6), from the state the interpreter left after it (`post`:
 * gas, memory size and bytes): each step moves COPY_CHUNK bytes at the same pc, its operands on the
 * stack; the last one, which the caller seals with the frame synced to `post`, pops them.
 */
export async function continueCopy(t: Tracing, f: Frame, post: { gas: bigint; memoryWords: number; memory: Uint8Array }): Promise<void> {
  const c = t.pendingCopy
  t.pendingCopy = undefined
  if (c === undefined || c.frame !== f) return
  if (c.kind === 'log') {
    // Each step but the last writes KECCAK_CHUNK bytes of the log's RLP into the logs tree, its root so far in the frame's sponge word (SPEC.md §6.1).
    let at = 0
    while (c.stream.length - at > KECCAK_CHUNK) {
      t.logs.writePart(at, c.stream.subarray(at, at + KECCAK_CHUNK))
      at += KECCAK_CHUNK
      f.gas = post.gas
      f.memoryWords = post.memoryWords
      f.progress = at
      f.sponge = t.logs.tree.root()
      await t.seal()
      await opcodeStep(t, f, c.opcode, c.stack)
    }
    f.progress = 0
    f.sponge = undefined
    if (c.deferred !== undefined) {
      c.deferred.logWritten = at
      t.pendingOp = c.deferred
      settlePending(t)
    }
    return
  }
  if (c.kind === 'hash') {
    // Each step but the last absorbs KECCAK_CHUNK bytes into the frame's sponge (SPEC.md §6.1).
    for (const [k, state] of c.states.entries()) {
      f.gas = post.gas
      f.memoryWords = post.memoryWords
      f.progress = (k + 1) * KECCAK_CHUNK
      f.spongeState = state
      f.sponge = H(state)
      await t.seal()
      await opcodeStep(t, f, c.opcode, c.stack)
    }
    f.progress = 0
    f.spongeState = undefined
    f.sponge = undefined
    return
  }
  let done = 0
  for (;;) {
    const { from, n } = copyPart(c.len, done, c.backward)
    if (BigInt(done) + n >= c.len) break
    const at = Number(c.dest + from)
    f.memory.write(at, post.memory.subarray(at, at + Number(n)))
    done += Number(n)
    f.gas = post.gas
    f.memoryWords = post.memoryWords
    f.progress = done
    await t.seal()
    await opcodeStep(t, f, c.opcode, c.stack)
  }
  f.progress = 0
}

/**
 * The last opcode of a frame that no step event follows (an implicit STOP after it, a REVERT that
 * ethereumjs takes without an event): a long copy's later steps, then the frame as the interpreter left it.
 */
export async function syncFromFinal(t: Tracing, f: Frame, rs: FinalRunState): Promise<void> {
  await continueCopy(t, f, { gas: rs.gasLeft, memoryWords: Number(rs.memoryWordCount), memory: rs.memory })
  const stack = rs.stack.getStack()
  f.pc = rs.programCounter
  f.gas = rs.gasLeft
  f.stackSize = stack.length
  f.stack.update(stack)
  f.memoryWords = Number(rs.memoryWordCount)
  syncMemory(f, rs.memory)
}

/** Brings a frame's memory tree up to the bytes ethereumjs reports (one compare when nothing changed). */
function syncMemory(f: Frame, memory: Uint8Array): void {
  const n = memory.length
  if (n === 0) return
  const mine = f.memory.bytes
  if (
    mine.length >= n &&
    Buffer.compare(Buffer.from(mine.buffer, mine.byteOffset, n), Buffer.from(memory.buffer, memory.byteOffset, n)) === 0
  )
    return
  // Chunk by chunk, writing those that differ (bytes past ours are zeros).
  for (let at = 0; at < n; at += 32) {
    const end = Math.min(at + 32, n)
    for (let i = at; i < end; i++) {
      if ((memory[i] as number) !== (mine[i] ?? 0)) {
        f.memory.write(at, memory.subarray(at, end))
        break
      }
    }
  }
}

/** Memory past this is out of any step's reach (its expansion alone costs more gas than exists). */
const REACHABLE_MEMORY = 1n << 26n

/**
 * What a KECCAK256 or LOG over more than KECCAK_CHUNK bytes hashes (SPEC.md §6.1), from the memory
 * at its step: the range, or the log's RLP (its head, then the data); undefined for any other step.
 */
function longHashStream(op: number, stack: bigint[], memory: Uint8Array, address: Uint8Array): Uint8Array | undefined {
  const isLog = op >= OP.LOG0 && op <= OP.LOG4
  if ((op !== OP.KECCAK256 && !isLog) || stack.length < (opcodeInfo(op)?.in ?? 0)) return undefined
  const top = (i: number) => stack[stack.length - 1 - i] as bigint
  const [offset, len] = [top(0), top(1)]
  // A log's head is under 200 bytes: a shorter hash fits one step.
  if (offset + len > REACHABLE_MEMORY || len + 200n <= BigInt(KECCAK_CHUNK)) return undefined
  const head = isLog
    ? logHead(
        address,
        Array.from({ length: op - OP.LOG0 }, (_, i) => uint(top(2 + i))),
        Number(len),
      )
    : new Uint8Array()
  if (head.length + Number(len) <= KECCAK_CHUNK) return undefined
  const stream = new Uint8Array(head.length + Number(len))
  stream.set(head)
  stream.set(memory.subarray(Number(offset), Number(offset + len)), head.length)
  return stream
}

/** The access-map key of a CALL-family opcode's target (its second input). */
function callTargetKey(t: Tracing, stack: readonly bigint[]): bigint | undefined {
  const target = stack[stack.length - 2]
  if (target === undefined) return undefined
  return t.accessKey((target & ((1n << 160n) - 1n)).toString(16).padStart(40, '0'))
}
