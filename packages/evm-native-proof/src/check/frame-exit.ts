/**
 * The reference checker's `frame-exit` step (SPEC.md §4): the caller resumes with 1 or 0 (or the
 * new address) pushed, the child's unused gas back (none after a failure), the child's output as
 * its return data and copied to where it asked; a revert or failure restores the revert point. A
 * transaction's or system call's frame (depth 0) has no caller: it stays in the state, with its
 * final status and gas, for the transaction-level steps.
 */

import { endSystemCall } from './block-end.ts'
import { be, equal, FRAME_BYTES, type FrameState, INVALID, join, keccak, type MachineState, readFrame, writeFrame } from './layout.ts'
import { decodeAccount, encodeAccount, proofTrie } from './mpt.ts'
import { COPY_CHUNK } from './opcode/step.ts'
import { emptyView, openRange, readView } from './trees.ts'
import { type ItemReader, WitnessError } from './witness-reader.ts'

export async function checkFrameExit(s: MachineState, child: FrameState, r: ItemReader): Promise<MachineState> {
  if (child.depth === 0) return depth0Exit(s, child, r)
  const suspension = r.next('suspended caller', FRAME_BYTES + 128 + 32)
  const parentBytes = suspension.subarray(0, FRAME_BYTES)
  const revertPre = suspension.subarray(FRAME_BYTES, FRAME_BYTES + 128)
  const below = suspension.slice(FRAME_BYTES + 128)
  if (!equal(keccak(keccak(parentBytes), keccak(revertPre), below), s.frameStackHash))
    throw new WitnessError('the suspended caller does not hash to the frame stack')
  const parent = readFrame(parentBytes)
  if (child.kind === 4 || child.kind === 5) return createExit(s, child, parent, revertPre, below, r)
  const failed = child.status === 3
  // The output goes to the caller's memory at retOffset, COPY_CHUNK bytes a step (SPEC.md §6.1): the
  // child's `progress` counts the bytes done, and until the last part the caller stays suspended.
  const n = failed ? 0 : Math.min(child.output.size, child.retSize)
  const done = child.progress
  if (done > 0 && done >= n) throw new WitnessError(`the exiting frame has copied ${done} bytes of an output of ${n}`)
  const part = Math.min(n - done, COPY_CHUNK)
  let memoryRoot = parent.memoryRoot
  if (part > 0) {
    const output = readView(r, 'output', child.output, BigInt(done), BigInt(part))
    const at = child.retOffset + done
    const lo = at >> 5
    const hi = (at + part - 1) >> 5
    const range = openRange(r, 'caller memory', parent.memoryRoot, lo, hi, 24)
    const bytes = join(range.leaves)
    bytes.set(output, at - lo * 32)
    memoryRoot = range.rootWith(Array.from({ length: hi - lo + 1 }, (_, i) => bytes.subarray(i * 32, i * 32 + 32)))
  }
  r.done()
  if (done + part < n) {
    const written = writeFrame({ ...parent, memoryRoot })
    return {
      ...s,
      frameStackHash: keccak(keccak(written), keccak(revertPre), below),
      frameHash: keccak(writeFrame({ ...child, progress: done + part })),
    }
  }
  const resumed: FrameState = {
    ...parent,
    stackHash: keccak(parent.stackHash, be(child.status === 1 ? 1n : 0n)),
    stackSize: parent.stackSize + 1,
    gas: parent.gas + (failed ? 0n : child.gas),
    returnData: failed ? emptyView() : child.output,
    memoryRoot,
  }
  const restored = child.status === 1 ? {} : restore(revertPre)
  return { ...s, ...restored, frameStackHash: below, frameHash: keccak(writeFrame(resumed)) }
}

/** What a revert or failure of the child restores (SPEC.md §2.3). */
function restore(revertPre: Uint8Array) {
  return {
    stateRoot: revertPre.slice(0, 32),
    accessMap: revertPre.slice(32, 64),
    transientMap: revertPre.slice(64, 96),
    substateHash: revertPre.slice(96, 128),
  }
}

/** Maximum deployed code size (EIP-170) and the code deposit cost per byte. */
const MAX_CODE_SIZE = 24576
const DEPOSIT_GAS_PER_BYTE = 200n

/** The outcome of a create's code deposit: the status, the gas left and the world state after it. */
interface Deposit {
  status: number
  gas: bigint
  stateRoot: Uint8Array
}

/**
 * A create frame's code deposit: a RETURN's output becomes the new account's code unless it is too
 * large (EIP-170), the frame cannot pay 200 gas a byte, or it starts with 0xEF (EIP-3541) — then the
 * create fails as if the frame had (all its gas gone). The first two are decided from the frame alone,
 * so a too-large output is never read (SPEC.md §6.1); the code is read to check its first byte.
 */
async function deposit(s: MachineState, child: FrameState, r: ItemReader): Promise<Deposit> {
  if (child.status !== 1 || child.output.size === 0) return { status: child.status, gas: child.gas, stateRoot: s.stateRoot }
  const size = child.output.size
  const cost = DEPOSIT_GAS_PER_BYTE * BigInt(size)
  const failed = { status: 3, gas: 0n, stateRoot: s.stateRoot }
  if (size > MAX_CODE_SIZE || child.gas < cost) return failed
  const code = readView(r, 'output', child.output, 0n, BigInt(size))
  if (code[0] === 0xef) return failed
  const trie = await proofTrie(s.stateRoot, r.next('new account proof'), 'new account')
  const account = decodeAccount(await trie.get(child.address))
  if (account === undefined) throw new WitnessError('the created account is not in the state')
  return {
    status: 1,
    gas: child.gas - cost,
    stateRoot: await trie.set(child.address, encodeAccount({ ...account, codeHash: keccak(code) })),
  }
}

/** A create frame's exit: the caller gets the address (or 0), the unused gas, and return data only when the frame reverted. */
async function createExit(
  s: MachineState,
  child: FrameState,
  parent: FrameState,
  revertPre: Uint8Array,
  below: Uint8Array,
  r: ItemReader,
): Promise<MachineState> {
  const { status, gas, stateRoot } = await deposit(s, child, r)
  r.done()
  const resumed: FrameState = {
    ...parent,
    stackHash: keccak(parent.stackHash, status === 1 ? join([new Uint8Array(12), child.address]) : be(0n)),
    stackSize: parent.stackSize + 1,
    gas: parent.gas + gas,
    returnData: status === 2 ? child.output : emptyView(),
  }
  const after = status === 1 ? { stateRoot } : restore(revertPre)
  return { ...s, ...after, frameStackHash: below, frameHash: keccak(writeFrame(resumed)) }
}

/**
 * The exit of a transaction's or system call's frame: its suspension is only the revert point
 * (`frameStackHash = H(0 ‖ H(revertPre) ‖ 0)`). A create deposits its code; a revert or failure
 * restores the revert point; the frame stays with its final status and gas, and the block moves to
 * TX_REFUND (a system call's to the next system call).
 */
async function depth0Exit(s: MachineState, child: FrameState, r: ItemReader): Promise<MachineState> {
  const revertPre = r.next('revert point', 128)
  const zero = new Uint8Array(32)
  if (!equal(keccak(zero, keccak(revertPre), zero), s.frameStackHash))
    throw new WitnessError('the revert point does not hash to the frame stack')
  const create = child.kind === 4 || child.kind === 5
  const { status, gas, stateRoot } = create ? await deposit(s, child, r) : { status: child.status, gas: child.gas, stateRoot: s.stateRoot }
  const system = child.kind === 6
  // execution-specs' checked system call: one that reverts or fails makes the block invalid.
  if (system && status !== 1) {
    r.done()
    return { ...s, phase: INVALID }
  }
  let after: MachineState = { ...s, ...(status === 1 ? { stateRoot } : restore(revertPre)) }
  // A system call is a transaction of its own whose sub-state is dropped (execution-specs keeps only
  // its state changes): the refunds of its SSTOREs do not reach the next call, which starts from zero.
  if (system) after = await endSystemCall({ ...after, substateHash: restore(revertPre).substateHash }, child, r)
  r.done()
  return {
    ...after,
    // A system call's exit goes to the next of the two (EIP-7002, EIP-7251), then to the block's end.
    phase: system ? (s.subIndex + 1 < 2 ? 10 : 11) : 6,
    subIndex: system && s.subIndex + 1 < 2 ? s.subIndex + 1 : 0,
    frameStackHash: zero,
    frameHash: keccak(writeFrame({ ...child, status, gas })),
  }
}
