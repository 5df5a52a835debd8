/**
 * Calls and creates: CALL, CALLCODE, DELEGATECALL, STATICCALL (EIP-2929 access, value and new
 * account charges, EIP-7702 delegation, the 63/64 rule and the stipend, a child whose calldata is a
 * view of this memory) and CREATE, CREATE2 (EIP-3860, the new address, warmed only after the
 * fail-fast checks, EIP-684/7610 collisions). A call or create that enters its child leaves this
 * frame suspended (SPEC.md §5.1); the child's exit is src/check/frame-exit.ts. The generator's twin
 * is src/trace/opcode/calls.ts.
 */
import { RLP } from '@ethereumjs/rlp'
import { be, equal, join, keccak, minimal, writeSubstate } from '../layout.ts'
import { type Account, decodeAccount, emptyAccount, encodeAccount, isEmpty, proofTrie } from '../mpt.ts'
import { codeRoot, emptyView, freshFrame, openMapKey, viewOf } from '../trees.ts'
import { addressKey, collides, createdKey, Halt, type OpcodeRule, type Step, toAddress, touchedKey, words } from './step.ts'

/** The frame kinds of SPEC.md §2.3 by the opcode that enters them. */
const CALL_KIND: Record<number, number> = { 241: 0, 242: 1, 244: 2, 250: 3 }

const call = async (c: Step): Promise<void> => {
  const { f, op } = c
  const hasValue = op === 0xf1 || op === 0xf2
  const target = toAddress(c.a(1))
  const value = hasValue ? c.a(2) : 0n
  const k = hasValue ? 3 : 2
  const [inOff, inLen, outOff, outLen] = [c.a(k), c.a(k + 1), c.a(k + 2), c.a(k + 3)]
  if (op === 0xf1 && f.isStatic && value !== 0n) throw new Halt()
  c.expand(inOff, inLen)
  c.expand(outOff, outLen)
  c.use(c.warm(addressKey(target)) ? 2600n : 100n)
  if (hasValue && value !== 0n) c.use(9000n)
  const trie = await proofTrie(c.state.stateRoot, c.r.next('accounts proof'), 'accounts')
  const targetAccount = decodeAccount(await trie.get(target))
  if (op === 0xf1 && value !== 0n && isEmpty(targetAccount)) c.use(25000n)
  let code = c.codeOf(targetAccount)
  if (c.s.forkId >= 2 && code.delegate !== undefined) {
    // EIP-7702: the code is the delegate's, its access charged and warmed.
    c.use(c.warm(addressKey(code.delegate)) ? 2600n : 100n)
    code = c.codeOf(decodeAccount(await trie.get(code.delegate)))
  }
  const cap = c.gas - c.gas / 64n
  const forwarded = c.a(0) < cap ? c.a(0) : cap
  const caller = decodeAccount(await trie.get(f.address))
  c.returnData = emptyView()
  const stipend = hasValue && value !== 0n ? 2300n : 0n
  if (f.depth >= 1024 || (hasValue && value > (caller?.balance ?? 0n))) {
    // Fails fast: no child; the forwarded gas stays and the stipend is the caller's too
    // (execution-specs `evm.gas_left += sub_call`: the 9,000 paid for it).
    c.gas += stipend
    c.out = [0n]
    return
  }
  c.gas -= forwarded
  const revertPre = join([c.state.stateRoot, c.state.accessMap, c.state.transientMap, c.state.substateHash])
  // The child's account context: touched (created empty if absent), the value moved into it.
  const context = op === 0xf1 || op === 0xfa ? target : f.address
  let stateRoot = c.state.stateRoot
  if (op !== 0xf4) {
    const from = caller ?? emptyAccount()
    const self = equal(context, f.address)
    const to = self ? { ...from } : (decodeAccount(await trie.get(context)) ?? emptyAccount())
    if (!self) {
      stateRoot = await trie.set(f.address, encodeAccount({ ...from, balance: from.balance - value }))
      to.balance += value
    }
    stateRoot = await trie.set(context, encodeAccount(to))
    if (isEmpty(to)) {
      const sub = c.substate()
      const touched = openMapKey(c.r, 'touched map', sub.touchedMap, touchedKey(context))
      if (touched.value === undefined)
        c.state = { ...c.state, substateHash: keccak(writeSubstate({ ...sub, touchedMap: touched.write(1n) })) }
    }
  }
  const noRet = outLen === 0n
  const child = freshFrame({
    kind: CALL_KIND[op] as number,
    isStatic: f.isStatic || op === 0xfa,
    depth: f.depth + 1,
    gas: forwarded + stipend,
    codeSize: code.size,
    address: context,
    codeAddress: target,
    caller: op === 0xf4 ? f.caller : f.address,
    value: op === 0xf4 ? f.value : value,
    codeRoot: code.root,
    // The input is read where it lies, in the caller's memory, which stays as it is while the child runs.
    calldata: viewOf(f.memoryRoot, inOff, inLen),
    retOffset: noRet ? 0 : Number(outOff),
    retSize: noRet ? 0 : Number(outLen),
  })
  c.state = { ...c.state, stateRoot }
  c.enter(child, revertPre)
}

const create = async (c: Step): Promise<void> => {
  const { f, op } = c
  if (f.isStatic) throw new Halt()
  const [value, offset, len] = [c.a(0), c.a(1), c.a(2)]
  if (len > 49152n) throw new Halt() // EIP-3860
  c.use(32000n + 2n * words(len) + (op === 0xf5 ? 6n * words(len) : 0n))
  c.expand(offset, len)
  const initcode = c.memoryBytes(offset, 0n, len)
  const trie = await proofTrie(c.state.stateRoot, c.r.next('accounts proof'), 'accounts')
  const creator = decodeAccount(await trie.get(f.address)) ?? emptyAccount()
  const created =
    op === 0xf5
      ? keccak(new Uint8Array([0xff]), f.address, be(c.a(3)), keccak(initcode)).slice(12)
      : keccak(RLP.encode([f.address, minimal(creator.nonce)])).slice(12)
  const forwarded = c.gas - c.gas / 64n
  c.returnData = emptyView()
  if (f.depth >= 1024 || value > creator.balance || creator.nonce >= 2n ** 64n - 1n) {
    c.out = [0n] // fails fast: no child, no nonce bump, the new address not warmed
    return
  }
  c.warm(addressKey(created)) // execution-specs warms it after the fail-fast checks; no gas (in the 32,000)
  c.gas -= forwarded
  let stateRoot = await trie.set(f.address, encodeAccount({ ...creator, nonce: creator.nonce + 1n }))
  const target = decodeAccount(await trie.get(created))
  const revertPre = join([stateRoot, c.state.accessMap, c.state.transientMap, c.state.substateHash])
  const child = freshFrame({
    kind: op === 0xf0 ? 4 : 5,
    depth: f.depth + 1,
    gas: forwarded,
    codeSize: initcode.length,
    address: created,
    codeAddress: created,
    caller: f.address,
    value,
    codeRoot: codeRoot(initcode),
  })
  if (collides(target)) {
    // EIP-684, EIP-7610: the child is entered already failed (its exit pushes 0; the nonce bump stays).
    c.state = { ...c.state, stateRoot }
    c.enter({ ...child, status: 3, gas: 0n }, revertPre)
    return
  }
  const after = decodeAccount(await trie.get(f.address)) as Account
  stateRoot = await trie.set(f.address, encodeAccount({ ...after, balance: after.balance - value }))
  stateRoot = await trie.set(created, encodeAccount({ ...(target ?? emptyAccount()), nonce: 1n, balance: (target?.balance ?? 0n) + value }))
  const sub = c.substate()
  const entry = openMapKey(c.r, 'created map', sub.createdMap, createdKey(created))
  c.state = {
    ...c.state,
    stateRoot,
    substateHash: keccak(writeSubstate({ ...sub, createdMap: entry.value === undefined ? entry.write(1n) : sub.createdMap })),
  }
  c.enter(child, revertPre)
}

export const CALLS: Record<number, OpcodeRule> = { 240: create, 245: create, 241: call, 242: call, 244: call, 250: call }
