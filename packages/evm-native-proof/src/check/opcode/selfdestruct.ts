/**
 * SELFDESTRUCT: the balance to the beneficiary (warmed, charged 25,000 when it is left a new
 * account), the account marked in the self-destruct map for the transaction's clean-up, and from
 * Cancun EIP-6780 (the balance stays, and nothing is deleted, unless the account was created in this
 * transaction). The generator's twin is src/trace/opcode/selfdestruct.ts.
 */
import { CANCUN, equal, keccak, writeSubstate } from '../layout.ts'
import { decodeAccount, emptyAccount, encodeAccount, isEmpty, proofTrie } from '../mpt.ts'
import { emptyView, openMapKey } from '../trees.ts'
import { addressKey, createdKey, Halt, type OpcodeRule, selfdestructKey, toAddress, touchedKey } from './step.ts'

export const SELFDESTRUCT: Record<number, OpcodeRule> = {
  255: async (c) => {
    const { f, s } = c
    if (f.isStatic) throw new Halt()
    const to = toAddress(c.a(0))
    c.use(c.warm(addressKey(to)) ? 2600n : 0n)
    const trie = await proofTrie(c.state.stateRoot, c.r.next('accounts proof'), 'accounts')
    const self = decodeAccount(await trie.get(f.address)) ?? emptyAccount()
    const beneficiary = decodeAccount(await trie.get(to))
    if (self.balance > 0n && isEmpty(beneficiary)) c.use(25000n)
    const sub = c.substate()
    const marked = openMapKey(c.r, 'self-destruct map', sub.selfdestructMap, selfdestructKey(f.address))
    const next = { ...sub, selfdestructMap: marked.value === undefined ? marked.write(1n) : sub.selfdestructMap }
    const toSelf = equal(to, f.address)
    let stateRoot = c.state.stateRoot
    if (!toSelf) {
      const credited = { ...(beneficiary ?? emptyAccount()) }
      credited.balance += self.balance
      stateRoot = await trie.set(to, encodeAccount(credited))
      if (isEmpty(credited)) {
        const touched = openMapKey(c.r, 'touched map', sub.touchedMap, touchedKey(to))
        if (touched.value === undefined) next.touchedMap = touched.write(1n)
      }
    }
    // EIP-6780 (Cancun on): the balance leaves unless the account sends it to itself and was not created in this transaction.
    const createdHere = s.forkId < CANCUN || openMapKey(c.r, 'created map', sub.createdMap, createdKey(f.address)).value !== undefined
    if (createdHere || !toSelf) stateRoot = await trie.set(f.address, encodeAccount({ ...self, balance: 0n }))
    c.state = { ...c.state, stateRoot, substateHash: keccak(writeSubstate(next)) }
    c.halt = { status: 1, output: emptyView() }
  },
}
