import type { Block } from '@ethereumjs/block'
import type { EVMResult, InterpreterStep, Message } from '@ethereumjs/evm'
import { createMerkleProof, createMPT, type MerklePatriciaTrie } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import type { TypedTransaction } from '@ethereumjs/tx'
import {
  Account,
  Address,
  bytesToBigInt,
  bytesToHex,
  createAccountFromRLP,
  eoaCode7702RecoverAuthority,
  generateAddress2,
  hexToBytes,
  KECCAK256_NULL,
  MAX_UINT64,
  SECP256K1_ORDER_DIV_2,
} from '@ethereumjs/util'
import { type AfterTxEvent, createVM, encodeReceipt, runBlock, runTx } from '@ethereumjs/vm'
import { sha256 } from '@noble/hashes/sha2.js'
import { type BlockTrace, InputError, type LoadedTrace, loadTrace } from '@stepproof/block-traces'
import { ChunkedBytes } from '../commit/bytes-tree.ts'
import { CodeTree } from '../commit/code-tree.ts'
import { concat, H, uint, ZERO32 } from '../commit/hash.ts'
import { IndexedMap } from '../commit/indexed-map.ts'
import { SparseMerkleTree } from '../commit/merkle.ts'
import { StackChain } from '../commit/stack.ts'
import { ancestryOf, BLOCK_HASH_STEPS, BLOCK_HASHES, headerLeaves } from './block-hashes.ts'
import { blobHashes, blockEnvData, type FrameFields, floorGas, frameData, stateData, substateData, txEnvData } from './encoding.ts'
import { patchEthereumjs } from './ethereumjs-patches.ts'
import { mapKey } from './keys.ts'
import { precompileAddresses, type StepKind } from './kinds.ts'
import {
  COPY_CHUNK,
  COPY_OPCODES,
  collides,
  copyPart,
  frameExitWitness,
  opcodeWitness,
  precompileWitness,
  type StepWitness,
  writeNodes,
} from './witness.ts'

/** One step of the native trace: its kind (and opcode), and the commitment after it. */
export interface NativeStep {
  kind: StepKind
  opcode?: number
  /** H(stateData) after this step (sealed once the step's effects are all mirrored). */
  post: Uint8Array | undefined
}

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

export interface TraceOptions {
  /** Which steps to cut a witness for. */
  witness?: (step: number) => boolean
  /**
   * Trace one transaction only, from its checkpoint in an earlier run of the same block, on that
   * run's loaded state (its node store holds the world state at every checkpoint).
   */
  resume?: { checkpoint: TxCheckpoint; loaded: LoadedTrace }
  /**
   * Called with each witness as soon as its step is sealed (its post known), instead of keeping it for
   * `witnesses`: for a caller that checks steps as they come and needs not hold them all.
   */
  onWitness?: (w: StepWitness) => Promise<void>
  /** Stop after block-start (its witness needs nothing of the block's execution). */
  blockStartOnly?: boolean
}

/**
 * What tracing needs to start again at a transaction's tx-start (or, after the last transaction, at
 * the block's tail: withdrawals, system calls, block end) without running the block up to it: the state before the step (stateData), the world-state root (its nodes stay in the run's node
 * store) and the preimages of the block accumulators (receipts so far, bloom, request items).
 */
export interface TxCheckpoint {
  /** The index of the step that follows: the transaction's tx-start, or the tail's first step. */
  step: number
  /** The transaction; the number of transactions for the tail's checkpoint. */
  txIndex: number
  stateData: Uint8Array
  cumulativeGas: bigint
  blobGasUsed: bigint
  receipts: Uint8Array[]
  bloom: Uint8Array
  requestItems: Uint8Array[]
}

/**
 * The bytes a block's checkpoints take stored together: each one's stateData, gas counters, bloom and
 * request items; the receipts once (each checkpoint holds the first ones of the same list).
 */
export function checkpointBytes(checkpoints: readonly TxCheckpoint[]): number {
  const sum = (xs: readonly Uint8Array[]) => xs.reduce((n, x) => n + x.length, 0)
  const last = checkpoints[checkpoints.length - 1]
  return checkpoints.reduce((n, c) => n + c.stateData.length + 64 + c.bloom.length + sum(c.requestItems), 0) + sum(last?.receipts ?? [])
}

/** Opcodes that end a frame: a frame whose last opcode is none of these ran past its code (an implicit STOP). */
const HALTING = new Set([0x00, 0xf3, 0xfd, 0xfe, 0xff])

/** The opcodes that enter a child frame. */
const FRAME_OPCODES = new Set([0xf0, 0xf1, 0xf2, 0xf4, 0xf5, 0xfa])

/** The part of ethereumjs's interpreter run state a child's entry reads from its caller. */
interface CallerRunState {
  programCounter: number
  gasLeft: bigint
  memoryWordCount: bigint
  stack: { getStack(): bigint[] }
}
type OpHandler = (runState: CallerRunState, common: unknown) => Promise<void> | void

const OP = {
  SSTORE: 0x55,
  TSTORE: 0x5d,
  LOG0: 0xa0,
  LOG4: 0xa4,
  CREATE: 0xf0,
  CALL: 0xf1,
  CALLCODE: 0xf2,
  CREATE2: 0xf5,
  REVERT: 0xfd,
  SELFDESTRUCT: 0xff,
}
/** Opcodes after which the world-state root may have changed (value moves, storage, accounts). */
const STATE_WRITERS = new Set([OP.SSTORE, OP.CREATE, OP.CALL, OP.CALLCODE, OP.CREATE2, OP.SELFDESTRUCT])

const EMPTY_BYTES_ROOT = ChunkedBytes.root(new Uint8Array())

const FORK_ID: Record<string, number> = { Shanghai: 0, Cancun: 1, Prague: 2, Osaka: 3 }
/** SPEC.md's fork id of Cancun: EIP-6780 (SELFDESTRUCT deletes only an account created in the same transaction) starts there. */
const CANCUN = 1

/** The system calls at a block's end from Prague on: EIP-7002's withdrawal requests, EIP-7251's consolidations. */
const SYSTEM_CALLS = 2
/** The EIP-7002 and EIP-7251 request contracts the system calls run, in order. */
const WITHDRAWAL_REQUESTS = hexToBytes('0x00000961ef480eb55e80d19ad83579a64c007002')
const CONSOLIDATION_REQUESTS = hexToBytes('0x0000bbddc7ce488642fb579f8b00f3a590007251')
/** The address system calls come from (EIP-4788, EIP-7002). */
const SYSTEM_ADDRESS = hexToBytes('0xfffffffffffffffffffffffffffffffffffffffe')

/** The EIP-4788 and EIP-2935 system contracts. */
const BEACON_ROOTS = hexToBytes('0x000f3df6d732807ef1319fb7b8bb8522d0beac02')
const HISTORY_STORAGE = hexToBytes('0x0000f90827f1c53a10cb7a02335b175320002935')

/** The executing call frame, mirrored from ethereumjs's events into SPEC.md's structures. */
interface Frame extends FrameFields {
  code: CodeTree | undefined
  precompile: boolean
  /** outOffset and outSize of the CALL-family opcode running, for the child it enters. */
  nextRet?: { offset: bigint; size: bigint }
  /** The last opcode the frame ran (undefined before the first). */
  lastOp: number | undefined
  /** What ethereumjs changes in an opcode's gas handler, as it was before the last opcode. */
  beforeOp?: { access: number; refundLocal: bigint }
  /** A CALL-family opcode ran and no child frame has been entered yet (a fail-fast call pushes 0 and clears the return data). */
  callPending?: boolean
  stack: StackChain
  memory: ChunkedBytes
  /** The transaction's refund counter as this frame last saw it (ethereumjs keeps it tx-wide). */
  refundLocal: bigint
  /** The gas the frame was given. */
  gasStart: bigint
  /** Map journal marks and sub-state at entry: what a revert of this frame restores. */
  marks: {
    access: number
    transient: number
    selfdestruct: number
    created: number
    touched: number
    logsHash: Uint8Array
    logCount: number
  }
}

/**
 * Executes a block trace on ethereumjs and computes SPEC.md's commitment after every step: block
 * start, transaction set-up, each opcode, precompile and frame exit, refunds, clean-up, receipts,
 * withdrawals, system calls and block end. Everything is kept incrementally (the stack chain
 * rehashes only its changed top, memory only its changed chunks, maps only their changed paths);
 * the world-state root is ethereumjs's, read after the steps that can change it.
 */
export async function traceBlock(trace: BlockTrace, options: TraceOptions = {}): Promise<NativeTrace> {
  const started = performance.now()
  await patchEthereumjs()
  const loaded = options.resume?.loaded ?? (await loadTrace(trace, trace.id))
  const vm = await createVM({ common: loaded.common, blockchain: loaded.blockchain, stateManager: loaded.stateManager })
  const block: Block = loaded.block
  const sm = loaded.stateManager
  const precompiles = precompileAddresses(trace.fork)
  const evmEvents = vm.evm.events
  if (evmEvents === undefined) throw new Error('the ethereumjs EVM has no event emitter')

  /** The first error a handler threw: ethereumjs's event emitter would lose it (and wait forever), so it is kept and thrown after the block. */
  let failure: unknown
  /**
   * Why the proof ended in INVALID while ethereumjs ran on (a deposit log of another layout, which
   * ethereumjs refuses at the block's end; a failed system call, which it accepts): later events are ignored.
   */
  let endedInvalid: { reason: string; ethereumjsAccepts: boolean } | undefined
  const guarded =
    <T>(handler: (arg: T) => Promise<void>) =>
    async (arg: T, resolve?: () => void): Promise<void> => {
      try {
        if (failure === undefined && endedInvalid === undefined) await handler(arg)
      } catch (e) {
        failure = e
      } finally {
        resolve?.()
      }
    }

  const access = new IndexedMap()
  const transient = new IndexedMap()
  const selfdestructs = new IndexedMap()
  const created = new IndexedMap()
  const touched = new IndexedMap()
  /** Code by its hash: the pre-state's, the delegations set, and (looked up) what ethereumjs stores. */
  const codeByHash = new Map<string, Uint8Array>()
  for (const account of Object.values(trace.pre)) {
    const code = hexToBytes(account.code)
    codeByHash.set(bytesToHex(H(code)), code)
  }
  const codeTrees = new Map<string, CodeTree>()
  const codeTree = (bytes: Uint8Array) => {
    const key = bytesToHex(H(bytes))
    let t = codeTrees.get(key)
    if (t === undefined) {
      t = new CodeTree(bytes)
      codeTrees.set(key, t)
    }
    return t
  }
  const receiptsTrie = await createMPT({})

  let phase = 0
  let txIndex = 0
  let subIndex = 0
  let stateRoot = await sm.getStateRoot()
  let txStartRoot = ZERO32 as Uint8Array
  let stateDirty = false
  let txEnvHash = ZERO32 as Uint8Array
  let logsHash = ZERO32 as Uint8Array
  let logCount = 0
  /** The transaction's logs so far, each rlp([address, topics, data]) (tx-receipt's witness). */
  const txLogs: Uint8Array[] = []
  /** The addresses behind the self-destruct and touched maps' keys (tx-cleanup's witness). */
  const addressOfKey = new Map<bigint, Uint8Array>()
  let cumulativeGas = 0n
  let blobGasUsed = 0n
  let receiptCount = 0
  const bloom: Uint8Array = new Uint8Array(256)
  const frames: Frame[] = []
  /**
   * A transaction's (or system call's) frame after its exit: it stays in the state (SPEC.md §4) with
   * its final status and gas until tx-receipt (or the next system call) clears it; `refund` is the
   * transaction's refund counter as the exit left it.
   */
  let kept: { frame: Frame; refund: bigint } | undefined
  /**
   * The refunds of the transaction's EIP-7702 authorisations of existing accounts: ethereumjs counts
   * them apart from the interpreter's refund counter, which starts from zero; SPEC.md has one counter.
   */
  let authRefund = 0n
  /** The chain of suspended frames: for each, H(frame) and the revert point at the child's entry. */
  const suspended: Uint8Array[] = [ZERO32]
  /** What each suspension hashed: the parent's frame, the revert point's preimage, the chain below. */
  const suspendedParts: { parent: Uint8Array; revertPre: Uint8Array; below: Uint8Array }[] = []
  /** The run states of the CALL- and CREATE-family opcodes executing, innermost last (see wrapFrameOpcode). */
  const callerRunStates: CallerRunState[] = []

  const forkId = FORK_ID[trace.fork] as number
  if (FORK_ID[trace.fork] === undefined) throw new InputError(`${trace.id}: the native tracer knows Shanghai to Osaka, not ${trace.fork}`)
  /** BLOCKHASH's tree as the block-hashes steps leave it (the 256 hashes before the block), and the headers they open. */
  const { tree: blockHashes, headers: ancestorHeaders } = ancestryOf(trace, loaded.parent, loaded.common)
  const envWith = (blockHashesRoot: Uint8Array) =>
    blockEnvData({
      forkId,
      chainId: BigInt(trace.chainId),
      header: block.header,
      blobBaseFee: trace.fork === 'Shanghai' ? 0n : block.header.getBlobGasPrice(),
      blockHashesRoot,
    })
  /** blockEnv as the state holds it: from block-start to the last block-hashes step its tree is being filled. */
  let blockEnv = envWith(blockHashes.root())
  let blockEnvHash = H(blockEnv)
  /** The tree the block-hashes steps fill, from block-start's two leaves. */
  const boundHashes = new SparseMerkleTree(8)
  const setBoundHashes = (leaves: Iterable<[number, Uint8Array]>) => {
    for (const [i, leaf] of leaves) boundHashes.set(i, leaf)
    blockEnv = envWith(boundHashes.root())
    blockEnvHash = H(blockEnv)
  }
  /**
   * Before block-start the state names the block by its hash and holds no state root: the public
   * input; block-start derives blockEnv and the pre-state root from the header and its parent's (SPEC.md §2).
   */
  let headerBound = false
  let txEnv: Uint8Array = new Uint8Array(512)
  let txBlobHashes: Uint8Array = new Uint8Array()
  const witnesses: StepWitness[] = []
  const checkpoints: TxCheckpoint[] = []
  /** The receipts so far, as the receipts trie holds them (a checkpoint's preimage of receiptsRoot). */
  const receiptList: Uint8Array[] = []
  /** The post-state's stateData of witnessed steps. */
  const postStates = new Map<number, Uint8Array>()

  /** The last sub-state hashed and its hash: most steps leave the sub-state as it was. */
  let substateCache: { data: Uint8Array; hash: Uint8Array } | undefined
  const substateBytes = () =>
    substateData(refundNow(), logsHash, logCount, selfdestructs.commitment(), created.commitment(), touched.commitment())
  const substateHash = () => {
    const data = substateBytes()
    if (substateCache === undefined || !equalBytes(substateCache.data, data)) substateCache = { data, hash: H(data) }
    return substateCache.hash
  }
  const refundNow = () => {
    const f = frames[frames.length - 1]
    return f === undefined ? (kept?.refund ?? authRefund) : f.refundLocal
  }
  const frameHash = (f: Frame | undefined) => (f === undefined ? ZERO32 : H(frameData(f)))
  const currentFrame = () => frames[frames.length - 1] ?? kept?.frame
  let bloomHash = H(bloom)
  let blockAccCache: { data: Uint8Array; hash: Uint8Array } | undefined
  /** blockAcc word 4: the chain of request items (type ‖ data) folded so far; the requests hash after block-finalize. */
  let requestsWord: Uint8Array = ZERO32
  /** The request items of the block in chain order (block-finalize's witness). */
  const requestItems: Uint8Array[] = []
  /** Appends a request item (type ‖ data) to the block's requests chain (SPEC.md §2.2). */
  const foldRequest = (item: Uint8Array) => {
    requestItems.push(item)
    requestsWord = H(requestsWord, H(item))
  }
  const blockAccBytes = () =>
    concat([uint(cumulativeGas), uint(blobGasUsed), receiptsTrie.root(), uint(receiptCount), requestsWord, bloomHash])
  const blockAccHash = () => {
    const data = blockAccBytes()
    if (blockAccCache === undefined || !equalBytes(blockAccCache.data, data)) blockAccCache = { data, hash: H(data) }
    return blockAccCache.hash
  }

  /** The stateData the last commitment hashed. */
  let lastStateData: Uint8Array = new Uint8Array()
  async function commitment(): Promise<Uint8Array> {
    if (stateDirty) {
      stateRoot = await sm.getStateRoot()
      stateDirty = false
    }
    lastStateData = stateData({
      phase,
      forkId,
      chainId: BigInt(trace.chainId),
      txIndex,
      subIndex,
      blockEnvHash: headerBound ? blockEnvHash : block.hash(),
      txEnvHash,
      stateRoot: headerBound ? stateRoot : ZERO32,
      txStartRoot,
      accessMap: access.commitment(),
      transientMap: transient.commitment(),
      substateHash: substateHash(),
      blockAccHash: blockAccHash(),
      frameStackHash: suspended[suspended.length - 1] as Uint8Array,
      frameHash: frameHash(currentFrame()),
    })
    return H(lastStateData)
  }

  const steps: NativeStep[] = []
  /**
   * Steps are pushed when they start and sealed (their post-commitment computed) once their effects
   * are all mirrored: a system step right after its effects, an opcode at the next event (which
   * shows the state the opcode left), a frame exit at the caller's next event (its pc, stack and
   * gas after the call).
   */
  async function seal(): Promise<void> {
    const last = steps[steps.length - 1]
    if (last !== undefined && last.post === undefined) {
      last.post = await commitment()
      const k = steps.length - 1
      if (options.witness?.(k) !== true) return
      const w = witnesses[witnesses.length - 1]
      if (options.onWitness !== undefined && w?.step === k) {
        // Handed over whole and not kept: a block's witnesses can take gigabytes.
        witnesses.pop()
        await options.onWitness({ ...w, post: last.post, postStateData: lastStateData })
      } else postStates.set(k, lastStateData)
    }
  }
  function push(kind: StepKind, opcode?: number): void {
    steps.push({ kind, ...(opcode === undefined ? {} : { opcode }), post: undefined })
  }

  /** Map keys of warm addresses and slots, by ethereumjs's journal key ("addr" / "addr:slot"). */
  const accessKeys = new Map<string, bigint>()
  const accessKey = (addr: string, slot?: string): bigint => {
    const id = slot === undefined ? addr : `${addr}:${slot}`
    let k = accessKeys.get(id)
    if (k === undefined) {
      const a = hexToBytes(`0x${addr}`)
      k = slot === undefined ? mapKey(1, a) : mapKey(2, a, uint(BigInt(`0x${slot || '0'}`)))
      accessKeys.set(id, k)
    }
    return k
  }
  /** Warm keys ethereumjs added since the last sync, inserted in ascending key order (SPEC.md §4). */
  function syncAccess(): void {
    const journal = vm.evm.journal as unknown as { journal: Map<string, Set<string>>; alwaysWarmJournal: Map<string, Set<string>> }
    const fresh: bigint[] = []
    for (const source of [journal.alwaysWarmJournal, journal.journal]) {
      for (const [addr, slots] of source) {
        const ak = accessKey(addr)
        if (!access.has(ak)) fresh.push(ak)
        for (const slot of slots) {
          const sk = accessKey(addr, slot)
          if (!access.has(sk)) fresh.push(sk)
        }
      }
    }
    for (const k of [...new Set(fresh)].sort((x, y) => (x < y ? -1 : 1))) access.set(k, 1n)
  }

  let pendingOp: { frame: Frame; opcode: number; stack: bigint[]; memory: Uint8Array; emptyBeneficiary?: Uint8Array } | undefined
  /** A copy longer than one step (SPEC.md §6), seen at its step event: its later steps follow once its effect is seen. */
  let pendingCopy: { frame: Frame; opcode: number; stack: bigint[]; dest: bigint; len: bigint; backward: boolean } | undefined
  /**
   * The later steps of a long copy (SPEC.md §6), from the state the interpreter left after it (`post`:
   * gas, memory size and bytes): each step moves COPY_CHUNK bytes at the same pc, its operands on the
   * stack; the last one, which the caller seals with the frame synced to `post`, pops them.
   */
  async function continueCopy(f: Frame, post: { gas: bigint; memoryWords: number; memory: Uint8Array }): Promise<void> {
    const c = pendingCopy
    pendingCopy = undefined
    if (c === undefined || c.frame !== f) return
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
      await seal()
      await opcodeStep(f, c.opcode, c.stack)
    }
    f.progress = 0
  }
  /** Effects of the previous opcode that the next event reveals (transient writes, logs, world state). */
  function settlePending(): void {
    const p = pendingOp
    pendingOp = undefined
    if (p === undefined) return
    const top = (i: number) => p.stack[p.stack.length - 1 - i] as bigint
    if (p.opcode === OP.TSTORE && !p.frame.isStatic) {
      transient.set(mapKey(3, p.frame.address, uint(top(0))), top(1))
    }
    if (p.opcode >= OP.LOG0 && p.opcode <= OP.LOG4) {
      const offset = Number(top(0))
      const size = Number(top(1))
      const topics = Array.from({ length: p.opcode - OP.LOG0 }, (_, i) => uint(top(2 + i)))
      const data = new Uint8Array(size)
      data.set(p.memory.subarray(offset, offset + size))
      const log = RLP.encode([p.frame.address, topics, data])
      logsHash = H(logsHash, H(log))
      txLogs.push(log)
      logCount++
    }
    if (STATE_WRITERS.has(p.opcode)) stateDirty = true
    if (p.opcode === OP.SELFDESTRUCT) {
      selfdestructs.set(keyFor(4, p.frame.address), 1n)
      // A beneficiary left empty (nothing came, it had nothing) is touched (EIP-161).
      if (p.emptyBeneficiary !== undefined) touched.set(keyFor(6, p.emptyBeneficiary), 1n)
    }
  }

  vm.events.on(
    'beforeTx',
    guarded(async (tx: TypedTransaction) => {
      // Where block-start or the previous transaction's end left the world state is where ethereumjs is.
      if (stateDirty || !equalBytes(await sm.getStateRoot(), stateRoot))
        throw new Error(`${trace.id}: the steps before transaction ${txIndex} reach another state root than ethereumjs`)
      recordCheckpoint()
      phase = 1
      subIndex = 0
      // tx-start sets txEnvHash and txStartRoot (SPEC.md §4); its witness is cut from the state before.
      txEnv = txEnvData(tx, block.header.baseFeePerGas ?? 0n, forkId)
      txBlobHashes = blobHashes(tx)
      logsHash = ZERO32
      logCount = 0
      txLogs.length = 0
      authRefund = 0n
      // tx-start has bought gas and bumped the nonce by the time the first message starts; the
      // access list and authorisations are steps of their own.
    }),
  )

  evmEvents.on(
    'beforeMessage',
    guarded(async (message: Message) => {
      settlePending()
      const parent = frames[frames.length - 1]
      // What a CALL warmed before entering; a transaction's set-up warms what its steps say, one step at a time.
      if (parent !== undefined || phase !== 1) syncAccess()
      const isCreate = message.to === undefined
      const data = message.data
      // A create's address is known only inside ethereumjs; this is the same derivation it uses next.
      const newAddress = !isCreate
        ? undefined
        : message.salt !== undefined
          ? generateAddress2(message.caller.bytes, message.salt, data)
          : (await (vm.evm as unknown as { _generateAddress(m: Message): Promise<{ bytes: Uint8Array }> })._generateAddress(message)).bytes
      // EIP-2929: a create warms the new address in the caller's context, before
      // the revert point (ethereumjs does it right after this event, outside the child's checkpoint).
      if (newAddress !== undefined && parent !== undefined) access.set(accessKey(bytesToHex(newAddress).slice(2)), 1n)
      if (parent === undefined) {
        // The transaction's (or a system call's) frame: everything before it is set-up. A block with
        // no transactions goes from block-start to WITHDRAWAL.
        await seal()
        if (phase === 1) await setUpTransaction(block.transactions[txIndex] as TypedTransaction, newAddress)
        else {
          await emitWithdrawals()
          phase = 10
          if (!equalBytes((message.to as Address).bytes, [WITHDRAWAL_REQUESTS, CONSOLIDATION_REQUESTS][subIndex] as Uint8Array)) {
            // ethereumjs skipped the request contract before this one (it has no code): the proof ends there.
            if (stateDirty) throw new Error(`${trace.id}: the world state before the system calls was not read`)
            endedInvalid = { reason: await missingSystemContract(), ethereumjsAccepts: true }
            return
          }
          await cutSystemCall(message)
          // ethereumjs bumps the system address's nonce before this event (and undoes it after the call).
          stateRoot = await sm.getStateRoot()
          stateDirty = false
        }
      } else {
        // The caller as the CALL or CREATE left it (SPEC.md §2.3): pc past it, its inputs popped, memory
        // expanded, the call's cost and the gas it forwards deducted (ethereumjs deducts the forwarded
        // gas only when the child returns, and has added the stipend that message.gasLimit includes).
        const rs = callerRunStates[callerRunStates.length - 1]
        if (rs === undefined) throw new Error('a child frame entered outside a CALL- or CREATE-family opcode')
        const stack = rs.stack.getStack()
        parent.pc = rs.programCounter
        parent.stack.update(stack)
        parent.stackSize = stack.length
        parent.memoryWords = Number(rs.memoryWordCount)
        parent.gas = rs.gasLeft - message.gasLimit
        parent.callPending = false
        parent.returnData = new Uint8Array() // a call clears the caller's return data
        parent.returnDataRoot = EMPTY_BYTES_ROOT
        const revertPre = await revertPointData()
        const parentData = frameData(parent)
        const below = suspended[suspended.length - 1] as Uint8Array
        suspendedParts.push({ parent: parentData, revertPre, below })
        suspended.push(H(H(parentData), H(revertPre), below))
      }
      // A transaction's or system call's frame has a suspension of its own: no parent, and the revert
      // point a failure of the whole frame restores (SPEC.md §2.3).
      const txRevertPre = parent === undefined ? await revertPointData() : undefined
      if (parent === undefined && phase === 4) await cutTxEnter(message, newAddress)
      const frame: Frame = {
        kind: frameKind(isCreate, parent === undefined && phase === 10, parent),
        status: 0,
        isStatic: message.isStatic,
        depth: message.depth,
        pc: 0,
        gas: message.gasLimit,
        address: newAddress ?? (message.to as NonNullable<Message['to']>).bytes,
        codeAddress: newAddress ?? message.codeAddress.bytes,
        caller: message.caller.bytes,
        value: message.value,
        code: undefined,
        precompile: !isCreate && precompiles.has(bytesToHex(message.codeAddress.bytes)),
        lastOp: undefined,
        stack: new StackChain(),
        stackSize: 0,
        memory: new ChunkedBytes(),
        memoryWords: 0,
        calldata: isCreate ? new Uint8Array() : data,
        calldataRoot: isCreate ? EMPTY_BYTES_ROOT : ChunkedBytes.root(data),
        returnData: new Uint8Array(),
        returnDataRoot: EMPTY_BYTES_ROOT,
        output: new Uint8Array(),
        outputRoot: EMPTY_BYTES_ROOT,
        refundLocal: refundNow(),
        gasStart: message.gasLimit,
        ...callTarget(parent),
        marks: {
          access: access.mark(),
          transient: transient.mark(),
          selfdestruct: selfdestructs.mark(),
          created: created.mark(),
          touched: touched.mark(),
          logsHash,
          logCount,
        },
      }
      frames.push(frame)
      if (txRevertPre !== undefined) {
        kept = undefined
        suspendedParts.push({ parent: new Uint8Array(), revertPre: txRevertPre, below: ZERO32 })
        suspended.push(H(ZERO32, H(txRevertPre), ZERO32))
      }
      // The account a call runs in is touched as it is entered (created empty if absent); one left
      // empty (no value came) is deleted when the transaction ends (EIP-161). A revert undoes it.
      if (!isCreate && !message.delegatecall) {
        const before = await sm.getAccount(new Address(frame.address))
        const self = bytesToHex(frame.address) === bytesToHex(message.caller.bytes)
        if ((before === undefined || before.isEmpty()) && (message.value === 0n || self)) touched.set(keyFor(6, frame.address), 1n)
      }
      if (!isCreate) frame.code = codeTree(await executedCode(message.codeAddress, message.depth === 0))
      if (isCreate) {
        frame.code = codeTree(data)
        // A collision (EIP-684, EIP-7610) enters the frame already failed: nothing is created.
        if (!collides(await sm.getAccount(new Address(frame.address)))) created.set(mapKey(5, frame.address), 1n)
      }
      stateDirty = true
      if (parent === undefined) {
        const system = phase === 10
        phase = 5
        await seal()
        // A system call is a transaction of its own: its contract is as warm as a recipient (ethereumjs
        // warms it at its first SLOAD), and SSTORE's original values are those at its start.
        if (system) {
          access.set(accessKey(bytesToHex(frame.address).slice(2)), 1n)
          txStartRoot = await sm.getStateRoot()
        }
        push(system ? 'system-call' : 'tx-enter')
      }
      // The entering step (tx-enter, system-call, or the CALL or CREATE opcode) is sealed at the first
      // event inside the frame: ethereumjs moves the value and creates the account after this event.
    }),
  )

  evmEvents.on(
    'step',
    guarded(async (e: InterpreterStep) => {
      settlePending()
      const f = frames[frames.length - 1] as Frame
      if (f.callPending === true) {
        // The previous opcode was a call or create that failed fast (depth, balance, nonce): no child, return data cleared.
        f.callPending = false
        f.nextRet = undefined
        f.returnData = new Uint8Array()
        f.returnDataRoot = EMPTY_BYTES_ROOT
      }
      await continueCopy(f, { gas: e.gasLeft, memoryWords: Number(e.memoryWordCount), memory: e.memory })
      // The state before this opcode, which is the state the previous step left.
      f.pc = e.pc
      f.gas = e.gasLeft
      f.stackSize = e.stack.length
      f.stack.update(e.stack)
      f.memoryWords = Number(e.memoryWordCount)
      syncMemory(f, e.memory)
      await seal()
      // ethereumjs names every undefined opcode INVALID (0xfe): the step is labelled with the byte itself
      // (the witness is INVALID's: an undefined opcode reads nothing more).
      await opcodeStep(f, e.opcode.code, e.stack, e.opcode.code === 0xfe ? (f.code?.code[e.pc] ?? 0xfe) : e.opcode.code)
      f.beforeOp = { access: access.mark(), refundLocal: f.refundLocal }
      if (COPY_OPCODES.has(e.opcode.code) && e.stack.length >= (e.opcode.code === 0x3c ? 4 : 3)) {
        const top = (i: number) => e.stack[e.stack.length - 1 - i] as bigint
        const [dest, len] = e.opcode.code === 0x3c ? [top(1), top(3)] : [top(0), top(2)]
        if (len > BigInt(COPY_CHUNK))
          pendingCopy = {
            frame: f,
            opcode: e.opcode.code,
            stack: e.stack.slice(),
            dest,
            len,
            backward: e.opcode.code === 0x5e && dest > top(1),
          }
      }
      if (FRAME_OPCODES.has(e.opcode.code)) {
        wrapFrameOpcode(e.opcode.code)
        // A call or create that fails fast enters no child, and still clears the return data
        // (execution-specs' generic_call and generic_create empty it before their checks).
        f.callPending = true
        if (e.opcode.code !== 0xf0 && e.opcode.code !== 0xf5) {
          // Where the caller wants the output: outOffset and outSize, the last two inputs.
          const out = e.stack.slice(-(e.opcode.code === 0xf1 || e.opcode.code === 0xf2 ? 7 : 6)).reverse()
          f.nextRet = { offset: out[out.length - 2] as bigint, size: out[out.length - 1] as bigint }
        }
      }
      // SSTORE's gas handler has already moved the refund counter too (the only opcode that does).
      f.refundLocal = authRefund + e.gasRefund
      // ethereumjs computes an opcode's gas, warming what it touches (EIP-2929), before this event:
      // those keys are this opcode's effect.
      syncAccess()
      pendingOp = { frame: f, opcode: e.opcode.code, stack: e.stack, memory: e.memory }
      if (e.opcode.code === OP.SELFDESTRUCT && e.stack.length > 0) {
        const to = uint((e.stack[e.stack.length - 1] as bigint) & ((1n << 160n) - 1n), 20)
        const [self, beneficiary] = await Promise.all([sm.getAccount(new Address(f.address)), sm.getAccount(new Address(to))])
        const empty = (beneficiary === undefined || beneficiary.isEmpty()) && (self?.balance ?? 0n) === 0n
        if (empty && bytesToHex(to) !== bytesToHex(f.address)) pendingOp.emptyBeneficiary = to
      }
    }),
  )

  /**
   * Makes ethereumjs's handler of a CALL- or CREATE-family opcode record its run state while it runs,
   * so that a child's entry sees the caller as the opcode left it. The handler is looked up after the
   * step event, so wrapping it there takes effect for this very opcode.
   */
  function wrapFrameOpcode(op: number): void {
    const map = (vm.evm as unknown as { _opcodeMap: { opHandler: OpHandler & { stepproof?: true } }[] })._opcodeMap
    const entry = map[op]
    if (entry === undefined || entry.opHandler.stepproof === true) return
    const inner = entry.opHandler
    const wrapped: OpHandler & { stepproof?: true } = async (runState, common) => {
      callerRunStates.push(runState)
      try {
        return await inner(runState, common)
      } finally {
        callerRunStates.pop()
      }
    }
    wrapped.stepproof = true
    entry.opHandler = wrapped
  }

  /** A call's child: where its caller wants the output (SPEC.md §2.3 word 11; none for length 0). */
  function callTarget(parent: Frame | undefined): { retOffset: number; retSize: number } {
    const ret = parent?.nextRet
    if (parent === undefined || ret === undefined || ret.size === 0n) return { retOffset: 0, retSize: 0 }
    parent.nextRet = undefined
    return { retOffset: Number(ret.offset), retSize: Number(ret.size) }
  }

  /** continueCopy from the interpreter's final state (a long copy followed by no step event). */
  const continueCopyFrom = (f: Frame, rs: FinalRunState) =>
    continueCopy(f, {
      gas: rs.gasLeft,
      memoryWords: Number(rs.memoryWordCount),
      memory: rs.memory._store.subarray(0, Number(rs.memoryWordCount) * 32),
    })

  /** The frame as the interpreter left it when it stopped (for a step it took without a step event). */
  function syncFromRunState(f: Frame, rs: FinalRunState): void {
    const stack = rs.stack.getStack()
    f.pc = rs.programCounter
    f.gas = rs.gasLeft
    f.stackSize = stack.length
    f.stack.update(stack)
    f.memoryWords = Number(rs.memoryWordCount)
    syncMemory(f, rs.memory._store.subarray(0, f.memoryWords * 32))
  }

  /** Pushes an opcode step whose pre-state is sealed, cutting its witness when asked to. */
  async function opcodeStep(f: Frame, opcode: number, stack: bigint[], label = opcode): Promise<void> {
    f.lastOp = opcode
    await cutWitness(
      'opcode',
      async () =>
        opcodeWitness({
          opcode,
          fork: forkId,
          frameData: frameData(f),
          frame: { ...f, code: f.code ?? codeTree(new Uint8Array()) },
          stack,
          blockEnv,
          txEnv,
          blobHashes: txBlobHashes,
          blockNumber: block.header.number,
          blockHashes,
          access,
          transient,
          touched,
          created,
          selfdestructs,
          substate: substateBytes(),
          sm,
          txStartRoot,
        }),
      label,
    )
    push('opcode', label)
  }

  /**
   * Cuts the witness of the step about to be pushed, when asked to: its pre-state is the last sealed
   * commitment, which the live structures must give again (a check on the tracer itself).
   */
  async function cutWitness(
    kind: StepKind,
    items: () => Promise<{ proof: Uint8Array[]; codes: Uint8Array[] }>,
    opcode?: number,
  ): Promise<void> {
    const k = steps.length
    if (options.witness?.(k) !== true) return
    const pre = steps[k - 1]?.post ?? initial
    if (!equalBytes(await commitment(), pre)) throw new Error(`step ${k}: the live structures do not give the sealed pre-commitment`)
    const w = await items()
    witnesses.push({
      step: k,
      kind,
      ...(opcode === undefined ? {} : { opcode }),
      pre,
      post: ZERO32,
      stateData: lastStateData,
      postStateData: ZERO32,
      ...w,
    })
  }

  /** The code a call runs: the account's, or for an EIP-7702 delegation the delegate's. */
  async function executedCode(address: Address, txFrame: boolean): Promise<Uint8Array> {
    const code = await sm.getCode(address)
    if (forkId >= 2 && code.length === 23 && code[0] === 0xef && code[1] === 0x01 && code[2] === 0x00) {
      const delegate = new Address(code.slice(3))
      // The transaction's frame warms the delegate as it enters (what ethereumjs does next).
      if (txFrame) access.set(accessKey(bytesToHex(delegate.bytes).slice(2)), 1n)
      return sm.getCode(delegate)
    }
    return code
  }

  // A precompile runs with no event before it: the step that enters it (CALL, tx-enter) is sealed
  // here, with the value moved and the account touched, before a failure of the precompile undoes them.
  const evmInternals = vm.evm as unknown as { runPrecompile(code: unknown, data: Uint8Array, gasLimit: bigint): Promise<unknown> }
  const runPrecompile = evmInternals.runPrecompile.bind(vm.evm)
  const sealBeforeCode = guarded(async () => {
    settlePending()
    await seal()
  })
  evmInternals.runPrecompile = async (code, data, gasLimit) => {
    await sealBeforeCode(undefined)
    return runPrecompile(code, data, gasLimit)
  }
  // Code runs with its first step event, but a frame that halts before any (a REVERT with too few
  // stack items as its first instruction) gives none, and ethereumjs reverts the frame's entry (the
  // created account, the value moved) before its afterMessage: the entering step is sealed here too.
  const interpreter = vm.evm as unknown as { runInterpreter(message: unknown, opts?: unknown): Promise<unknown> }
  const runInterpreter = interpreter.runInterpreter.bind(vm.evm)
  interpreter.runInterpreter = async (message, opts) => {
    await sealBeforeCode(undefined)
    return runInterpreter(message, opts)
  }

  evmEvents.on(
    'afterMessage',
    guarded(async (result: EVMResult) => {
      const f = frames[frames.length - 1] as Frame
      const failed = result.execResult.exceptionError !== undefined
      // A precompile never reverts: ethereumjs labels a failed one REVERT, with all its gas used.
      const reverted = failed && !f.precompile && result.execResult.exceptionError?.error === 'revert'
      // A create whose RETURN ran (the interpreter kept its output) but whose code could not be stored:
      // the RETURN succeeded, the frame exit fails the create (SPEC.md §4).
      const returned = (result.execResult.runState as { returnValue?: Uint8Array } | undefined)?.returnValue
      const depositFailed = failed && !reverted && (f.kind === 4 || f.kind === 5) && f.lastOp === 0xf3 && returned !== undefined
      const final = result.execResult.runState as FinalRunState | undefined
      if (failed && !reverted && !f.precompile && final !== undefined && final.code[final.programCounter] === OP.REVERT) {
        // ethereumjs emits no step event for a REVERT with fewer than two stack items (its step hook
        // peeks at them and throws): the step is taken here, from the interpreter's final state.
        const stack = final.stack.getStack()
        if (stack.length < 2) {
          settlePending()
          await continueCopyFrom(f, final)
          syncFromRunState(f, final)
          syncAccess()
          await seal()
          await opcodeStep(f, OP.REVERT, stack)
          f.beforeOp = { access: access.mark(), refundLocal: f.refundLocal }
          pendingOp = { frame: f, opcode: OP.REVERT, stack, memory: final.memory._store }
        }
      }
      if (failed && !reverted && !depositFailed && f.beforeOp !== undefined) {
        // An exceptional halt: the failing opcode changes nothing but the frame (SPEC.md §5), though
        // ethereumjs warmed and refunded in its gas handler before failing.
        pendingOp = undefined
        access.revert(f.beforeOp.access)
        f.refundLocal = f.beforeOp.refundLocal
      } else settlePending()
      if (f.precompile) {
        await seal() // the call into the precompile, its value moved
        await cutWitness('precompile', async () => ({ proof: precompileWitness(frameData(f), f.calldata), codes: [] }))
        push('precompile')
      }
      if (!failed && !f.precompile && (f.lastOp === undefined || !HALTING.has(f.lastOp))) {
        // The frame ran past its code: its last opcode's effects come from the interpreter's final
        // state, then an implicit STOP step (SPEC.md §4: pc ≥ codeSize executes STOP).
        if (final !== undefined) {
          await continueCopyFrom(f, final)
          syncFromRunState(f, final)
        }
        // The interpreter has moved its refund counter into the result by now (its run state reads 0).
        if (result.execResult.gasRefund !== undefined) f.refundLocal = authRefund + result.execResult.gasRefund
        syncAccess()
        await seal()
        await opcodeStep(f, 0x00, final?.stack.getStack() ?? [])
      }
      f.status = !failed || depositFailed ? 1 : reverted ? 2 : 3
      f.output = depositFailed ? (returned as Uint8Array) : result.execResult.returnValue
      f.outputRoot = ChunkedBytes.root(f.output)
      // The gas the frame halted with: the interpreter's (a create's execResult has the code deposit
      // charged already, which is the frame exit's); a call to no code leaves all of it.
      if (!failed || reverted || depositFailed)
        f.gas = final?.gasLeft ?? result.execResult.gas ?? f.gas - result.execResult.executionGasUsed
      else f.gas = 0n
      // The halting opcode (or the precompile): the frame has halted, the world state is as before
      // it (a create's code is stored by the frame exit, which ethereumjs has already done).
      await seal()
      const caller = frames[frames.length - 2]
      await cutWitness('frame-exit', async () => ({
        codes: [],
        proof: await frameExitWitness({
          childData: frameData(f),
          child: f,
          stateAt: () => {
            const t = (sm as unknown as { _trie: MerklePatriciaTrie })._trie.shallowCopy(true)
            t.root(stateRoot)
            return t
          },
          suspension: suspendedParts[suspendedParts.length - 1],
          ...(caller === undefined ? {} : { callerMemory: caller.memory }),
        }),
      }))
      if (f.kind === 6 && failed) {
        // execution-specs' checked system call (EIP-7002, EIP-7251): one that reverts or fails makes
        // the block invalid — the exit's pre-state with phase INVALID. ethereumjs 10.1.3 accepts such
        // a block and runs on; the proof ends here.
        phase = 13
        push('frame-exit')
        await seal()
        endedInvalid = {
          reason: `the system call to ${bytesToHex(f.codeAddress)} ${reverted ? 'reverted' : 'failed'}`,
          ethereumjsAccepts: true,
        }
        return
      }
      if (f.kind === 6) await extendSystemExit(f, 1)
      stateDirty = true
      push('frame-exit')
      frames.pop()
      if (failed) {
        access.revert(f.marks.access)
        transient.revert(f.marks.transient)
      }
      // A system call's sub-state goes with it, as a failed frame's does (its refund: `kept` below).
      if (failed || f.kind === 6) {
        selfdestructs.revert(f.marks.selfdestruct)
        created.revert(f.marks.created)
        touched.revert(f.marks.touched)
        logsHash = f.marks.logsHash
        logCount = f.marks.logCount
        txLogs.length = f.marks.logCount
      }
      const parent = frames[frames.length - 1]
      suspended.pop()
      const popped = suspendedParts.pop()
      if (parent !== undefined) {
        const isCreate = f.kind === 4 || f.kind === 5
        // Return data: a call's output, a create's only when it reverted; nothing after a failure.
        parent.returnData = failed && !reverted ? new Uint8Array() : isCreate && !failed ? new Uint8Array() : result.execResult.returnValue
        parent.returnDataRoot = ChunkedBytes.root(parent.returnData)
        if (!failed && result.execResult.gasRefund !== undefined) parent.refundLocal = authRefund + result.execResult.gasRefund
        // Sealed at the caller's next event, which shows its pc, stack, gas and memory after the call.
      } else {
        // The transaction's (or system call's) frame stays with its final status and gas: a create
        // whose code could not be stored fails here, and its deposit is paid (SPEC.md §4).
        const status = depositFailed || (failed && !reverted) ? 3 : reverted ? 2 : 1
        const gas = status === 3 ? 0n : f.gasStart - result.execResult.executionGasUsed
        // A failure restores the refund counter to what the authorisations left (their refunds stay).
        const refund = f.kind === 6 ? 0n : status === 1 ? authRefund + (result.execResult.gasRefund ?? 0n) : authRefund
        kept = { frame: { ...f, status, gas }, refund }
        // A system call's exit undoes ethereumjs's bump of the system address's nonce and folds its
        // output into the block's requests, then goes to the next call (two, from Prague on) or the end.
        if (f.kind === 6) {
          const theirs = await sm.getStateRoot()
          if (!equalBytes(theirs, status === 1 ? stateRoot : (popped?.revertPre ?? ZERO32).subarray(0, 32)))
            throw new Error(`${trace.id}: a system call exits at another state root than ethereumjs (${bytesToHex(theirs)})`)
          const t = stateTrie(theirs)
          const raw = await t.get(SYSTEM_ADDRESS)
          if (raw !== null) {
            const system = createAccountFromRLP(raw)
            system.nonce -= 1n
            if (system.isEmpty()) await t.del(SYSTEM_ADDRESS)
            else await t.put(SYSTEM_ADDRESS, system.serialize())
          }
          stateRoot = t.root()
          stateDirty = false
          foldRequest(concat([Uint8Array.of(subIndex + 1), status === 1 ? f.output : new Uint8Array()]))
          subIndex = subIndex + 1 < SYSTEM_CALLS ? subIndex + 1 : 0
          phase = subIndex === 0 ? 11 : 10
        } else phase = 6
        await seal()
      }
    }),
  )

  /** A map key for an address (SPEC.md §2.1), remembering the address behind it. */
  function keyFor(tag: number, address: Uint8Array): bigint {
    const k = mapKey(tag, address)
    addressOfKey.set(k, address)
    return k
  }

  /** A copy of the world-state trie at `root` (ethereumjs's nodes, its uncommitted ones included; writes stay in the copy). */
  function stateTrie(root: Uint8Array): MerklePatriciaTrie {
    const t = (sm as unknown as { _trie: MerklePatriciaTrie })._trie.shallowCopy(true)
    t.root(root)
    return t
  }

  /** Adds `amount` wei to an account of `trie` (creating it when absent). */
  async function credit(trie: MerklePatriciaTrie, address: Uint8Array, amount: bigint): Promise<void> {
    const raw = await trie.get(address)
    const account = raw === null ? new Account() : createAccountFromRLP(raw)
    account.balance += amount
    await trie.put(address, account.serialize())
  }

  vm.events.on(
    'afterTx',
    guarded(async (event: AfterTxEvent) => {
      const tx = event.transaction
      await seal()
      const done = kept
      if (done === undefined || phase !== 6) throw new Error(`tx ${txIndex}: the transaction ended without its frame's exit`)
      const header = block.header
      const baseFee = header.baseFeePerGas ?? 0n
      const price = bytesToBigInt(txEnv.subarray(96, 128))
      // tx-refund (SPEC.md §4): the refund capped at a fifth of the gas used, the EIP-7623 floor, the
      // unused gas back to the sender, the priority fee to the coinbase.
      const usedBefore = tx.gasLimit - done.frame.gas
      const cap = usedBefore / 5n
      let used = usedBefore - (done.refund < cap ? done.refund : cap)
      const floor = floorGas(tx, forkId)
      if (used < floor) used = floor
      if (used !== event.totalGasSpent)
        throw new Error(`${trace.id} tx ${txIndex}: the native gas used ${used} is not ethereumjs's ${event.totalGasSpent}`)
      const sender = tx.getSenderAddress().bytes
      const coinbase = header.coinbase.bytes
      // The transaction-end steps write on a copy of the trie, one step at a time.
      const trie = stateTrie(stateRoot)
      // tx-refund and tx-receipt open the same five first (SPEC.md §5.4).
      const txEndItems = () => [frameData(done.frame), txEnv, blockEnv, substateBytes(), blockAccBytes()]
      await cutWitness('tx-refund', async () => ({
        codes: [],
        proof: [...txEndItems(), selfdestructs.countItem(), touched.countItem(), RLP.encode(await accountNodes(trie, [sender, coinbase]))],
      }))
      await credit(trie, sender, (tx.gasLimit - used) * price)
      const fee = used * (price - baseFee)
      if (fee > 0n) await credit(trie, coinbase, fee)
      else {
        // No fee: the coinbase is left alone, unless it exists and is empty (EIP-161), then it goes.
        const raw = await trie.get(coinbase)
        if (raw !== null && createAccountFromRLP(raw).isEmpty()) await trie.del(coinbase)
      }
      stateRoot = trie.root()
      stateDirty = false
      cumulativeGas += used
      blobGasUsed += event.blobGasUsed ?? 0n
      // tx-cleanup: the self-destructed accounts (from Cancun only those created in this transaction, EIP-6780),
      // then the touched accounts (deleted when empty, EIP-161), each map in leaf order.
      const cleanup = [
        ...Array.from({ length: selfdestructs.count - 1 }, (_, i) => ({ map: selfdestructs, index: i + 1 })),
        ...Array.from({ length: touched.count - 1 }, (_, i) => ({ map: touched, index: i + 1 })),
      ]
      phase = cleanup.length > 0 ? 7 : 8
      subIndex = 0
      push('tx-refund')
      await seal()
      for (const { map, index } of cleanup) {
        const address = addressOfKey.get(map.keyAt(index)) as Uint8Array
        const destroyedHere = map === selfdestructs
        await cutWitness('tx-cleanup', async () => {
          const proof = [substateBytes(), selfdestructs.countItem(), touched.countItem(), address, map.witnessAt(index)]
          if (destroyedHere && forkId >= CANCUN) proof.push(...created.witness(mapKey(5, address)))
          proof.push(RLP.encode(await writeNodes(trie, address, undefined)))
          return { codes: [], proof }
        })
        const raw = await trie.get(address)
        const account = raw === null ? undefined : createAccountFromRLP(raw)
        // Before Cancun every self-destructed account goes; from Cancun only one created in this transaction (EIP-6780).
        const goes = account !== undefined && (destroyedHere ? forkId < CANCUN || created.has(mapKey(5, address)) : account.isEmpty())
        if (goes) {
          await trie.del(address)
          stateRoot = trie.root()
        }
        subIndex++
        if (subIndex === cleanup.length) {
          phase = 8
          subIndex = 0
        }
        push('tx-cleanup')
        await seal()
      }
      // What ethereumjs did at once (refund, fees, its own clean-up) must be what the steps did one by one.
      const theirs = await sm.getStateRoot()
      if (!equalBytes(theirs, stateRoot))
        throw new Error(`${trace.id} tx ${txIndex}: the transaction-end steps reach another state root than ethereumjs`)
      // tx-receipt: the receipt at rlp(txIndex), the block bloom, the transaction's state cleared.
      await cutWitness('tx-receipt', async () => ({
        codes: [],
        proof: [
          ...txEndItems(),
          bloom.slice(),
          ...txLogs,
          RLP.encode(await createMerkleProof(receiptsTrie, RLP.encode(receiptCount))),
          ...(await listEndItems(txIndex + 1, 0)),
        ],
      }))
      // EIP-6110: a deposit log of another ABI layout makes the block invalid; the proof ends here
      // (ethereumjs runs on and refuses the block at its end).
      if (forkId >= 2 && txLogs.some((log) => depositRequestOf(log) === 'invalid')) {
        phase = 13
        push('tx-receipt')
        await seal()
        endedInvalid = { reason: `tx ${txIndex}: a deposit log whose ABI layout is not the deposit contract's`, ethereumjsAccepts: false }
        return
      }
      const receipt = encodeReceipt(event.receipt, tx.type)
      await receiptsTrie.put(RLP.encode(receiptCount), receipt)
      receiptList.push(receipt)
      // EIP-6110: the deposit contract's logs become request items (type 0), in log order.
      if (forkId >= 2)
        for (const log of txLogs) {
          const deposit = depositRequestOf(log)
          if (deposit === undefined || deposit === 'invalid') continue
          foldRequest(concat([Uint8Array.of(0), deposit]))
        }
      receiptCount++
      for (let i = 0; i < 256; i++) bloom[i] = (bloom[i] as number) | (event.bloom.bitvector[i] as number)
      bloomHash = H(bloom)
      // The transaction's maps and sub-state end with it.
      for (const m of [access, transient, selfdestructs, created, touched]) m.revert(0)
      txEnvHash = ZERO32
      logsHash = ZERO32
      logCount = 0
      txLogs.length = 0
      kept = undefined
      authRefund = 0n
      txIndex++
      phase = txIndex < block.transactions.length ? 1 : afterTransactions()
      push('tx-receipt')
      await seal()
      if (txIndex === block.transactions.length) recordCheckpoint()
      // A block expected invalid may be refused at the next transaction: its sender's path is read
      // now, while the node store still holds it (ethereumjs's revert of the block drops it).
      if (trace.expected.invalid !== undefined && txIndex < block.transactions.length) await keepSenderPath(txIndex)
    }),
  )

  /** EIP-7702: the authority an authorisation names, once its chain id, nonce bound and signature pass; else none. */
  function authorityOf(auth: Uint8Array[]): Uint8Array | undefined {
    const [chainId, , nonce, yParity, , s] = auth as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array]
    const chain = bytesToBigInt(chainId)
    if (chain !== 0n && chain !== BigInt(trace.chainId)) return undefined
    if (bytesToBigInt(nonce) >= MAX_UINT64 || bytesToBigInt(s) > SECP256K1_ORDER_DIV_2 || bytesToBigInt(yParity) > 1n) return undefined
    try {
      return eoaCode7702RecoverAuthority(auth as never).bytes
    } catch {
      return undefined
    }
  }

  /** tx-start's witness (SPEC.md §5.5): the block's environment and gas so far, the transaction in its inclusion proof, its sender. */
  async function cutTxStart(trie: MerklePatriciaTrie, sender: Uint8Array | undefined): Promise<void> {
    await cutWitness('tx-start', async () => {
      const path = keptSenderPath?.txIndex === txIndex ? keptSenderPath : await senderPath(trie, sender)
      return {
        codes: path.code.length > 0 ? [path.code] : [],
        proof: [
          blockEnv,
          blockAccBytes(),
          RLP.encode(await createMerkleProof(await transactionsTrie(), RLP.encode(txIndex))),
          RLP.encode(path.nodes),
        ],
      }
    })
  }

  /** The sender's path in the state trie and its code (none for a sender that does not recover). */
  async function senderPath(trie: MerklePatriciaTrie, sender: Uint8Array | undefined): Promise<{ nodes: Uint8Array[]; code: Uint8Array }> {
    if (sender === undefined) return { nodes: [], code: new Uint8Array() }
    return { nodes: await createMerkleProof(trie, sender), code: await codeAt(trie, sender) }
  }

  /** The next transaction's sender path, read ahead for a block that may be refused there (see the receipt). */
  let keptSenderPath: { txIndex: number; nodes: Uint8Array[]; code: Uint8Array } | undefined
  async function keepSenderPath(index: number): Promise<void> {
    const sender = senderOf(block.transactions[index] as TypedTransaction)
    keptSenderPath = { txIndex: index, ...(await senderPath(stateTrie(stateRoot), sender)) }
  }

  /**
   * A block expected invalid that ethereumjs rejected at transaction `txIndex`: its tx-start is the
   * last step, and ends in INVALID (SPEC.md §4). The checker decides the same from the witness alone.
   */
  async function rejectTransaction(): Promise<void> {
    const tx = block.transactions[txIndex] as TypedTransaction
    await cutTxStart(stateTrie(stateRoot), senderOf(tx))
    phase = 13
    push('tx-start')
    await seal()
  }

  /**
   * tx-start, then each authorisation and each access-list entry (SPEC.md §4), one step at a time on
   * a copy of the trie from the transaction's start: ethereumjs has done all of it by the time the
   * transaction's first message starts, so its root and warm set check the steps' end.
   */
  async function setUpTransaction(tx: TypedTransaction, newAddress: Uint8Array | undefined): Promise<void> {
    const trie = stateTrie(stateRoot)
    const sender = tx.getSenderAddress().bytes
    const price = bytesToBigInt(txEnv.subarray(96, 128))
    const blobFee = BigInt(txBlobHashes.length / 32) * 131072n * (trace.fork === 'Shanghai' ? 0n : block.header.getBlobGasPrice())
    const auths = ((tx as { authorizationList?: Uint8Array[][] }).authorizationList ?? []) as Uint8Array[][]
    const entries = ((tx as { accessList?: [Uint8Array, Uint8Array[]][] }).accessList ?? []) as [Uint8Array, Uint8Array[]][]
    const next = (from: number) => (from <= 2 && auths.length > 0 ? 2 : from <= 3 && entries.length > 0 ? 3 : 4)
    const warm = (keys: bigint[]) => {
      for (const k of [...new Set(keys)].sort((x, y) => (x < y ? -1 : 1))) if (!access.has(k)) access.set(k, 1n)
    }
    // tx-start: gas bought, nonce bumped; sender, recipient (or the created address), coinbase
    // (EIP-3651) and the precompiles warm.
    const senderRaw = (await trie.get(sender)) as Uint8Array
    await cutTxStart(trie, sender)
    txStartRoot = stateRoot
    txEnvHash = H(txEnv)
    const account = createAccountFromRLP(senderRaw)
    account.nonce++
    account.balance -= tx.gasLimit * price + blobFee
    await trie.put(sender, account.serialize())
    stateRoot = trie.root()
    stateDirty = false
    warm([
      mapKey(1, sender),
      mapKey(1, tx.to?.bytes ?? (newAddress as Uint8Array)),
      mapKey(1, block.header.coinbase.bytes),
      ...[...precompiles].map((a) => mapKey(1, hexToBytes(a as `0x${string}`))),
    ])
    phase = next(2)
    subIndex = 0
    push('tx-start')
    await seal()
    // tx-authorization, one at a time (EIP-7702), on the state the ones before it left: the authority
    // warm once recovered; then, if it has no code or a delegation and the authorisation's nonce, its
    // refund (an existing account), its code (the delegation, or none) and its nonce.
    for (const [i, auth] of auths.entries()) {
      const authority = authorityOf(auth)
      await cutWitness('tx-authorization', async () => {
        const proof = [txEnv, tx.serialize()]
        const codes: Uint8Array[] = []
        if (authority !== undefined) {
          proof.push(...access.witness(mapKey(1, authority), true), substateBytes(), RLP.encode(await createMerkleProof(trie, authority)))
          const code = await codeAt(trie, authority)
          if (code.length > 0) codes.push(code)
        }
        return { proof, codes }
      })
      if (authority !== undefined) {
        warm([mapKey(1, authority)])
        const raw = await trie.get(authority)
        const a = raw === null ? new Account() : createAccountFromRLP(raw)
        const code = await codeAt(trie, authority)
        const delegated = code.length >= 3 && code[0] === 0xef && code[1] === 0x01 && code[2] === 0x00
        if ((code.length === 0 || delegated) && a.nonce === bytesToBigInt(auth[2] as Uint8Array)) {
          if (raw !== null) authRefund += 12500n
          a.nonce++
          const delegate = auth[1] as Uint8Array
          const designator = delegate.every((b) => b === 0) ? new Uint8Array() : concat([Uint8Array.of(0xef, 0x01, 0x00), delegate])
          a.codeHash = H(designator)
          codeByHash.set(bytesToHex(a.codeHash), designator)
          await trie.put(authority, a.serialize())
          stateRoot = trie.root()
        }
      }
      subIndex = i + 1 < auths.length ? i + 1 : 0
      phase = i + 1 < auths.length ? 2 : next(3)
      push('tx-authorization')
      await seal()
    }
    // tx-access-list, one entry at a time: the address and its slots warm.
    for (const [i, [address, slots]] of entries.entries()) {
      const keys = [mapKey(1, address), ...slots.map((slot) => mapKey(2, address, slot))]
      await cutWitness('tx-access-list', async () => {
        // Each key's item against the map as the keys before it left it (the inserts are undone).
        const proof = [txEnv, tx.serialize()]
        const mark = access.mark()
        for (const k of [...new Set(keys)].sort((x, y) => (x < y ? -1 : 1))) {
          proof.push(...access.witness(k, true))
          if (!access.has(k)) access.set(k, 1n)
        }
        access.revert(mark)
        return { proof, codes: [] }
      })
      warm(keys)
      subIndex = i + 1 < entries.length ? i + 1 : 0
      phase = i + 1 < entries.length ? 3 : 4
      push('tx-access-list')
      await seal()
    }
    // What ethereumjs did at once must be what the steps did one by one.
    if (!equalBytes(await sm.getStateRoot(), stateRoot))
      throw new Error(`${trace.id} tx ${txIndex}: the set-up steps reach another state root than ethereumjs`)
    const before = access.commitment()
    syncAccess()
    if (!equalBytes(before, access.commitment()))
      throw new Error(`${trace.id} tx ${txIndex}: ethereumjs warmed more than the set-up steps did`)
  }

  /**
   * tx-enter's witness (SPEC.md §5.5): txEnv, the transaction, the accounts the value moves between
   * (and a 7702 delegate), then the map items the entry writes: the delegate warm, the recipient
   * touched when it is left empty, a create's address in the created map.
   */
  async function cutTxEnter(message: Message, newAddress: Uint8Array | undefined): Promise<void> {
    const tx = block.transactions[txIndex] as TypedTransaction
    await cutWitness('tx-enter', async () => {
      const trie = stateTrie(stateRoot)
      const sender = tx.getSenderAddress().bytes
      const target = newAddress ?? (tx.to as Address).bytes
      const code = await codeAt(trie, target)
      const delegate =
        forkId >= 2 && code.length === 23 && code[0] === 0xef && code[1] === 0x01 && code[2] === 0x00 ? code.slice(3) : undefined
      const accounts = [sender, target, ...(delegate === undefined ? [] : [delegate])]
      const proof = [txEnv, tx.serialize(), RLP.encode(await accountNodes(trie, accounts))]
      const codes = [code, ...(delegate === undefined ? [] : [await codeAt(trie, delegate)])].filter((c) => c.length > 0)
      if (newAddress !== undefined) {
        if (!collides(await sm.getAccount(new Address(newAddress))))
          proof.push(substateBytes(), ...created.witness(mapKey(5, newAddress), true))
      } else {
        if (delegate !== undefined) proof.push(...access.witness(mapKey(1, delegate), true))
        const raw = await trie.get(target)
        const before = raw === null ? undefined : createAccountFromRLP(raw)
        const self = equalBytes(target, sender)
        if ((before === undefined || before.isEmpty()) && (message.value === 0n || self))
          proof.push(substateBytes(), ...touched.witness(mapKey(6, target), true))
      }
      return { proof, codes }
    })
  }

  /**
   * A system call's exit reads more than a call's (SPEC.md §5.6): blockAcc, the whole output when the
   * call returned, and the system address's path in the state the exit leaves (reverted if it failed).
   */
  async function extendSystemExit(f: Frame, status: number): Promise<void> {
    const w = witnesses[witnesses.length - 1]
    if (w === undefined || w.step !== steps.length) return
    const proof = [...w.proof, blockAccBytes()]
    if (status === 1 && f.output.length > 0) {
      const t = new ChunkedBytes()
      t.write(0, f.output)
      const range = t.range(0, (f.output.length - 1) >> 5)
      proof.push(range.leaves, concat(range.siblings))
    }
    // The state the exit leaves before the un-bump: as the frame left it, or its revert point's.
    const revertRoot = (suspendedParts[suspendedParts.length - 1] as { revertPre: Uint8Array }).revertPre.subarray(0, 32)
    const trie = stateTrie(status === 1 ? stateRoot : revertRoot)
    const raw = await trie.get(SYSTEM_ADDRESS)
    const system = raw === null ? undefined : createAccountFromRLP(raw)
    if (system !== undefined) system.nonce -= 1n
    // The un-bump may delete the account: the nodes of that deletion (a branch's collapse).
    proof.push(
      RLP.encode(await writeNodes(trie, SYSTEM_ADDRESS, system === undefined || system.isEmpty() ? undefined : system.serialize())),
    )
    w.proof = proof
  }

  /**
   * system-call's witness (SPEC.md §5.6): the state trie's nodes on the system address's and the
   * contract's paths, the contract's access-map item (+ insert); its code through the CodeOracle.
   */
  async function cutSystemCall(message: Message): Promise<void> {
    await cutWitness('system-call', async () => {
      const trie = stateTrie(stateRoot)
      const contract = (message.to as Address).bytes
      const code = await codeAt(trie, contract)
      return {
        codes: code.length > 0 ? [code] : [],
        proof: [RLP.encode(await accountNodes(trie, [SYSTEM_ADDRESS, contract])), ...access.witness(mapKey(1, contract), true)],
      }
    })
  }

  /**
   * A request contract without code where the block's end calls it (SPEC.md §4: execution-specs'
   * checked system call makes the block invalid; ethereumjs 10.1.3 skips the call and accepts it):
   * the system-call step reads the two accounts and the contract's access-map entry, and ends in INVALID.
   */
  async function missingSystemContract(): Promise<string> {
    const contract = [WITHDRAWAL_REQUESTS, CONSOLIDATION_REQUESTS][subIndex]
    if (contract === undefined) throw new Error(`${trace.id}: there is no system call ${subIndex}`)
    if (stateDirty) {
      stateRoot = await sm.getStateRoot()
      stateDirty = false
    }
    await cutWitness('system-call', async () => ({
      codes: [],
      proof: [
        RLP.encode(await accountNodes(stateTrie(stateRoot), [SYSTEM_ADDRESS, contract])),
        ...access.witness(mapKey(1, contract), true),
      ],
    }))
    phase = 13
    push('system-call')
    await seal()
    return `the ${subIndex === 0 ? 'EIP-7002' : 'EIP-7251'} request contract has no code, which makes the block invalid (ethereumjs accepts the block)`
  }

  const transactionsTrie = lazy(() =>
    listTrie(
      block.transactions.map((tx) => tx.serialize()),
      block.header.transactionsTrie,
      `${trace.id}: the transactions trie`,
    ),
  )
  /** The code of an account of `trie` (ethereumjs's code store holds every code the block saw). */
  async function codeAt(trie: MerklePatriciaTrie, address: Uint8Array): Promise<Uint8Array> {
    const raw = await trie.get(address)
    if (raw === null) return new Uint8Array()
    const codeHash = createAccountFromRLP(raw).codeHash
    if (equalBytes(codeHash, KECCAK256_NULL)) return new Uint8Array()
    let code = codeByHash.get(bytesToHex(codeHash))
    if (code === undefined) {
      code = await sm.getCode(new Address(address))
      if (!equalBytes(H(code), codeHash)) throw new Error(`${trace.id}: no code for hash ${bytesToHex(codeHash)}`)
      codeByHash.set(bytesToHex(codeHash), code)
    }
    return code
  }

  /** The nodes of `trie` on the paths of the given accounts. */
  async function accountNodes(trie: MerklePatriciaTrie, addresses: Uint8Array[]): Promise<Uint8Array[]> {
    const seen = new Map<string, Uint8Array>()
    for (const a of addresses) for (const n of await createMerkleProof(trie, a)) seen.set(bytesToHex(n), n)
    return [...seen.values()]
  }

  /** After the last transaction (or none): the withdrawals, else the system calls (Prague on), else the block's end. */
  const afterTransactions = () => ((block.withdrawals?.length ?? 0) > 0 ? 9 : afterWithdrawals())
  const afterWithdrawals = () => (forkId >= 2 ? 10 : 11)

  /**
   * block-start (SPEC.md §4): EIP-4788's beacon root and EIP-2935's parent hash into their
   * contracts' storage (when they have code), computed on a copy of the trie (ethereumjs does the
   * same writes; its root checks ours where it is next read).
   */
  async function blockStart(): Promise<string | undefined> {
    const rejected = await headerRejection()
    if (rejected !== undefined) {
      // The header breaks a rule against its parent's: the two headers are the whole witness, and
      // the state stays the initial one (naming the block by its hash) but for the phase.
      await cutWitness('block-start', async () => ({ proof: [block.header.serialize(), loaded.parent.header.serialize()], codes: [] }))
      phase = 13
      push('block-start')
      await seal()
      return rejected
    }
    const writes = systemWrites()
    await cutWitness('block-start', async () => {
      const trie = stateTrie(stateRoot)
      const proof = [
        block.header.serialize(),
        loaded.parent.header.serialize(),
        RLP.encode(
          await accountNodes(
            trie,
            writes.map((w) => w.address),
          ),
        ),
      ]
      for (const w of writes) {
        const storage = await storageAt(trie, w.address)
        if (storage === undefined) continue
        const nodes = new Map<string, Uint8Array>()
        for (const [slot] of w.slots) for (const n of await createMerkleProof(storage, slot)) nodes.set(bytesToHex(n), n)
        proof.push(RLP.encode([...nodes.values()]))
      }
      return { proof, codes: [] }
    })
    headerBound = true
    setBoundHashes([
      [255, blockHashes.leaf(255)],
      [254, blockHashes.leaf(254)],
    ])
    const trie = stateTrie(stateRoot)
    for (const w of writes) {
      const storage = await storageAt(trie, w.address)
      if (storage === undefined) continue
      for (const [slot, value] of w.slots) {
        const v = value.subarray(value.findIndex((b) => b !== 0) < 0 ? value.length : value.findIndex((b) => b !== 0))
        if (v.length === 0) await storage.del(slot)
        else await storage.put(slot, RLP.encode(v))
      }
      const account = createAccountFromRLP((await trie.get(w.address)) as Uint8Array)
      account.storageRoot = storage.root()
      await trie.put(w.address, account.serialize())
    }
    stateRoot = trie.root()
    stateDirty = false
    phase = BLOCK_HASHES
    subIndex = 0
    push('block-start')
    await seal()
    await blockHashSteps()
    return undefined
  }

  /**
   * The block-hashes steps (SPEC.md §4): step j opens the headers of leaves `hi` down to `lo` (those
   * at or above genesis) and writes each one's parentHash into the leaf below; the last one proves
   * what follows, the first transaction or the withdrawals.
   */
  async function blockHashSteps(): Promise<void> {
    for (let j = 0; j < BLOCK_HASH_STEPS; j++) {
      const { lo, hi } = headerLeaves(j)
      const exists = (i: number) => block.header.number - 256n + BigInt(i) >= 0n
      const last = j === BLOCK_HASH_STEPS - 1
      await cutWitness('block-hashes', async () => {
        const leaves = Array.from({ length: hi - lo + 2 }, (_, k) => boundHashes.leaf(lo - 1 + k))
        const proof = [blockEnv, concat(leaves), concat(boundHashes.rangeProof(lo - 1, hi))]
        for (let i = hi; i >= lo; i--) if (exists(i)) proof.push(ancestorHeaders.get(i) as Uint8Array)
        if (last) proof.push(...(await listEndItems(0, 0)))
        return { proof, codes: [] }
      })
      setBoundHashes(Array.from({ length: hi - lo + 1 }, (_, k) => [lo - 1 + k, blockHashes.leaf(lo - 1 + k)] as [number, Uint8Array]))
      phase = last ? (block.transactions.length > 0 ? 1 : afterTransactions()) : BLOCK_HASHES
      subIndex = last ? 0 : j + 1
      push('block-hashes')
      await seal()
    }
    if (!equalBytes(boundHashes.root(), blockHashes.root()))
      throw new Error(`${trace.id}: the block-hashes steps fill another tree than the chain's`)
  }

  /** Why ethereumjs refuses the header against its parent's (its own rules: number, time, gas limit, base fee, blob gas), if it does. */
  async function headerRejection(): Promise<string | undefined> {
    try {
      await loaded.blockchain.validateHeader(block.header)
      return undefined
    } catch (e) {
      return (e as Error).message
    }
  }

  /**
   * The list proofs that say what follows (SPEC.md §4): the transactions trie's nodes on
   * `rlp(txIndex)` (its presence or absence), and where it is absent the withdrawals trie's on
   * `rlp(withdrawal)`. A list ends where its next key is absent, so no count can end a block early.
   */
  async function listEndItems(nextTx: number | undefined, nextWithdrawal: number): Promise<Uint8Array[]> {
    const items: Uint8Array[] = []
    if (nextTx !== undefined) {
      items.push(RLP.encode(await createMerkleProof(await transactionsTrie(), RLP.encode(nextTx))))
      if (nextTx < block.transactions.length) return items
    }
    items.push(RLP.encode(await createMerkleProof(await withdrawalsTrie(), RLP.encode(nextWithdrawal))))
    return items
  }

  /** The block-start writes of the fork: (contract, [slot, value] pairs). */
  function systemWrites(): { address: Uint8Array; slots: [Uint8Array, Uint8Array][] }[] {
    const h = block.header
    const out: { address: Uint8Array; slots: [Uint8Array, Uint8Array][] }[] = []
    if (forkId >= 1) {
      const i = h.timestamp % 8191n
      out.push({
        address: BEACON_ROOTS,
        slots: [
          [uint(i), uint(h.timestamp)],
          [uint(i + 8191n), h.parentBeaconBlockRoot as Uint8Array],
        ],
      })
    }
    if (forkId >= 2) out.push({ address: HISTORY_STORAGE, slots: [[uint((h.number - 1n) % 8191n), h.parentHash]] })
    return out
  }

  /** A copy of an account's storage trie, or undefined when the account has no code (SPEC.md: the write is skipped). */
  async function storageAt(trie: MerklePatriciaTrie, address: Uint8Array): Promise<MerklePatriciaTrie | undefined> {
    const raw = await trie.get(address)
    if (raw === null) return undefined
    const account = createAccountFromRLP(raw)
    if (equalBytes(account.codeHash, KECCAK256_NULL)) return undefined
    const own = (sm as unknown as { _getStorageTrie(a: Address, acct?: Account): MerklePatriciaTrie })._getStorageTrie(
      new Address(address),
      account,
    )
    const t = own.shallowCopy(true)
    t.root(account.storageRoot)
    return t
  }

  let withdrawalsDone = false
  /**
   * The withdrawal steps (SPEC.md §4), one at a time on a copy of the trie: ethereumjs credits them
   * all at once, so its root checks the last.
   */
  async function emitWithdrawals(): Promise<void> {
    if (withdrawalsDone) return
    withdrawalsDone = true
    const list = block.withdrawals ?? []
    if (list.length === 0) return
    const trie = stateTrie(stateRoot)
    for (const [i, w] of list.entries()) {
      // execution-specs credits every withdrawal and then destroys the recipient if it exists and is
      // empty: a zero withdrawal deletes an existing empty account (ethereumjs skips zero amounts).
      const raw = await trie.get(w.address.bytes)
      const deletes = w.amount === 0n && raw !== null && createAccountFromRLP(raw).isEmpty()
      await cutWitness('withdrawal', async () => ({
        codes: [],
        proof: [
          blockEnv,
          RLP.encode(w.raw()),
          RLP.encode(await createMerkleProof(await withdrawalsTrie(), RLP.encode(i))),
          RLP.encode(deletes ? await writeNodes(trie, w.address.bytes, undefined) : await createMerkleProof(trie, w.address.bytes)),
          ...(await listEndItems(undefined, i + 1)),
        ],
      }))
      if (w.amount > 0n) await credit(trie, w.address.bytes, w.amount * 1_000_000_000n)
      else if (deletes) await trie.del(w.address.bytes)
      stateRoot = trie.root()
      stateDirty = false
      subIndex = i + 1 < list.length ? i + 1 : 0
      phase = i + 1 < list.length ? 9 : afterWithdrawals()
      push('withdrawal')
      await seal()
    }
    // ethereumjs has credited them all; from Prague on it has also bumped the system address's nonce
    // for the first system call (and undoes it after), so its root is compared only after a Shanghai
    // or Cancun block: here, every credited account must be ethereumjs's.
    for (const w of list) {
      const theirs = (await sm.getAccount(w.address))?.serialize() ?? null
      const ours = await trie.get(w.address.bytes)
      if ((theirs === null) !== (ours === null) || (theirs !== null && ours !== null && !equalBytes(theirs, ours)))
        throw new Error(`${trace.id}: withdrawal to ${w.address.toString()} leaves another account than ethereumjs`)
    }
    if (forkId < 2 && !equalBytes(await sm.getStateRoot(), stateRoot))
      throw new Error(`${trace.id}: the withdrawal steps reach another state root than ethereumjs`)
  }

  const withdrawalsTrie = lazy(() =>
    listTrie(
      (block.withdrawals ?? []).map((w) => RLP.encode(w.raw())),
      block.header.withdrawalsRoot as Uint8Array,
      `${trace.id}: the withdrawals trie`,
    ),
  )

  if (options.resume !== undefined) return resumeTransaction(options.resume.checkpoint)

  let result: Awaited<ReturnType<typeof runBlock>>
  phase = 0
  const initial: Uint8Array = await commitment()
  // The body against the header's roots, before anything is traced (it is not a step: see listTrie).
  await transactionsTrie()
  await withdrawalsTrie()
  const headerRejected = await blockStart()
  if (headerRejected !== undefined) return { ...partialTrace(initial), rejected: headerRejected }
  if (options.blockStartOnly === true) return partialTrace(initial)
  if (block.transactions.length === 0) recordCheckpoint()
  try {
    result = await runBlock(vm, { block, generate: true })
  } catch (e) {
    if (failure !== undefined) throw failure
    const reason = (e as Error).message
    if (endedInvalid !== undefined) return { ...partialTrace(initial), rejected: reason }
    // A block expected invalid for a transaction's sake, refused at that transaction's start: the
    // proof ends there, in INVALID (a header that breaks a rule against its parent's ends it at
    // block-start, above). Another block-level reason (the body, deposit layouts) is not a step yet.
    const txInvalid = trace.expected.invalid?.startsWith('TransactionException') === true
    if (txInvalid && phase === 1 && txIndex < block.transactions.length) {
      await seal()
      await rejectTransaction()
      return { ...partialTrace(initial), rejected: reason }
    }
    const why =
      trace.expected.invalid === undefined
        ? ''
        : `; expected invalid (${trace.expected.invalid}): a block-level rule is not a native step yet (SPEC.md §8)`
    throw new InputError(`${trace.id}: ethereumjs rejected the block (${reason})${why}`)
  }
  if (failure !== undefined) throw failure
  if (endedInvalid?.ethereumjsAccepts === true)
    return { ...partialTrace(initial), rejected: `${endedInvalid.reason} (ethereumjs accepts the block)` }
  if (endedInvalid !== undefined)
    throw new Error(`${trace.id}: the proof ended in INVALID (${endedInvalid.reason}), but ethereumjs accepted the block`)
  await seal()
  await emitWithdrawals()
  if (phase === 10) {
    const rejected = await missingSystemContract()
    return { ...partialTrace(initial), rejected }
  }
  await finalize(result)
  return {
    initial,
    steps,
    stateRoot: result.stateRoot,
    receiptsRoot: result.receiptsRoot,
    gasUsed: result.gasUsed,
    logsBloom: result.logsBloom,
    ...(result.requestsHash === undefined ? {} : { requestsHash: result.requestsHash }),
    seconds: (performance.now() - started) / 1000,
    witnesses: sealedWitnesses(),
    checkpoints,
    loaded,
  }

  /** A checkpoint at the state the last step left: before a transaction, or before the block's tail (after the last one). */
  function recordCheckpoint(): void {
    if (options.resume !== undefined) return
    checkpoints.push({
      step: steps.length,
      txIndex,
      stateData: lastStateData,
      cumulativeGas,
      blobGasUsed,
      receipts: receiptList.slice(),
      bloom: bloom.slice(),
      requestItems: requestItems.slice(),
    })
  }

  /** block-finalize (SPEC.md §4); what the steps built must be what ethereumjs computed at once, when it did. */
  async function finalize(
    expected: { stateRoot: Uint8Array; logsBloom: Uint8Array; requestsHash?: Uint8Array } | undefined,
  ): Promise<void> {
    if (phase !== 11) throw new Error(`${trace.id}: the block ends in phase ${phase}, not BLOCK_FINALIZE`)
    if (stateDirty || (expected !== undefined && !equalBytes(stateRoot, expected.stateRoot)))
      throw new Error(`${trace.id}: the steps end at another state root than ethereumjs`)
    if (expected !== undefined && !equalBytes(bloom, expected.logsBloom))
      throw new Error(`${trace.id}: the steps end with another bloom than ethereumjs`)
    await cutWitness('block-finalize', async () => ({ codes: [], proof: [blockEnv, blockAccBytes(), ...requestItems] }))
    if (forkId >= 2) {
      requestsWord = requestsHash(requestItems)
      if (expected !== undefined && (expected.requestsHash === undefined || !equalBytes(requestsWord, expected.requestsHash)))
        throw new Error(`${trace.id}: the steps' requests hash is not ethereumjs's`)
    }
    phase = 12
    subIndex = 0
    kept = undefined
    push('block-finalize')
    await seal()
  }

  /**
   * The block's tail from the checkpoint after its last transaction: the withdrawals (computed by
   * the tracer), the system calls (ethereumjs's EVM called as runBlock calls it: from the system
   * address with 30,000,000 gas, the system account put back after), then block-finalize.
   */
  async function resumeTail(): Promise<void> {
    // ethereumjs's runBlock would credit the withdrawals before the system calls: do it on its state.
    for (const w of block.withdrawals ?? []) {
      if (w.amount === 0n) continue
      const account = (await sm.getAccount(w.address)) ?? new Account()
      account.balance += w.amount * 1_000_000_000n
      await sm.putAccount(w.address, account)
    }
    await emitWithdrawals()
    if (forkId >= 2)
      for (const contract of [WITHDRAWAL_REQUESTS, CONSOLIDATION_REQUESTS]) {
        const to = new Address(contract)
        if ((await sm.getAccount(to)) === undefined) continue
        const system = new Address(SYSTEM_ADDRESS)
        const before = await sm.getAccount(system)
        await vm.evm.runCall({ caller: system, gasLimit: 30_000_000n, to })
        if (before === undefined) await sm.deleteAccount(system)
        else await sm.putAccount(system, before)
      }
    if (failure !== undefined) throw failure
    await seal()
    if (phase === 10) {
      await missingSystemContract()
      return
    }
    // A failed system call ended the proof at its exit (INVALID): there is no block end.
    if (endedInvalid === undefined) await finalize(undefined)
  }

  function sealedWitnesses(): StepWitness[] {
    return witnesses.map((w) => ({ ...w, post: steps[w.step]?.post as Uint8Array, postStateData: postStates.get(w.step) as Uint8Array }))
  }

  /**
   * Traces transaction `c.txIndex` alone: the live structures rebuilt from the checkpoint (their
   * commitment must be the checkpoint's), the world state set back to its root, then ethereumjs's
   * runTx with the block's context. Steps before the checkpoint are placeholders.
   */
  async function resumeTransaction(c: TxCheckpoint): Promise<NativeTrace> {
    const tail = c.txIndex === block.transactions.length
    headerBound = true
    phase = c.stateData[1] as number
    txIndex = c.txIndex
    stateRoot = c.stateData.slice(96, 128)
    txStartRoot = c.stateData.slice(128, 160)
    stateDirty = false
    cumulativeGas = c.cumulativeGas
    blobGasUsed = c.blobGasUsed
    for (const r of c.receipts) {
      await receiptsTrie.put(RLP.encode(receiptCount), r)
      receiptList.push(r)
      receiptCount++
    }
    bloom.set(c.bloom)
    bloomHash = H(bloom)
    for (const item of c.requestItems) foldRequest(item)
    const at = H(c.stateData)
    for (let k = 0; k < c.step; k++) steps.push({ kind: 'block-start', post: k === c.step - 1 ? at : ZERO32 })
    if (!equalBytes(await commitment(), at))
      throw new Error(`${trace.id}: the checkpoint of tx ${c.txIndex} does not rebuild its commitment`)
    await sm.setStateRoot(stateRoot)
    if (tail) await resumeTail()
    else {
      const tx = block.transactions[c.txIndex] as TypedTransaction
      try {
        await runTx(vm, { tx, block, blockGasUsed: cumulativeGas, skipHardForkValidation: true })
      } catch (e) {
        if (failure !== undefined) throw failure
        throw new Error(`${trace.id}: ethereumjs refused transaction ${c.txIndex} at its checkpoint (${(e as Error).message})`)
      }
      if (failure !== undefined) throw failure
    }
    return partialTrace(ZERO32)
  }

  /** A run that stopped early or started late: the outcome as the tracer's own structures hold it, no checkpoints. */
  function partialTrace(initial: Uint8Array): NativeTrace {
    return {
      initial,
      steps,
      stateRoot,
      receiptsRoot: receiptsTrie.root(),
      gasUsed: cumulativeGas,
      logsBloom: bloom,
      seconds: (performance.now() - started) / 1000,
      witnesses: sealedWitnesses(),
      checkpoints: [],
      loaded,
    }
  }

  /** The revert point's preimage (SPEC.md §2.3): stateRoot ‖ accessMap ‖ transientMap ‖ substateHash, now. */
  async function revertPointData(): Promise<Uint8Array> {
    if (stateDirty) {
      stateRoot = await sm.getStateRoot()
      stateDirty = false
    }
    return concat([stateRoot, access.commitment(), transient.commitment(), substateHash()])
  }
}

const DEPOSIT_CONTRACT = '0x00000000219ab540356cbb839cbe05303d7705fa'
const DEPOSIT_TOPIC = '0x649bbc62d0e31342afea4e5cd82d4049e7e1ee912fc0889aa790803be39038c5'

/**
 * EIP-6110: a DepositEvent log's request data (pubkey ‖ credentials ‖ amount ‖ signature ‖ index),
 * undefined for another log, `'invalid'` when the event's data is not the contract's ABI layout
 * (576 bytes: five offsets, then each field's length word and its bytes).
 */
function depositRequestOf(rlpLog: Uint8Array): Uint8Array | 'invalid' | undefined {
  const [address, topics, data] = RLP.decode(rlpLog) as [Uint8Array, Uint8Array[], Uint8Array]
  if (bytesToHex(address) !== DEPOSIT_CONTRACT || topics[0] === undefined || bytesToHex(topics[0]) !== DEPOSIT_TOPIC) return undefined
  if (data.length !== 576) return 'invalid'
  const word = (at: number) => bytesToBigInt(data.subarray(at, at + 32))
  const fields: [number, number][] = [
    [160, 48],
    [256, 32],
    [320, 8],
    [384, 96],
    [512, 8],
  ]
  if (fields.some(([at, size], i) => word(32 * i) !== BigInt(at) || word(at) !== BigInt(size))) return 'invalid'
  return concat(fields.map(([at, size]) => data.subarray(at + 32, at + 32 + size)))
}

/** A value computed once, on first use. */
function lazy<T>(make: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined
  return () => {
    value ??= make()
    return value
  }
}

/**
 * The trie of a block's list (transactions, withdrawals): item i at rlp(i); its root must be the
 * header's. A body that does not match its header is another block's: the native proof, whose input
 * is the header, opens the header's tries and cannot show the mismatch (SPEC.md §8).
 */
async function listTrie(items: Uint8Array[], root: Uint8Array, what: string): Promise<MerklePatriciaTrie> {
  const trie = await createMPT({})
  for (const [i, item] of items.entries()) await trie.put(RLP.encode(i), item)
  if (!equalBytes(trie.root(), root))
    throw new InputError(`${what} is not the header's: a body that does not match its header is outside the native proof (SPEC.md §8)`)
  return trie
}

/** EIP-7685: sha256 over the sha256 of each request type's items (`type ‖ data…`), types with no data left out. */
function requestsHash(items: readonly Uint8Array[]): Uint8Array {
  const byType = new Map<number, Uint8Array[]>()
  for (const item of items) {
    const data = item.subarray(1)
    if (data.length > 0) byType.set(item[0] as number, [...(byType.get(item[0] as number) ?? []), data])
  }
  const types = [...byType.keys()].sort((a, b) => a - b)
  return sha256(concat(types.map((t) => sha256(concat([Uint8Array.of(t), ...(byType.get(t) as Uint8Array[])])))))
}

/** Brings a frame's memory tree up to the bytes ethereumjs reports (one compare when nothing changed). */
function syncMemory(f: Frame, memory: Uint8Array): void {
  const mine = f.memory.bytes
  const n = memory.length
  if (n === 0) return
  if (
    mine.length >= n &&
    Buffer.compare(Buffer.from(mine.buffer, mine.byteOffset, n), Buffer.from(memory.buffer, memory.byteOffset, n)) === 0
  )
    return
  for (let c = 0; c * 32 < n; c++) {
    const a = memory.subarray(c * 32, c * 32 + 32)
    const b = mine.subarray(c * 32, c * 32 + 32)
    const same =
      b.length === a.length &&
      Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0
    if (!same) f.memory.write(c * 32, a)
  }
}

/** A transaction's sender, or undefined when its signature does not recover (the block is then invalid). */
function senderOf(tx: TypedTransaction): Uint8Array | undefined {
  try {
    return tx.getSenderAddress().bytes
  } catch {
    return undefined
  }
}

/** What the tracer reads of ethereumjs's interpreter state once a frame has stopped. */
interface FinalRunState {
  programCounter: number
  code: Uint8Array
  gasLeft: bigint
  stack: { getStack(): bigint[] }
  memory: { _store: Uint8Array }
  memoryWordCount: bigint
}

function frameKind(isCreate: boolean, system: boolean, parent: Frame | undefined): number {
  if (system) return 6
  // A child's kind is the opcode that made it: a CALL inside a static frame is still a call, a CALLCODE to itself still a callcode.
  if (parent !== undefined) {
    const kind = CALL_KINDS[parent.lastOp as number]
    if (kind === undefined) throw new Error(`a child frame entered from opcode ${parent.lastOp}, not a CALL- or CREATE-family one`)
    return kind
  }
  return isCreate ? 4 : 0
}

/** SPEC.md §2.3's frame kind by the opcode that enters the frame: CALL, CALLCODE, DELEGATECALL, STATICCALL, CREATE, CREATE2. */
const CALL_KINDS: Record<number, number> = { 241: 0, 242: 1, 244: 2, 250: 3, 240: 4, 245: 5 }

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return (
    a.length === b.length &&
    Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0
  )
}
