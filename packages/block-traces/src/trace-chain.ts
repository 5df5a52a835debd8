import type { Block, BlockHeader } from '@ethereumjs/block'
import { Blockchain, type BlockchainInterface } from '@ethereumjs/blockchain'
import type { Common } from '@ethereumjs/common'
import { bytesToHex } from '@ethereumjs/util'

/**
 * The chain a trace's block is executed against: its parent and any ancestors the trace carries.
 * ethereumjs's own Blockchain can only be anchored at a genesis block (number 0), so a trace whose
 * parent is block N needs this; header checks still run ethereumjs's own `validateHeader`.
 */
export class TraceChain implements BlockchainInterface {
  readonly consensus = undefined
  private readonly byHash = new Map<string, Block>()
  private readonly byNumber = new Map<bigint, Block>()

  constructor(
    readonly common: Common,
    known: Block[],
  ) {
    for (const block of known) this.remember(block)
  }

  private remember(block: Block): void {
    this.byHash.set(bytesToHex(block.hash()), block)
    this.byNumber.set(block.header.number, block)
  }

  /** Used by Blockchain.prototype.validateHeader to find the parent. */
  async _getHeader(hash: Uint8Array): Promise<BlockHeader> {
    const block = this.byHash.get(bytesToHex(hash))
    if (block === undefined) throw new Error(`no header for ${bytesToHex(hash)} in the trace`)
    return block.header
  }

  /** Checks a header against its parent with ethereumjs's own rules (number, time, gas limit, base fee, blob gas). */
  async validateHeader(header: BlockHeader, height?: bigint): Promise<void> {
    await Blockchain.prototype.validateHeader.call(this as unknown as Blockchain, header, height)
  }

  async getBlock(id: Uint8Array | number | bigint): Promise<Block> {
    const block = id instanceof Uint8Array ? this.byHash.get(bytesToHex(id)) : this.byNumber.get(BigInt(id))
    if (block === undefined) throw new Error(`block ${id instanceof Uint8Array ? bytesToHex(id) : id} is not in the trace`)
    return block
  }

  async putBlock(block: Block): Promise<void> {
    this.remember(block)
  }

  async delBlock(hash: Uint8Array): Promise<void> {
    const block = this.byHash.get(bytesToHex(hash))
    if (block === undefined) return
    this.byHash.delete(bytesToHex(hash))
    this.byNumber.delete(block.header.number)
  }

  async getCanonicalHeadBlock(): Promise<Block> {
    const top = [...this.byNumber.keys()].sort((a, b) => (a < b ? 1 : -1))[0] as bigint
    return this.byNumber.get(top) as Block
  }

  async getIteratorHead(): Promise<Block> {
    return this.getCanonicalHeadBlock()
  }

  async setIteratorHead(): Promise<void> {}

  async iterator(): Promise<number> {
    return 0
  }

  shallowCopy(): TraceChain {
    return new TraceChain(this.common, [...this.byHash.values()])
  }
}
