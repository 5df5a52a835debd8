/**
 * Entering a frame (SPEC.md §2.3): a transaction's frame (tx-enter), a system call's (system-call),
 * or a child of a CALL- or CREATE-family opcode, whose step is the opcode's (the checker's side of a
 * child's entry is in src/check/opcode.ts, of the others in src/check/tx-start.ts and block-end.ts).
 * The caller is suspended with its revert point; the child starts with its own stack and memory.
 */
import type { Message } from '@ethereumjs/evm'
import type { TypedTransaction } from '@ethereumjs/tx'
import { Address, bytesToHex, generateAddress2 } from '@ethereumjs/util'
import { type BytesView, ChunkedBytes, EMPTY_VIEW, ownView, viewHolds, viewOf } from '../commit/bytes-tree.ts'
import { equalBytes, H, ZERO32 } from '../commit/hash.ts'
import { StackChain } from '../commit/stack.ts'
import { cutSystemCall, emitWithdrawals, missingSystemContract, SYSTEM_CONTRACTS } from './block-end.ts'
import { frameData, type TxEnvFields } from './encoding.ts'
import { createAddressOf } from './ethereumjs.ts'
import { mapKey } from './keys.ts'
import { settlePending } from './opcode.ts'
import { FRAME_KIND, PHASE, STATUS, TAG } from './phases.ts'
import type { Frame, Tracing } from './state.ts'
import { cutTxEnter, setUpTransaction } from './tx-start.ts'
import { collides } from './witness-parts.ts'

/** ethereumjs's beforeMessage: the frame a message runs in. */
export async function enterFrame(t: Tracing, message: Message): Promise<void> {
  settlePending(t)
  const { access } = t
  const parent = t.frames[t.frames.length - 1]
  // What a CALL warmed before entering; a transaction's set-up warms what its steps say, one step at a time.
  if (parent !== undefined || t.phase !== PHASE.TX_START) t.syncAccess()
  const isCreate = message.to === undefined
  const data = message.data
  // A create's address is known only inside ethereumjs; this is the same derivation it uses next.
  const newAddress = !isCreate
    ? undefined
    : message.salt !== undefined
      ? generateAddress2(message.caller.bytes, message.salt, data)
      : await createAddressOf(t.vm, message)
  // EIP-2929: a create warms the new address in the caller's context, before
  // the revert point (ethereumjs does it right after this event, outside the child's checkpoint).
  if (newAddress !== undefined && parent !== undefined) t.warmAddress(newAddress)
  if (parent === undefined) {
    // The transaction's (or a system call's) frame: everything before it is set-up. A block with
    // no transactions goes from block-start to WITHDRAWAL.
    await t.seal()
    if (t.phase === PHASE.TX_START) await setUpTransaction(t, t.block.transactions[t.txIndex] as TypedTransaction, newAddress)
    else {
      await emitWithdrawals(t)
      t.phase = PHASE.SYSTEM_CALL
      if (!equalBytes((message.to as Address).bytes, SYSTEM_CONTRACTS[t.subIndex] as Uint8Array)) {
        // ethereumjs skipped the request contract before this one (it has no code): the proof ends there.
        if (t.stateDirty) throw new Error(`${t.trace.id}: the world state before the system calls was not read`)
        t.endedInvalid = { reason: await missingSystemContract(t), ethereumjsAccepts: true }
        return
      }
      await cutSystemCall(t, (message.to as Address).bytes)
      // ethereumjs bumps the system address's nonce before this event (and undoes it after the call).
      t.stateRoot = await t.sm.getStateRoot()
      t.stateDirty = false
    }
  } else {
    // The caller as the CALL or CREATE left it (SPEC.md §2.3): pc past it, its inputs popped, memory
    // expanded, the call's cost and the gas it forwards deducted (ethereumjs deducts the forwarded
    // gas only when the child returns, and has added the stipend that message.gasLimit includes).
    const rs = t.callerRunStates[t.callerRunStates.length - 1]
    if (rs === undefined) throw new Error('a child frame entered outside a CALL- or CREATE-family opcode')
    const stack = rs.stack.getStack()
    parent.pc = rs.programCounter
    parent.stack.update(stack)
    parent.stackSize = stack.length
    parent.memoryWords = Number(rs.memoryWordCount)
    parent.gas = rs.gasLeft - message.gasLimit
    parent.callPending = false
    parent.returnData = EMPTY_VIEW // a call clears the caller's return data
    const revertPre = await t.revertPointData()
    const parentData = frameData(parent)
    const below = t.suspended[t.suspended.length - 1] as Uint8Array
    t.suspendedParts.push({ parent: parentData, revertPre, below })
    t.suspended.push(H(H(parentData), H(revertPre), below))
  }
  // A transaction's or system call's frame has a suspension of its own: no parent, and the revert
  // point a failure of the whole frame restores (SPEC.md §2.3).
  const txRevertPre = parent === undefined ? await t.revertPointData() : undefined
  if (parent === undefined && t.phase === PHASE.TX_ENTER) await cutTxEnter(t, message, newAddress)
  const frame: Frame = {
    kind: frameKind(isCreate, parent === undefined && t.phase === PHASE.SYSTEM_CALL, parent),
    status: STATUS.RUNNING,
    isStatic: message.isStatic,
    depth: message.depth,
    pc: 0,
    gas: message.gasLimit,
    address: newAddress ?? (message.to as NonNullable<Message['to']>).bytes,
    codeAddress: newAddress ?? message.codeAddress.bytes,
    caller: message.caller.bytes,
    value: message.value,
    code: undefined,
    precompile: !isCreate && t.precompiles.has(bytesToHex(message.codeAddress.bytes)),
    lastOp: undefined,
    stack: new StackChain(),
    stackSize: 0,
    memory: new ChunkedBytes(),
    memoryWords: 0,
    calldata: isCreate ? EMPTY_VIEW : calldataOf(t, parent, data),
    returnData: EMPTY_VIEW,
    output: EMPTY_VIEW,
    refundLocal: t.refundNow(),
    gasStart: message.gasLimit,
    ...callTarget(parent),
    marks: {
      access: access.mark(),
      transient: t.transient.mark(),
      selfdestruct: t.selfdestructs.mark(),
      created: t.created.mark(),
      touched: t.touched.mark(),
      logs: t.logs.mark(),
    },
  }
  t.frames.push(frame)
  if (txRevertPre !== undefined) {
    t.kept = undefined
    t.suspendedParts.push({ parent: new Uint8Array(), revertPre: txRevertPre, below: ZERO32 })
    t.suspended.push(H(ZERO32, H(txRevertPre), ZERO32))
  }
  // The account a call runs in is touched as it is entered (created empty if absent); one left
  // empty (no value came) is deleted when the transaction ends (EIP-161). A revert undoes it.
  if (!isCreate && !message.delegatecall) {
    const before = await t.sm.getAccount(new Address(frame.address))
    const self = bytesToHex(frame.address) === bytesToHex(message.caller.bytes)
    if ((before === undefined || before.isEmpty()) && (message.value === 0n || self))
      t.touched.set(t.keyFor(TAG.TOUCHED, frame.address), 1n)
  }
  if (!isCreate) frame.code = t.codeTree(await t.executedCode(message.codeAddress, message.depth === 0))
  if (isCreate) {
    frame.code = t.codeTree(data)
    // A collision (EIP-684, EIP-7610) enters the frame already failed: nothing is created.
    if (!collides(await t.sm.getAccount(new Address(frame.address)))) t.created.set(mapKey(TAG.CREATED, frame.address), 1n)
  }
  t.stateDirty = true
  if (parent === undefined) {
    const system = t.phase === PHASE.SYSTEM_CALL
    t.phase = PHASE.EXECUTION
    await t.seal()
    // A system call is a transaction of its own: its contract is as warm as a recipient (ethereumjs
    // warms it at its first SLOAD), and SSTORE's original values are those at its start.
    if (system) {
      t.warmAddress(frame.address)
      t.txStartRoot = await t.sm.getStateRoot()
    }
    t.push(system ? 'system-call' : 'tx-enter')
  }
  // The entering step (tx-enter, system-call, or the CALL or CREATE opcode) is sealed at the first
  // event inside the frame: ethereumjs moves the value and creates the account after this event.
}

/**
 * A frame's calldata (SPEC.md §2.3): a transaction's data where it lies, in the transaction's tree; a
 * system call's in a tree of its own; a child's input where it lies, in its caller's memory, which
 * does not change while the child runs.
 */
function calldataOf(t: Tracing, parent: Frame | undefined, data: Uint8Array): BytesView {
  if (parent === undefined && t.phase === PHASE.TX_ENTER) {
    const span = (t.txFields as TxEnvFields).data
    const view = viewOf(t.txBytes.tree, span.offset, span.size)
    if (!viewHolds(view, data)) throw t.diverged('a transaction’s calldata is not its data in its bytes')
    return view
  }
  if (parent === undefined) return ownView(data)
  const call = parent.nextCall
  if (call === undefined) throw new Error('a call entered its child with no input recorded')
  const view = viewOf(parent.memory, call.inOffset, call.inSize)
  if (!viewHolds(view, data)) throw t.diverged('a child’s calldata is not its caller’s memory at the call’s input')
  return view
}

/** A call's child: where its caller wants the output (SPEC.md §2.3 word 11; none for length 0). */
function callTarget(parent: Frame | undefined): { retOffset: number; retSize: number } {
  const call = parent?.nextCall
  if (parent === undefined || call === undefined) return { retOffset: 0, retSize: 0 }
  parent.nextCall = undefined
  return call.retSize === 0n ? { retOffset: 0, retSize: 0 } : { retOffset: Number(call.retOffset), retSize: Number(call.retSize) }
}

/** SPEC.md §2.3's frame kind by the opcode that enters the frame: CALL, CALLCODE, DELEGATECALL, STATICCALL, CREATE, CREATE2. */
const CALL_KINDS: Record<number, number> = {
  241: FRAME_KIND.CALL,
  242: FRAME_KIND.CALLCODE,
  244: FRAME_KIND.DELEGATECALL,
  250: FRAME_KIND.STATICCALL,
  240: FRAME_KIND.CREATE,
  245: FRAME_KIND.CREATE2,
}

function frameKind(isCreate: boolean, system: boolean, parent: Frame | undefined): number {
  if (system) return FRAME_KIND.SYSTEM
  // A child's kind is the opcode that made it: a CALL inside a static frame is still a call, a CALLCODE to itself still a callcode.
  if (parent !== undefined) {
    const kind = CALL_KINDS[parent.lastOp as number]
    if (kind === undefined) throw new Error(`a child frame entered from opcode ${parent.lastOp}, not a CALL- or CREATE-family one`)
    return kind
  }
  return isCreate ? FRAME_KIND.CREATE : FRAME_KIND.CALL
}
