/**
 * The reference checker's `frame-exit` step (SPEC.md §4) for a call's frame: the caller resumes
 * with 1 or 0 pushed, the child's unused gas back (none after a failure), the child's output as its
 * return data and copied to where it asked; a revert or failure restores the revert point.
 */

import { be, equal, type FrameState, join, keccak, type MachineState, readFrame, writeFrame } from './layout.ts'
import { NotChecked } from './opcode.ts'
import { bytesRoot, openRange } from './trees.ts'
import { type ItemReader, WitnessError } from './witness-reader.ts'

export function checkFrameExit(s: MachineState, child: FrameState, r: ItemReader): MachineState {
  if (s.frameStackHash.every((b) => b === 0))
    throw new NotChecked('the exit of a transaction’s or system call’s frame is not re-executed yet')
  if (child.kind >= 4) throw new NotChecked('the exits of create frames are not re-executed yet')
  const suspension = r.next('suspended caller', 384 + 128 + 32)
  const parentBytes = suspension.subarray(0, 384)
  const revertPre = suspension.subarray(384, 512)
  const below = suspension.slice(512)
  if (!equal(keccak(keccak(parentBytes), keccak(revertPre), below), s.frameStackHash))
    throw new WitnessError('the suspended caller does not hash to the frame stack')
  const parent = readFrame(parentBytes)
  const failed = child.status === 3
  let memoryRoot = parent.memoryRoot
  const n = failed ? 0 : Math.min(child.outputSize, child.retSize)
  if (n > 0) {
    const output = join(openRange(r, 'output', child.outputRoot, 0, (n - 1) >> 5, 24).leaves).subarray(0, n)
    const lo = child.retOffset >> 5
    const hi = (child.retOffset + n - 1) >> 5
    const range = openRange(r, 'caller memory', parent.memoryRoot, lo, hi, 24)
    const bytes = join(range.leaves)
    bytes.set(output, child.retOffset - lo * 32)
    memoryRoot = range.rootWith(Array.from({ length: hi - lo + 1 }, (_, i) => bytes.subarray(i * 32, i * 32 + 32)))
  }
  r.done()
  const resumed: FrameState = {
    ...parent,
    stackHash: keccak(parent.stackHash, be(child.status === 1 ? 1n : 0n)),
    stackSize: parent.stackSize + 1,
    gas: parent.gas + (failed ? 0n : child.gas),
    returnDataRoot: failed ? bytesRoot(new Uint8Array()) : child.outputRoot,
    returnDataSize: failed ? 0 : child.outputSize,
    memoryRoot,
  }
  const restored =
    child.status === 1
      ? {}
      : {
          stateRoot: revertPre.slice(0, 32),
          accessMap: revertPre.slice(32, 64),
          transientMap: revertPre.slice(64, 96),
          substateHash: revertPre.slice(96, 128),
        }
  return { ...s, ...restored, frameStackHash: below, frameHash: keccak(writeFrame(resumed)) }
}
