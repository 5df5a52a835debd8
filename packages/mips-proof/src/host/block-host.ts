import { createBlockHeader } from '@ethereumjs/block'
import { createMPT } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import { bigIntToUnpaddedBytes, createAddressFromString, hexToBytes, MapDB, setLengthLeft } from '@ethereumjs/util'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { type BlockTrace, loadTrace } from '@stepproof/block-traces'
import type { PreimageOracle } from '../vm/vm.ts'

const KEY_TYPE_LOCAL = 1
const KEY_TYPE_KECCAK256 = 2
/** The local key whose data is the keccak256 of the boot data (the boot data is that hash's preimage). */
export const BOOT_IDENT = 1n

/** A typed oracle key for a keccak256 hash: the hash with its first byte replaced by the type (Cannon's form). */
function keccakKey(hash: Uint8Array): string {
  const key = hash.slice()
  key[0] = KEY_TYPE_KECCAK256
  return Buffer.from(key).toString('hex')
}

/**
 * The preimages a block trace provides to the guest: every node of the pre-state's account and
 * storage tries and every contract code, by keccak256, and the boot data (fork, chain id, parent,
 * block, ancestors and the claim): local key 1 holds its keccak256, 32 bytes as a dispute game's
 * local data must be, and the boot data itself is served by that hash like any other preimage.
 */
export class TraceOracle implements PreimageOracle {
  private readonly byKey = new Map<string, Uint8Array>()
  /** How many preimages the guest asked for, and their bytes. */
  served = { count: 0, bytes: 0 }
  /** Every key the guest asked for, in order (hex). */
  readonly requests: string[] = []

  /** The keccak256 of the boot data: local key 1's data. */
  readonly bootHash: Uint8Array

  private constructor(boot: Uint8Array) {
    this.bootHash = keccak_256(boot)
    this.add(boot)
  }

  /** Builds the oracle for a trace; `claimedRoot` overrides the trace's expected state root. */
  static async forTrace(trace: BlockTrace, claimedRoot?: string): Promise<TraceOracle> {
    const { common, parent, block } = await loadTrace(trace)
    const boot = RLP.encode([
      new TextEncoder().encode(trace.fork),
      bigIntToUnpaddedBytes(BigInt(trace.chainId)),
      parent.header.serialize(),
      block.serialize(),
      (trace.ancestors ?? []).map((h) => createBlockHeader(h, { common }).serialize()),
      hexToBytes((claimedRoot ?? trace.expected.stateRoot) as `0x${string}`),
      hexToBytes(trace.expected.receiptsRoot),
    ])
    const oracle = new TraceOracle(boot)
    await oracle.addStateTries(trace)
    return oracle
  }

  private add(data: Uint8Array): void {
    this.byKey.set(keccakKey(keccak_256(data)), data)
  }

  /** Rebuilds the pre-state's tries and records every stored node (inline nodes are part of their parents). */
  private async addStateTries(trace: BlockTrace): Promise<void> {
    const db = new MapDB<string, Uint8Array | string>()
    const stateTrie = await createMPT({ useKeyHashing: true, db })
    for (const [addr, acct] of Object.entries(trace.pre)) {
      const storage = await createMPT({ useKeyHashing: true, db })
      for (const [slot, value] of Object.entries(acct.storage)) {
        if (BigInt(value) === 0n) continue
        await storage.put(setLengthLeft(bigIntToUnpaddedBytes(BigInt(slot)), 32), RLP.encode(bigIntToUnpaddedBytes(BigInt(value))))
      }
      const code = hexToBytes(acct.code as `0x${string}`)
      if (code.length > 0) this.add(code)
      const account = RLP.encode([
        bigIntToUnpaddedBytes(BigInt(acct.nonce)),
        bigIntToUnpaddedBytes(BigInt(acct.balance)),
        storage.root(),
        code.length > 0 ? keccak_256(code) : keccak_256(new Uint8Array()),
      ])
      await stateTrie.put(createAddressFromString(addr).bytes, account)
    }
    const root = `0x${Buffer.from(stateTrie.root()).toString('hex')}`
    if (root !== trace.parent.stateRoot.toLowerCase()) {
      throw new Error(`the rebuilt pre-state root ${root} is not parent.stateRoot ${trace.parent.stateRoot}`)
    }
    for (const value of (db as unknown as { _database: Map<string, Uint8Array | string> })._database.values()) {
      this.add(typeof value === 'string' ? hexToBytes(`0x${value}`) : value)
    }
  }

  getPreimage(key: Uint8Array): Uint8Array {
    this.served.count++
    this.requests.push(Buffer.from(key).toString('hex'))
    if (key[0] === KEY_TYPE_LOCAL) {
      const ident = BigInt(`0x${Buffer.from(key.subarray(24)).toString('hex')}`)
      if (ident !== BOOT_IDENT || key.subarray(1, 24).some((b) => b !== 0)) {
        throw new Error(`the guest asked for local key 0x${Buffer.from(key).toString('hex')}, but only local key ${BOOT_IDENT} exists`)
      }
      this.served.bytes += this.bootHash.length
      return this.bootHash
    }
    const data = this.byKey.get(Buffer.from(key).toString('hex'))
    if (data === undefined) {
      throw new Error(`the guest asked for preimage 0x${Buffer.from(key).toString('hex')}, which the trace does not provide`)
    }
    this.served.bytes += data.length
    return data
  }

  hint(): void {}
}
