/**
 * Every access the generator makes to ethereumjs 10.1.3's private internals, in one file: what a
 * new ethereumjs version may break is here and nowhere else. The rest of src/trace uses the public
 * API (events, getAccount, getStateRoot) and these functions.
 */
import { createEVM, type EVMResult, getActivePrecompiles, type Message } from '@ethereumjs/evm'
import type { MerklePatriciaTrie } from '@ethereumjs/mpt'
import type { Account, Address } from '@ethereumjs/util'
import type { VM } from '@ethereumjs/vm'

/** The state manager as the generator reaches into it: its trie, with uncommitted nodes, and storage tries. */
interface StateManagerInternals {
  _trie: MerklePatriciaTrie
  _getStorageTrie(a: Address, account?: Account): MerklePatriciaTrie
  flush(): Promise<void>
}

/** A copy of the world-state trie at `root`: ethereumjs's nodes, its uncommitted ones included; writes stay in the copy. */
export function stateTrieAt(sm: unknown, root: Uint8Array): MerklePatriciaTrie {
  const t = (sm as StateManagerInternals)._trie.shallowCopy(true)
  t.root(root)
  return t
}

/** ethereumjs's own world-state trie, flushed: what an opcode's witness is cut from while the block runs. */
export async function liveStateTrie(sm: unknown): Promise<MerklePatriciaTrie> {
  await (sm as StateManagerInternals).flush()
  return (sm as StateManagerInternals)._trie
}

/** A copy of an account's storage trie at `root` (ethereumjs's own instance holds its unflushed layers). */
export function storageTrieAt(sm: unknown, address: Address, account: Account | undefined, root: Uint8Array): MerklePatriciaTrie {
  const t = (sm as StateManagerInternals)._getStorageTrie(address, account).shallowCopy(true)
  t.root(root)
  return t
}

/**
 * Runs ethereumjs's own precompile `address` (a 20-byte address's hex, lower case, no 0x) on `data`
 * with gas enough, as its EVM would (with the EVM's curve libraries): the output, or undefined for
 * an input it rejects. The generator's parts of a long MSM come from here (SPEC.md §5.3).
 */
export async function runPrecompile(vm: VM, address: string, data: Uint8Array): Promise<Uint8Array | undefined> {
  const run = getActivePrecompiles(vm.common).get(address)
  if (run === undefined) throw new Error(`ethereumjs has no precompile 0x${address} on ${vm.common.hardfork()}`)
  const result = await run({ data, gasLimit: 1n << 62n, common: vm.common, _EVM: vm.evm } as unknown as Parameters<typeof run>[0])
  return result.exceptionError === undefined ? result.returnValue : undefined
}

/** The addresses and slots ethereumjs holds warm (EIP-2929), by its journal keys ("addr" → slots). */
export function warmJournal(vm: VM): Map<string, Set<string>>[] {
  const journal = vm.evm.journal as unknown as { journal: Map<string, Set<string>>; alwaysWarmJournal: Map<string, Set<string>> }
  return [journal.alwaysWarmJournal, journal.journal]
}

/** The address a create message makes: the derivation ethereumjs uses next (for CREATE; CREATE2's is public). */
export async function createAddressOf(vm: VM, message: Message): Promise<Uint8Array> {
  return (await (vm.evm as unknown as { _generateAddress(m: Message): Promise<{ bytes: Uint8Array }> })._generateAddress(message)).bytes
}

/** The part of ethereumjs's interpreter run state a child's entry reads from its caller. */
export interface CallerRunState {
  programCounter: number
  gasLeft: bigint
  memoryWordCount: bigint
  stack: { getStack(): bigint[] }
}
type OpHandler = (runState: CallerRunState, common: unknown) => Promise<void> | void

/**
 * Makes ethereumjs's handler of opcode `op` report its run state while it runs (`enter`, then
 * `leave`): a child frame's entry then sees the caller as the opcode left it. The handler is looked
 * up after the step event, so wrapping it there takes effect for this very opcode; it is wrapped once.
 */
export function watchOpHandler(vm: VM, op: number, enter: (rs: CallerRunState) => void, leave: () => void): void {
  const map = (vm.evm as unknown as { _opcodeMap: { opHandler: OpHandler & { stepproof?: true } }[] })._opcodeMap
  const entry = map[op]
  if (entry === undefined || entry.opHandler.stepproof === true) return
  const inner = entry.opHandler
  const wrapped: OpHandler & { stepproof?: true } = async (runState, common) => {
    enter(runState)
    try {
      return await inner(runState, common)
    } finally {
      leave()
    }
  }
  wrapped.stepproof = true
  entry.opHandler = wrapped
}

/**
 * Calls `before` just before code runs: before a precompile (which runs with no event before it) and
 * before the interpreter starts a frame (a frame that halts before its first step event gives none).
 */
export function beforeCodeRuns(vm: VM, before: () => Promise<void>): void {
  const evm = vm.evm as unknown as {
    runPrecompile(code: unknown, data: Uint8Array, gasLimit: bigint): Promise<unknown>
    runInterpreter(message: unknown, opts?: unknown): Promise<unknown>
  }
  const runPrecompile = evm.runPrecompile.bind(vm.evm)
  evm.runPrecompile = async (code, data, gasLimit) => {
    await before()
    return runPrecompile(code, data, gasLimit)
  }
  const runInterpreter = evm.runInterpreter.bind(vm.evm)
  evm.runInterpreter = async (message, opts) => {
    await before()
    return runInterpreter(message, opts)
  }
}

/** What the generator reads of ethereumjs's interpreter state once a frame has stopped. */
export interface FinalRunState {
  programCounter: number
  code: Uint8Array
  gasLeft: bigint
  stack: { getStack(): bigint[] }
  memoryWordCount: bigint
  /** The memory's bytes up to its size in words. */
  memory: Uint8Array
  /** The output a RETURN left (kept by the interpreter even when the create's code deposit failed). */
  returnValue: Uint8Array | undefined
}

/** The interpreter's final state of a message's frame, when it ran code. */
export function finalRunState(result: EVMResult): FinalRunState | undefined {
  const rs = result.execResult.runState as
    | (Omit<FinalRunState, 'memory' | 'returnValue'> & { memory: { _store: Uint8Array }; returnValue?: Uint8Array })
    | undefined
  if (rs === undefined) return undefined
  return {
    programCounter: rs.programCounter,
    code: rs.code,
    gasLeft: rs.gasLeft,
    stack: rs.stack,
    memoryWordCount: rs.memoryWordCount,
    memory: rs.memory._store.subarray(0, Number(rs.memoryWordCount) * 32),
    returnValue: rs.returnValue,
  }
}

/**
 * ethereumjs 10.1.3's step hook, before a REVERT, reads the revert data from memory for the step
 * event — before the interpreter has checked the stack or charged the memory expansion. Two things
 * then go wrong, and the patch mends both while leaving the hook as it is otherwise:
 * - a REVERT whose size is huge (2^256 − 1, say) throws a RangeError out of the whole block, and
 *   one of 2^32 bytes grows the process by gigabytes until the system kills it, where without a step
 *   listener both run out of gas (both found by `stepproof fuzz`): while the hook runs for a REVERT
 *   whose memory expansion costs more than the gas left (so it fails before reading), reads return
 *   no bytes;
 * - a REVERT with fewer than two stack items throws in the hook, so no step event comes for it and
 *   the interpreter fails the frame and reverts its state before anything else is heard; the last
 *   opcode before it would be sealed on the reverted state (found by execution-spec-tests'
 *   test_self_sponsored_set_code, whose delegated code ends in such a REVERT after its SSTOREs):
 *   the hook sees two zero items instead, and the REVERT then underflows as it would.
 * Only the event's `error` field (which the tracer does not use) comes from those reads.
 */
const memoryCost = (words: bigint) => 3n * words + (words * words) / 512n

/** Whether memory up to byte `end` costs more to expand to, from `words` words, than `gasLeft`. */
function unpayableMemory(end: bigint, words: bigint, gasLeft: bigint): boolean {
  const wanted = (end + 31n) / 32n
  return wanted > words && memoryCost(wanted) - memoryCost(words) > gasLeft
}

interface RunStateLike {
  opCode: number
  stack: { peek(n?: number): bigint[] }
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
        let items: bigint[] | undefined
        try {
          items = rs.stack.peek(2)
        } catch {
          items = undefined
        }
        if (items === undefined) {
          const stack = rs.stack
          const peek = stack.peek
          stack.peek = () => [0n, 0n]
          try {
            return await hook.call(this, dynamicFee, gasLeft, memorySize)
          } finally {
            stack.peek = peek
          }
        }
        const [offset, length] = items as [bigint, bigint]
        unpayable = length > 0n && unpayableMemory(offset + length, memorySize, gasLeft)
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
