/**
 * The native tracer: executes a block trace on ethereumjs and computes SPEC.md's commitment after
 * every step — block start, the block hashes, transaction set-up, each opcode, precompile and frame
 * exit, refunds, clean-up, receipts, withdrawals, system calls and block end. This file connects
 * ethereumjs's events to the step kinds; each step kind has its own file, named as the checker's in
 * src/check (block-start, block-hashes, tx-start, opcode, precompile, frame-exit, tx-end, block-end),
 * and the live structures are in state.ts. The world-state root is ethereumjs's, read after the
 * steps that can change it.
 */
import type { EVMResult, InterpreterStep, Message } from '@ethereumjs/evm'
import type { TypedTransaction } from '@ethereumjs/tx'
import { type AfterTxEvent, createVM, runBlock } from '@ethereumjs/vm'
import { type BlockTrace, InputError, type LoadedTrace, loadTrace } from '@stepproof/block-traces'
import { equalBytes } from '../commit/hash.ts'
import { emitWithdrawals, finalize, missingSystemContract } from './block-end.ts'
import { blockStart } from './block-start.ts'
import { partialTrace, recordCheckpoint, resumeTransaction, type TxCheckpoint } from './checkpoints.ts'
import { beforeCodeRuns, patchEthereumjs } from './ethereumjs.ts'
import { enterFrame } from './frame-enter.ts'
import { exitFrame } from './frame-exit.ts'
import { onStep, settlePending } from './opcode.ts'
import { PHASE } from './phases.ts'
import { type NativeStep, type TraceOptions, Tracing } from './state.ts'
import { endTransaction } from './tx-end.ts'
import { beginTransaction, rejectTransaction } from './tx-start.ts'
import type { StepWitness } from './witness.ts'

export { checkpointBytes, type TxCheckpoint } from './checkpoints.ts'
export { DivergenceError } from './errors.ts'
export type { NativeStep, TraceOptions } from './state.ts'

/** A traced block: the commitment before the first step, every step, and the final outcome. */
export interface NativeTrace {
  initial: Uint8Array
  steps: NativeStep[]
  /** The world-state root in the final commitment. */
  stateRoot: Uint8Array
  receiptsRoot: Uint8Array
  gasUsed: bigint
  logsBloom: Uint8Array
  requestsHash?: Uint8Array
  seconds: number
  /** Witnesses of the steps asked for (SPEC.md §5), in step order. */
  witnesses: StepWitness[]
  /** A checkpoint before each transaction (none when resumed). */
  checkpoints: TxCheckpoint[]
  /** The loaded state the run used: its node store holds the world state at every checkpoint. */
  loaded: LoadedTrace
  /** Why ethereumjs rejected a block expected invalid; the last step then ends in INVALID. */
  rejected?: string
}

/** Traces a block (or, with `options.resume`, one transaction of it from its checkpoint). */
export async function traceBlock(trace: BlockTrace, options: TraceOptions = {}): Promise<NativeTrace> {
  const started = performance.now()
  await patchEthereumjs()
  const loaded = options.resume?.loaded ?? (await loadTrace(trace, trace.id))
  const vm = await createVM({ common: loaded.common, blockchain: loaded.blockchain, stateManager: loaded.stateManager })
  const t = await new Tracing(trace, options, loaded, vm, started).open()
  listen(t)
  if (options.resume !== undefined) return resumeTransaction(t, options.resume.checkpoint)
  return traceWhole(t)
}

/**
 * Connects ethereumjs's events to the step kinds. A handler's error is kept (ethereumjs's event
 * emitter would lose it, and wait forever) and thrown after the block; once the proof has ended in
 * INVALID while ethereumjs runs on, later events are ignored.
 */
function listen(t: Tracing): void {
  const { vm } = t
  const evmEvents = vm.evm.events
  if (evmEvents === undefined) throw new Error('the ethereumjs EVM has no event emitter')
  const guarded =
    <T>(handler: (arg: T) => Promise<void>) =>
    async (arg: T, resolve?: () => void): Promise<void> => {
      try {
        if (t.failure === undefined && t.endedInvalid === undefined) await handler(arg)
      } catch (e) {
        t.failure = e
      } finally {
        resolve?.()
      }
    }
  vm.events.on(
    'beforeTx',
    guarded(async (tx: TypedTransaction) => {
      // Where block-start or the previous transaction's end left the world state is where ethereumjs is.
      const theirs = await t.sm.getStateRoot()
      if (t.stateDirty || !equalBytes(theirs, t.stateRoot))
        throw t.diverged(`the steps before the transaction reach another state root`, { expected: theirs, actual: t.stateRoot })
      recordCheckpoint(t)
      // tx-start has bought gas and bumped the nonce by the time the first message starts; the
      // access list and authorisations are steps of their own.
      await beginTransaction(t, tx)
    }),
  )
  evmEvents.on(
    'beforeMessage',
    guarded((message: Message) => enterFrame(t, message)),
  )
  evmEvents.on(
    'step',
    guarded((e: InterpreterStep) => onStep(t, e)),
  )
  evmEvents.on(
    'afterMessage',
    guarded((result: EVMResult) => exitFrame(t, result)),
  )
  vm.events.on(
    'afterTx',
    guarded((event: AfterTxEvent) => endTransaction(t, event)),
  )
  // Code runs with no event before it in two cases: a precompile, and a frame that halts before its
  // first step (a REVERT with too few stack items as its first instruction), whose entry ethereumjs
  // reverts (the created account, the value moved) before its afterMessage. The step that enters
  // the code (CALL, tx-enter) is sealed here, with the value moved and the account touched.
  const sealBeforeCode = guarded(async () => {
    settlePending(t)
    await t.seal()
  })
  beforeCodeRuns(vm, () => sealBeforeCode(undefined))
}

/** The whole block, from its initial commitment (the block's hash) to DONE or INVALID. */
async function traceWhole(t: Tracing): Promise<NativeTrace> {
  const { trace, block } = t
  t.phase = PHASE.BLOCK_START
  const initial = await t.commitment()
  t.initial = initial
  // The body against the header's roots, before anything is traced (it is not a step: see listTrie).
  await t.transactionsTrie()
  await t.withdrawalsTrie()
  const headerRejected = await blockStart(t)
  if (headerRejected !== undefined) return { ...partialTrace(t, initial), rejected: headerRejected }
  if (t.options.blockStartOnly === true) return partialTrace(t, initial)
  if (block.transactions.length === 0) recordCheckpoint(t)
  let result: Awaited<ReturnType<typeof runBlock>>
  try {
    result = await runBlock(t.vm, { block, generate: true })
  } catch (e) {
    if (t.failure !== undefined) throw t.failure
    const reason = (e as Error).message
    if (t.endedInvalid !== undefined) return { ...partialTrace(t, initial), rejected: reason }
    // A block expected invalid for a transaction's sake, refused at that transaction's start: the
    // proof ends there, in INVALID (a header that breaks a rule against its parent's ends it at
    // block-start, above). Another block-level reason (the body, deposit layouts) is not a step yet.
    const txInvalid = trace.expected.invalid?.startsWith('TransactionException') === true
    if (txInvalid && t.phase === PHASE.TX_START && t.txIndex < block.transactions.length) {
      await t.seal()
      await rejectTransaction(t)
      return { ...partialTrace(t, initial), rejected: reason }
    }
    const why =
      trace.expected.invalid === undefined
        ? ''
        : `; expected invalid (${trace.expected.invalid}): a block-level rule is not a native step yet (SPEC.md §8)`
    throw new InputError(`${trace.id}: ethereumjs rejected the block (${reason})${why}`)
  }
  if (t.failure !== undefined) throw t.failure
  if (t.endedInvalid?.ethereumjsAccepts === true)
    return { ...partialTrace(t, initial), rejected: `${t.endedInvalid.reason} (ethereumjs accepts the block)` }
  if (t.endedInvalid !== undefined)
    throw new Error(`${trace.id}: the proof ended in INVALID (${t.endedInvalid.reason}), but ethereumjs accepted the block`)
  await t.seal()
  await emitWithdrawals(t)
  if (t.phase === PHASE.SYSTEM_CALL) {
    const rejected = `${await missingSystemContract(t)} (ethereumjs accepts the block)`
    return { ...partialTrace(t, initial), rejected }
  }
  await finalize(t, result)
  return {
    initial,
    steps: t.steps,
    stateRoot: result.stateRoot,
    receiptsRoot: result.receiptsRoot,
    gasUsed: result.gasUsed,
    logsBloom: result.logsBloom,
    ...(result.requestsHash === undefined ? {} : { requestsHash: result.requestsHash }),
    seconds: (performance.now() - t.started) / 1000,
    witnesses: t.sealedWitnesses(),
    checkpoints: t.checkpoints,
    loaded: t.loaded,
  }
}
