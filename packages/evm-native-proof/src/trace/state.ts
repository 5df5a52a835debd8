/**
 * The generator's live structures for one block (SPEC.md §2): everything a commitment hashes, kept
 * incrementally as ethereumjs's events arrive (the stack chain rehashes only its changed top, memory
 * only its changed chunks, maps only their changed paths), and the steps pushed and sealed so far.
 * Each step kind's file (block-start.ts, tx-start.ts, opcode.ts, frame-exit.ts, tx-end.ts,
 * block-end.ts, …) reads and writes it, as src/check's files of the same names read a state.
 */
import type { Block } from '@ethereumjs/block'
import { createMerkleProof, createMPT, type MerklePatriciaTrie } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import { Account, Address, bytesToHex, createAccountFromRLP, hexToBytes, KECCAK256_NULL } from '@ethereumjs/util'
import type { VM } from '@ethereumjs/vm'
import { type BlockTrace, InputError, type LoadedTrace } from '@stepproof/block-traces'
import { type BytesView, type ChunkedBytes, EMPTY_VIEW } from '../commit/bytes-tree.ts'
import { CodeTree } from '../commit/code-tree.ts'
import { concat, equalBytes, H, uint, ZERO32 } from '../commit/hash.ts'
import { IndexedMap } from '../commit/indexed-map.ts'
import { SparseMerkleTree } from '../commit/merkle.ts'
import type { StackChain } from '../commit/stack.ts'
import { ancestryOf } from './block-hashes.ts'
import type { TxCheckpoint } from './checkpoints.ts'
import { blockEnvData, type FrameFields, frameData, stateData, substateData, type TxEnvFields } from './encoding.ts'
import { DivergenceError } from './errors.ts'
import { type CallerRunState, stateTrieAt, warmJournal } from './ethereumjs.ts'
import { mapKey } from './keys.ts'
import { precompileAddresses, type StepKind } from './kinds.ts'
import { FORK_ID, PHASE, PRAGUE, TAG } from './phases.ts'
import { RequestStreams } from './requests.ts'
import { type LogsMark, TxLogs } from './tx-logs.ts'
import type { StepWitness } from './witness.ts'

/** One step of the native trace: its kind (and opcode), and the commitment after it. */
export interface NativeStep {
  kind: StepKind
  opcode?: number
  /** H(stateData) after this step (sealed once the step's effects are all mirrored). */
  post: Uint8Array | undefined
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

/** The executing call frame, mirrored from ethereumjs's events into SPEC.md's structures. */
export interface Frame extends FrameFields {
  calldata: BytesView
  returnData: BytesView
  output: BytesView
  code: CodeTree | undefined
  precompile: boolean
  /** Where the input of the CALL-family opcode running lies, and where its caller wants the output: for the child it enters. */
  nextCall?: { inOffset: bigint; inSize: bigint; retOffset: bigint; retSize: bigint }
  /** The operands of the RETURN or REVERT the frame ran: where its output lies in its memory. */
  halted?: { offset: bigint; size: bigint }
  /** The Keccak-f state of a hash under way (its hash is the frame's `sponge`). */
  spongeState?: Uint8Array
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
    logs: LogsMark
  }
}

/** An opcode whose effects the next event reveals (transient writes, logs, world state). */
export interface PendingOp {
  frame: Frame
  opcode: number
  stack: bigint[]
  memory: Uint8Array
  emptyBeneficiary?: Uint8Array
  /** A long LOG's bytes its earlier steps wrote (SPEC.md §6.1). */
  logWritten?: number
}

/**
 * A copy or hash longer than one step (SPEC.md §6.1), seen at its step event: its later steps follow
 * once its effect is seen. A copy moves `len` bytes to `dest` (from the end when `backward`); a hash
 * passes through `states`; a LOG writes its RLP (`stream`) a part a step, and its effect (`deferred`)
 * waits for its last step.
 */
export type PendingCopy = { frame: Frame; opcode: number; stack: bigint[] } & (
  | { kind: 'copy'; dest: bigint; len: bigint; backward: boolean }
  | { kind: 'hash'; states: Uint8Array[] }
  | { kind: 'log'; stream: Uint8Array; deferred?: PendingOp }
)

/** A receipt as the receipts-trie steps read it (SPEC.md §5.4): its bytes before the logs, and the logs' tree as the transaction left it. */
export interface ReceiptRecord {
  head: Uint8Array
  logs: ChunkedBytes
  logsRoot: Uint8Array
  logsSize: number
}

/** A receipt's item as the receipts-trie steps open it, `logsRoot ‖ logsSize ‖ head`; its hash is its receipts-list leaf. */
export const receiptItem = (r: ReceiptRecord): Uint8Array => concat([r.logsRoot, uint(r.logsSize), r.head])

/** The root of the empty trie. */
const EMPTY_TRIE_ROOT = H(RLP.encode(new Uint8Array()))

/** The address system calls come from (EIP-4788, EIP-7002). */
export const SYSTEM_ADDRESS = hexToBytes('0xfffffffffffffffffffffffffffffffffffffffe')

/** The tracer's state for one block, and what every step kind's file shares. */
export class Tracing {
  readonly block: Block
  readonly forkId: number
  readonly chainId: bigint
  readonly precompiles: Set<string>
  /** BLOCKHASH's tree as the block-hashes steps leave it (the 256 hashes before the block), and the headers they open. */
  readonly blockHashes: SparseMerkleTree
  readonly ancestorHeaders: Map<number, Uint8Array>

  /** The first error a handler threw: ethereumjs's event emitter would lose it (and wait forever), so it is kept and thrown after the block. */
  failure: unknown
  /**
   * Why the proof ended in INVALID while ethereumjs ran on (a deposit log of another layout, which
   * ethereumjs refuses at the block's end; a failed system call, which it accepts): later events are ignored.
   */
  endedInvalid: { reason: string; ethereumjsAccepts: boolean } | undefined

  readonly access = new IndexedMap()
  readonly transient = new IndexedMap()
  readonly selfdestructs = new IndexedMap()
  readonly created = new IndexedMap()
  readonly touched = new IndexedMap()
  /** Code by its hash: the pre-state's, the delegations set, and (looked up) what ethereumjs stores. */
  readonly codeByHash = new Map<string, Uint8Array>()
  private readonly codeTrees = new Map<string, CodeTree>()

  phase: number = PHASE.BLOCK_START
  txIndex = 0
  subIndex = 0
  stateRoot: Uint8Array = ZERO32
  txStartRoot: Uint8Array = ZERO32
  /** A step may have changed ethereumjs's world state since stateRoot was read. */
  stateDirty = false
  txEnvHash: Uint8Array = ZERO32
  /** The transaction's logs (the sub-state's tree, bloom and request streams). */
  logs: TxLogs
  /** The addresses behind the self-destruct and touched maps' keys (tx-cleanup's witness). */
  readonly addressOfKey = new Map<bigint, Uint8Array>()
  cumulativeGas = 0n
  blobGasUsed = 0n
  receiptCount = 0
  readonly bloom: Uint8Array = new Uint8Array(256)
  bloomHash: Uint8Array
  /** ethereumjs's receipts in a trie: the root the receipts-trie steps must reach. */
  receiptsTrie!: MerklePatriciaTrie
  /** The receipts as the steps hold them: each one's head and logs tree, by transaction index (SPEC.md §5.4; a checkpoint's preimage of the receipts). */
  readonly receiptRecords: ReceiptRecord[] = []
  /** blockAcc's receipts list: `T_16` of H(logsRoot ‖ logsSize ‖ head). */
  readonly receiptsList = new SparseMerkleTree(16)
  /** blockAcc's receiptsRoot: the empty trie's until the receipts-trie steps end. */
  receiptsRoot: Uint8Array = EMPTY_TRIE_ROOT
  /** blockAcc's trieStack (H of the unfinished branches' bytes), leafProgress and leafSponge (SPEC.md §5.4). */
  trieStack: Uint8Array = H(new Uint8Array())
  leafProgress = 0
  leafSponge: Uint8Array = ZERO32
  /** The block's request streams (SPEC.md §2.2): what blockAcc's word 4 is the hash of until block-finalize. */
  readonly requestStreams = new RequestStreams()
  /** blockAcc word 4: H of the request streams; the requests hash after block-finalize. */
  requestsWord: Uint8Array = H(this.requestStreams.bytes())
  /** The request items of the block in order, each `type ‖ data` (a checkpoint's, and the requests hash ethereumjs's is compared with). */
  readonly requestItems: Uint8Array[] = []

  readonly frames: Frame[] = []
  /**
   * A transaction's (or system call's) frame after its exit: it stays in the state (SPEC.md §4) with
   * its final status and gas until tx-receipt (or the next system call) clears it; `refund` is the
   * transaction's refund counter as the exit left it.
   */
  kept: { frame: Frame; refund: bigint } | undefined
  /**
   * The refunds of the transaction's EIP-7702 authorisations of existing accounts: ethereumjs counts
   * them apart from the interpreter's refund counter, which starts from zero; SPEC.md has one counter.
   */
  authRefund = 0n
  /** The chain of suspended frames: for each, H(frame) and the revert point at the child's entry. */
  readonly suspended: Uint8Array[] = [ZERO32]
  /** What each suspension hashed: the parent's frame, the revert point's preimage, the chain below. */
  readonly suspendedParts: { parent: Uint8Array; revertPre: Uint8Array; below: Uint8Array }[] = []
  /** The run states of the CALL- and CREATE-family opcodes executing, innermost last (see watchOpHandler). */
  readonly callerRunStates: CallerRunState[] = []
  pendingOp: PendingOp | undefined
  pendingCopy: PendingCopy | undefined
  /** The next transaction's sender path, read ahead for a block that may be refused there (see tx-end). */
  keptSenderPath: { txIndex: number; trie: MerklePatriciaTrie; nodes: Uint8Array[]; code: Uint8Array } | undefined
  withdrawalsDone = false

  /** blockEnv as the state holds it: from block-start to the last block-hashes step its tree is being filled. */
  blockEnv: Uint8Array
  blockEnvHash: Uint8Array
  /** The tree the block-hashes steps fill, from block-start's two leaves. */
  readonly boundHashes = new SparseMerkleTree(8)
  /**
   * Before block-start the state names the block by its hash and holds no state root: the public
   * input; block-start derives blockEnv and the pre-state root from the header and its parent's (SPEC.md §2).
   */
  headerBound = false
  txEnv: Uint8Array = new Uint8Array(800)
  /** txEnv's fields as the set-up steps leave them (SPEC.md §3). */
  txFields: TxEnvFields | undefined
  /** The transaction's canonical bytes in a tree of their own (txEnv names its root, SPEC.md §3). */
  txBytes: BytesView = EMPTY_VIEW
  txBlobHashes: Uint8Array = new Uint8Array()

  /** The commitment before the first step. */
  initial: Uint8Array = ZERO32
  readonly steps: NativeStep[] = []
  readonly witnesses: StepWitness[] = []
  readonly checkpoints: TxCheckpoint[] = []
  /** The post-state's stateData of witnessed steps. */
  readonly postStates = new Map<number, Uint8Array>()
  /** The stateData the last commitment hashed. */
  lastStateData: Uint8Array = new Uint8Array()
  private substateCache: { data: Uint8Array; hash: Uint8Array } | undefined
  private blockAccCache: { data: Uint8Array; hash: Uint8Array } | undefined
  /** Map keys of warm addresses and slots, by ethereumjs's journal key ("addr" / "addr:slot"). */
  private readonly accessKeys = new Map<string, bigint>()

  readonly transactionsTrie: () => Promise<MerklePatriciaTrie>
  readonly withdrawalsTrie: () => Promise<MerklePatriciaTrie>

  constructor(
    readonly trace: BlockTrace,
    readonly options: TraceOptions,
    readonly loaded: LoadedTrace,
    readonly vm: VM,
    /** When tracing started (the trace's loading included). */
    readonly started: number,
  ) {
    this.block = loaded.block
    const forkId = FORK_ID[trace.fork]
    if (forkId === undefined) throw new InputError(`${trace.id}: the native tracer knows Shanghai to Osaka, not ${trace.fork}`)
    this.forkId = forkId
    this.chainId = BigInt(trace.chainId)
    this.precompiles = precompileAddresses(trace.fork)
    for (const account of Object.values(trace.pre)) {
      const code = hexToBytes(account.code)
      this.codeByHash.set(bytesToHex(H(code)), code)
    }
    const { tree, headers } = ancestryOf(trace, loaded.parent, loaded.common)
    this.blockHashes = tree
    this.ancestorHeaders = headers
    this.blockEnv = this.envWith(tree.root())
    this.blockEnvHash = H(this.blockEnv)
    this.bloomHash = H(this.bloom)
    this.logs = new TxLogs(this.requestStreams)
    const block = this.block
    this.transactionsTrie = lazy(() =>
      listTrie(
        block.transactions.map((tx) => tx.serialize()),
        block.header.transactionsTrie,
        `${trace.id}: the transactions trie`,
      ),
    )
    this.withdrawalsTrie = lazy(() =>
      listTrie(
        (block.withdrawals ?? []).map((w) => RLP.encode(w.raw())),
        block.header.withdrawalsRoot as Uint8Array,
        `${trace.id}: the withdrawals trie`,
      ),
    )
  }

  /** Reads ethereumjs's starting root and builds the receipts trie: what the constructor cannot await. */
  async open(): Promise<this> {
    this.stateRoot = await this.sm.getStateRoot()
    this.receiptsTrie = await createMPT({})
    return this
  }

  get sm(): LoadedTrace['stateManager'] {
    return this.loaded.stateManager
  }

  /** A divergence from ethereumjs at the step about to be pushed, in the current transaction. */
  diverged(what: string, detail: { expected?: unknown; actual?: unknown } = {}): DivergenceError {
    return new DivergenceError({ traceId: this.trace.id, txIndex: this.txIndex, step: this.steps.length, what, ...detail })
  }

  codeTree(bytes: Uint8Array): CodeTree {
    const key = bytesToHex(H(bytes))
    let t = this.codeTrees.get(key)
    if (t === undefined) {
      t = new CodeTree(bytes)
      this.codeTrees.set(key, t)
    }
    return t
  }

  envWith(blockHashesRoot: Uint8Array): Uint8Array {
    const header = this.block.header
    return blockEnvData({
      forkId: this.forkId,
      chainId: this.chainId,
      header,
      blobBaseFee: this.trace.fork === 'Shanghai' ? 0n : header.getBlobGasPrice(),
      blockHashesRoot,
    })
  }

  setBoundHashes(leaves: Iterable<[number, Uint8Array]>): void {
    for (const [i, leaf] of leaves) this.boundHashes.set(i, leaf)
    this.blockEnv = this.envWith(this.boundHashes.root())
    this.blockEnvHash = H(this.blockEnv)
  }

  refundNow(): bigint {
    const f = this.frames[this.frames.length - 1]
    return f === undefined ? (this.kept?.refund ?? this.authRefund) : f.refundLocal
  }

  substateBytes(): Uint8Array {
    const logs = this.logs
    return substateData({
      refund: this.refundNow(),
      logsRoot: logs.root,
      logsSize: logs.size,
      selfdestructMap: this.selfdestructs.commitment(),
      createdMap: this.created.commitment(),
      touchedMap: this.touched.commitment(),
      bloomHash: logs.bloomHash,
      requests: logs.requestsWord,
      depositError: logs.depositError,
    })
  }

  /** The sub-state's hash: most steps leave the sub-state as it was, so the last one is kept. */
  substateHash(): Uint8Array {
    const data = this.substateBytes()
    if (this.substateCache === undefined || !equalBytes(this.substateCache.data, data)) this.substateCache = { data, hash: H(data) }
    return this.substateCache.hash
  }

  blockAccBytes(): Uint8Array {
    return concat([
      uint(this.cumulativeGas),
      uint(this.blobGasUsed),
      this.receiptsRoot,
      uint(this.receiptCount),
      this.requestsWord,
      this.bloomHash,
      this.receiptsList.root(),
      this.trieStack,
      uint(this.leafProgress),
      this.leafSponge,
    ])
  }

  blockAccHash(): Uint8Array {
    const data = this.blockAccBytes()
    if (this.blockAccCache === undefined || !equalBytes(this.blockAccCache.data, data)) this.blockAccCache = { data, hash: H(data) }
    return this.blockAccCache.hash
  }

  /**
   * The next receipt: into ethereumjs's receipts trie (`head ‖ logs`, the root the receipts-trie steps
   * must reach) and onto the receipts list as the steps hold it.
   */
  async addReceipt(record: ReceiptRecord): Promise<void> {
    await this.receiptsTrie.put(RLP.encode(this.receiptCount), concat([record.head, record.logs.bytes.subarray(0, record.logsSize)]))
    this.receiptRecords.push(record)
    this.receiptsList.set(this.receiptCount, H(receiptItem(record)))
    this.receiptCount++
  }

  /** Absorbs a request item (type ‖ data) into its type's stream (SPEC.md §2.2). */
  foldRequest(item: Uint8Array): void {
    this.requestItems.push(item)
    this.requestStreams.absorb(item[0] as number, item.subarray(1))
    this.requestsWord = H(this.requestStreams.bytes())
  }

  currentFrame(): Frame | undefined {
    return this.frames[this.frames.length - 1] ?? this.kept?.frame
  }

  /** Reads ethereumjs's state root if a step may have moved it. */
  async syncStateRoot(): Promise<void> {
    if (this.stateDirty) {
      this.stateRoot = await this.sm.getStateRoot()
      this.stateDirty = false
    }
  }

  /** The commitment of the live structures: H(stateData) (SPEC.md §2). */
  async commitment(): Promise<Uint8Array> {
    await this.syncStateRoot()
    const f = this.currentFrame()
    this.lastStateData = stateData({
      phase: this.phase,
      forkId: this.forkId,
      chainId: this.chainId,
      txIndex: this.txIndex,
      subIndex: this.subIndex,
      blockEnvHash: this.headerBound ? this.blockEnvHash : this.block.hash(),
      txEnvHash: this.txEnvHash,
      stateRoot: this.headerBound ? this.stateRoot : ZERO32,
      txStartRoot: this.txStartRoot,
      accessMap: this.access.commitment(),
      transientMap: this.transient.commitment(),
      substateHash: this.substateHash(),
      blockAccHash: this.blockAccHash(),
      frameStackHash: this.suspended[this.suspended.length - 1] as Uint8Array,
      frameHash: f === undefined ? ZERO32 : H(frameData(f)),
    })
    return H(this.lastStateData)
  }

  /** The revert point's preimage (SPEC.md §2.3): stateRoot ‖ accessMap ‖ transientMap ‖ substateHash, now. */
  async revertPointData(): Promise<Uint8Array> {
    await this.syncStateRoot()
    return concat([this.stateRoot, this.access.commitment(), this.transient.commitment(), this.substateHash()])
  }

  /**
   * Steps are pushed when they start and sealed (their post-commitment computed) once their effects
   * are all mirrored: a system step right after its effects, an opcode at the next event (which
   * shows the state the opcode left), a frame exit at the caller's next event (its pc, stack and
   * gas after the call).
   */
  async seal(): Promise<void> {
    const last = this.steps[this.steps.length - 1]
    if (last === undefined || last.post !== undefined) return
    last.post = await this.commitment()
    const k = this.steps.length - 1
    if (this.options.witness?.(k) !== true) return
    const w = this.witnesses[this.witnesses.length - 1]
    if (this.options.onWitness !== undefined && w?.step === k) {
      // Handed over whole and not kept: a block's witnesses can take gigabytes.
      this.witnesses.pop()
      await this.options.onWitness({ ...w, post: last.post, postStateData: this.lastStateData })
    } else this.postStates.set(k, this.lastStateData)
  }

  push(kind: StepKind, opcode?: number): void {
    this.steps.push({ kind, ...(opcode === undefined ? {} : { opcode }), post: undefined })
  }

  /** Pushes the step and seals it at once: a step whose effects are all mirrored already. */
  async step(kind: StepKind): Promise<void> {
    this.push(kind)
    await this.seal()
  }

  /**
   * Cuts the witness of the step about to be pushed, when asked to: its pre-state is the last sealed
   * commitment, which the live structures must give again (a check on the tracer itself).
   */
  async cutWitness(
    kind: StepKind,
    items: () => Promise<{ proof: Uint8Array[]; codes: Uint8Array[]; bytes?: Uint8Array[] }>,
    opcode?: number,
  ): Promise<void> {
    const k = this.steps.length
    if (this.options.witness?.(k) !== true) return
    const pre = this.steps[k - 1]?.post ?? this.initial
    if (!equalBytes(await this.commitment(), pre)) throw new Error(`step ${k}: the live structures do not give the sealed pre-commitment`)
    const w = await items()
    this.witnesses.push({
      step: k,
      kind,
      ...(opcode === undefined ? {} : { opcode }),
      pre,
      post: ZERO32,
      stateData: this.lastStateData,
      postStateData: ZERO32,
      ...w,
    })
  }

  /** The witnesses kept (those not handed to onWitness), each with its post-state. */
  sealedWitnesses(): StepWitness[] {
    return this.witnesses.map((w) => ({
      ...w,
      post: this.steps[w.step]?.post as Uint8Array,
      postStateData: this.postStates.get(w.step) as Uint8Array,
    }))
  }

  accessKey(addr: string, slot?: string): bigint {
    const id = slot === undefined ? addr : `${addr}:${slot}`
    let k = this.accessKeys.get(id)
    if (k === undefined) {
      const a = hexToBytes(`0x${addr}`)
      k = slot === undefined ? mapKey(TAG.WARM_ADDRESS, a) : mapKey(TAG.WARM_SLOT, a, uint(BigInt(`0x${slot || '0'}`)))
      this.accessKeys.set(id, k)
    }
    return k
  }

  /** Warms an address (SPEC.md's access map). */
  warmAddress(address: Uint8Array): void {
    this.access.set(this.accessKey(bytesToHex(address).slice(2)), 1n)
  }

  /** Warm keys ethereumjs added since the last sync, inserted in ascending key order (SPEC.md §4). */
  /**
   * Mirrors the keys ethereumjs has warmed since the last sync into the access map: in ascending
   * key order (SPEC.md §1), but `first` before the rest — a call's target before its EIP-7702
   * delegate, the order the checker warms them in (SPEC.md §5.1).
   */
  syncAccess(first?: bigint): void {
    const fresh: bigint[] = []
    for (const source of warmJournal(this.vm)) {
      for (const [addr, slots] of source) {
        const ak = this.accessKey(addr)
        if (!this.access.has(ak)) fresh.push(ak)
        for (const slot of slots) {
          const sk = this.accessKey(addr, slot)
          if (!this.access.has(sk)) fresh.push(sk)
        }
      }
    }
    const ordered =
      first !== undefined && fresh.includes(first) ? [first, ...sortedKeys(fresh.filter((k) => k !== first))] : sortedKeys(fresh)
    for (const k of ordered) this.access.set(k, 1n)
  }

  /** A map key for an address (SPEC.md §2.1), remembering the address behind it. */
  keyFor(tag: number, address: Uint8Array): bigint {
    const k = mapKey(tag, address)
    this.addressOfKey.set(k, address)
    return k
  }

  /** A copy of the world-state trie at `root` (writes stay in the copy). */
  stateTrie(root: Uint8Array = this.stateRoot): MerklePatriciaTrie {
    return stateTrieAt(this.sm, root)
  }

  /** The code of an account of `trie` (ethereumjs's code store holds every code the block saw). */
  async codeAt(trie: MerklePatriciaTrie, address: Uint8Array): Promise<Uint8Array> {
    const raw = await trie.get(address)
    if (raw === null) return new Uint8Array()
    const codeHash = createAccountFromRLP(raw).codeHash
    if (equalBytes(codeHash, KECCAK256_NULL)) return new Uint8Array()
    let code = this.codeByHash.get(bytesToHex(codeHash))
    if (code === undefined) {
      code = await this.sm.getCode(new Address(address))
      if (!equalBytes(H(code), codeHash)) throw new Error(`${this.trace.id}: no code for hash ${bytesToHex(codeHash)}`)
      this.codeByHash.set(bytesToHex(codeHash), code)
    }
    return code
  }

  /** The code a call runs: the account's, or for an EIP-7702 delegation the delegate's. */
  async executedCode(address: Address, txFrame: boolean): Promise<Uint8Array> {
    const code = await this.sm.getCode(address)
    const delegate = this.forkId >= PRAGUE ? delegateOf(code) : undefined
    if (delegate === undefined) return code
    // The transaction's frame warms the delegate as it enters (what ethereumjs does next).
    if (txFrame) this.warmAddress(delegate)
    return this.sm.getCode(new Address(delegate))
  }
}

/** The nodes of `trie` on the paths of the given accounts. */
export async function accountNodes(trie: MerklePatriciaTrie, addresses: Uint8Array[]): Promise<Uint8Array[]> {
  const seen = new Map<string, Uint8Array>()
  for (const a of addresses) for (const n of await createMerkleProof(trie, a)) seen.set(bytesToHex(n), n)
  return [...seen.values()]
}

/** Adds `amount` wei to an account of `trie` (creating it when absent). */
export async function credit(trie: MerklePatriciaTrie, address: Uint8Array, amount: bigint): Promise<void> {
  const raw = await trie.get(address)
  const account = raw === null ? new Account() : createAccountFromRLP(raw)
  account.balance += amount
  await trie.put(address, account.serialize())
}

/** The delegate an EIP-7702 designator (0xef0100 ‖ address) names, or undefined for other code. */
export function delegateOf(code: Uint8Array): Uint8Array | undefined {
  return code.length === 23 && code[0] === 0xef && code[1] === 0x01 && code[2] === 0x00 ? code.slice(3) : undefined
}

/** Keys once each, in ascending order: the order SPEC.md §4 inserts a step's warm keys in. */
export function sortedKeys(keys: readonly bigint[]): bigint[] {
  return [...new Set(keys)].sort((x, y) => (x < y ? -1 : 1))
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
