/**
 * Storage and transient storage: SLOAD and SSTORE (EIP-2929 warming, EIP-2200/3529 gas and refunds,
 * the original value from the world state at the transaction's start), TLOAD and TSTORE (EIP-1153,
 * the transient map). The generator's twin is src/trace/opcode/storage.ts.
 */
import { be, keccak, writeSubstate } from '../layout.ts'
import { encodeAccount, encodeSlot } from '../mpt.ts'
import { openMapKey } from '../trees.ts'
import { WitnessError } from '../witness-reader.ts'
import { Halt, type OpcodeRule, slotKey, transientKey } from './step.ts'

/** EIP-2200 with EIP-3529's refunds: the gas (less the cold surcharge) and the refund change of writing `value`. */
function sstoreCost(original: bigint, current: bigint, value: bigint): { cost: bigint; refund: bigint } {
  if (current === value) return { cost: 100n, refund: 0n }
  if (original === current) return { cost: original === 0n ? 20000n : 2900n, refund: original !== 0n && value === 0n ? 4800n : 0n }
  let refund = 0n
  if (original !== 0n) {
    if (current === 0n) refund -= 4800n
    else if (value === 0n) refund += 4800n
  }
  if (original === value) refund += original === 0n ? 19900n : 2800n
  return { cost: 100n, refund }
}

export const STORAGE: Record<number, OpcodeRule> = {
  84: async (c) => {
    const slot = c.a(0)
    c.use(c.warm(slotKey(c.f.address, slot)) ? 2100n : 100n)
    const { account: acct } = await c.account(c.state.stateRoot, c.f.address, 'account')
    c.out = [(await c.storage(acct, slot, 'storage')).value]
  },
  85: async (c) => {
    const { f } = c
    if (f.isStatic || c.gas <= 2300n) throw new Halt()
    const [slot, value] = [c.a(0), c.a(1)]
    const cold = c.warm(slotKey(f.address, slot))
    const { trie: stateTrie, account: acct } = await c.account(c.state.stateRoot, f.address, 'account')
    const { trie: storageTrie, value: current } = await c.storage(acct, slot, 'storage')
    const { account: acctAtStart } = await c.account(c.s.txStartRoot, f.address, 'account at transaction start')
    const { value: original } = await c.storage(acctAtStart, slot, 'storage at transaction start')
    const { cost, refund } = sstoreCost(original, current, value)
    c.use((cold ? 2100n : 0n) + cost)
    const sub = c.substate()
    if (sub.refund + refund < 0n) throw new WitnessError('the refund counter would go below zero')
    if (refund !== 0n) c.state = { ...c.state, substateHash: keccak(writeSubstate({ ...sub, refund: sub.refund + refund })) }
    if (current !== value) {
      if (acct === undefined) throw new WitnessError('SSTORE in an account that does not exist')
      const storageRoot = await storageTrie.set(be(slot), encodeSlot(value))
      c.state = { ...c.state, stateRoot: await stateTrie.set(f.address, encodeAccount({ ...acct, storageRoot })) }
    }
  },
  92: (c) => {
    c.out = [openMapKey(c.r, 'transient map', c.s.transientMap, transientKey(c.f.address, c.a(0))).value ?? 0n]
  },
  93: (c) => {
    if (c.f.isStatic) throw new Halt()
    c.state = {
      ...c.state,
      transientMap: openMapKey(c.r, 'transient map', c.s.transientMap, transientKey(c.f.address, c.a(0))).write(c.a(1)),
    }
  },
}
