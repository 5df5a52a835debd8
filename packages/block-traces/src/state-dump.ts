import type { MerklePatriciaTrie } from '@ethereumjs/mpt'
import { RLP } from '@ethereumjs/rlp'
import type { MerkleStateManager } from '@ethereumjs/statemanager'
import { bytesToHex, createAddressFromString, hexToBytes } from '@ethereumjs/util'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { type Hex, quantity, toHex } from './hex.ts'
import type { BlockTraceInput } from './trace.ts'

/**
 * A keccak256 that remembers the preimages of 20- and 32-byte inputs. Ethereum's tries are keyed by
 * keccak256(address) and keccak256(slot); giving this function to the Common (customCrypto) lets a
 * state be read back out of ethereumjs with its real addresses and slot numbers.
 */
export class PreimageRecorder {
  private readonly preimages = new Map<string, Uint8Array>()

  /** The hashing function to install as `customCrypto.keccak256`. */
  readonly keccak256 = (data: Uint8Array): Uint8Array => {
    const hash = keccak_256(data)
    if (data.length === 20 || data.length === 32) this.preimages.set(bytesToHex(hash), data.slice())
    return hash
  }

  /** The recorded preimage of a trie key, or an error naming the key. */
  preimage(hashedKey: string): Uint8Array {
    const found = this.preimages.get(hashedKey)
    if (found === undefined) throw new Error(`no preimage recorded for trie key ${hashedKey}`)
    return found
  }
}

/** Reads a whole state out of a state manager whose Common hashes through `recorder`. */
export async function dumpState(sm: MerkleStateManager, recorder: PreimageRecorder): Promise<BlockTraceInput['pre']> {
  await sm.flush()
  // The account trie is not exposed publicly; its leaves are the only way to enumerate accounts.
  const trie = (sm as unknown as { _trie: MerklePatriciaTrie })._trie
  const { values } = await trie.getValueMap()
  const state: BlockTraceInput['pre'] = {}
  const addresses = Object.keys(values)
    .map((hashed) => bytesToHex(recorder.preimage(hashed)))
    .sort()
  for (const addr of addresses) {
    const address = createAddressFromString(addr)
    const account = await sm.getAccount(address)
    if (account === undefined) continue
    const storage: Record<string, string> = {}
    // Not sm.dumpStorage: ethereumjs keeps an address's storage trie across the account's deletion
    // (SELFDESTRUCT before Cancun), so a re-funded account would come back with its dead slots.
    const storageTrie = trie.shallowCopy(false)
    storageTrie.root(account.storageRoot)
    const dump = (await storageTrie.getValueMap()).values
    const slots = Object.entries(dump).map(([hashed, rlpValue]) => {
      const slot = BigInt(bytesToHex(recorder.preimage(hashed)))
      const value = RLP.decode(hexToBytes(rlpValue.startsWith('0x') ? (rlpValue as Hex) : `0x${rlpValue}`)) as Uint8Array
      return [slot, value.length === 0 ? 0n : BigInt(toHex(value))] as const
    })
    for (const [slot, value] of slots.sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (value !== 0n) storage[quantity(slot)] = quantity(value)
    }
    state[addr] = {
      nonce: quantity(account.nonce),
      balance: quantity(account.balance),
      code: toHex(await sm.getCode(address)),
      storage,
    }
  }
  return state
}
