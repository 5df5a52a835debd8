import { createEVM } from '@ethereumjs/evm'

/**
 * ethereumjs 10.1.3's step hook, before a REVERT, reads the revert data from memory for the step
 * event — before the interpreter has charged the memory expansion. A REVERT whose size is huge
 * (2^256 − 1, say) then throws a RangeError out of the whole block, where without a step listener the
 * REVERT runs out of gas. Found by `stepproof fuzz`. The patch leaves the hook as it is but for that
 * read: while the hook runs for a REVERT whose range ends past 2^32 bytes (no such memory can be
 * paid for), reads return no bytes (the event's `error` field, which the tracer does not use).
 */
const UNPAYABLE = 2n ** 32n

interface RunStateLike {
  opCode: number
  stack: { peek(n: number): bigint[] }
  memory: { read: (offset: number, size: number, avoidCopy?: boolean) => Uint8Array }
}
interface InterpreterLike {
  _runState: RunStateLike
  _runStepHook(dynamicFee: bigint, gasLeft: bigint, memorySize: bigint): Promise<void>
}

let patched: Promise<void> | undefined

/** Applies the patch once per process (the interpreter's prototype is reached through a throwaway run). */
export function patchEthereumjs(): Promise<void> {
  patched ??= (async () => {
    const evm = await createEVM()
    const { runState } = (await evm.runCode({ code: Uint8Array.of(0x00) })) as unknown as { runState?: { interpreter: InterpreterLike } }
    if (runState === undefined) throw new Error('ethereumjs: a run of code gave no run state to reach the interpreter through')
    const proto = Object.getPrototypeOf(runState.interpreter) as InterpreterLike
    const hook = proto._runStepHook
    proto._runStepHook = async function (this: InterpreterLike, dynamicFee, gasLeft, memorySize) {
      const rs = this._runState
      let unpayable = false
      if (rs.opCode === 0xfd) {
        try {
          const [offset, length] = rs.stack.peek(2) as [bigint, bigint]
          unpayable = length > 0n && offset + length > UNPAYABLE
        } catch {
          // Fewer than two items: the hook throws as it always has (the tracer takes that step itself).
        }
      }
      if (!unpayable) return hook.call(this, dynamicFee, gasLeft, memorySize)
      const memory = rs.memory
      const read = memory.read
      memory.read = () => new Uint8Array(0)
      try {
        return await hook.call(this, dynamicFee, gasLeft, memorySize)
      } finally {
        memory.read = read
      }
    }
  })()
  return patched
}
