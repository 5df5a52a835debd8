/**
 * Shrinks a generated block while a property holds (for `stepproof minimise`: while go-ethereum or
 * the native proof still disagree with ethereumjs the same way): fewer transactions, then less code
 * in each contract, then fewer storage slots; each candidate is sealed again by ethereumjs
 * (reseal.ts), so every block tried is a valid block with ethereumjs's roots.
 */
import { InputError } from '../errors.ts'
import type { Hex } from '../hex.ts'
import type { BlockTrace } from '../trace.ts'
import { resealBlock } from './reseal.ts'

/** What a minimisation did: the block it ended with, and how much it tried. */
export interface Minimised {
  trace: BlockTrace
  /** Candidates sealed and tested. */
  tried: number
  before: BlockSize
  after: BlockSize
}

/** How big a block is, in what the minimiser removes. */
export interface BlockSize {
  transactions: number
  codeBytes: number
  storageSlots: number
}

export function blockSize(trace: BlockTrace): BlockSize {
  const accounts = Object.values(trace.pre)
  return {
    transactions: trace.block.transactions.length,
    codeBytes: accounts.reduce((n, a) => n + (a.code.length - 2) / 2, 0),
    storageSlots: accounts.reduce((n, a) => n + Object.keys(a.storage).length, 0),
  }
}

/**
 * The smallest block the greedy search finds on which `holds` is still true, from `trace` (on which
 * it must be): transactions removed in halves, then quarters, down to one at a time; each contract's
 * code emptied, else cut to the shortest prefix found by halving what is left; each storage slot dropped.
 */
export async function minimiseBlock(
  trace: BlockTrace,
  holds: (candidate: BlockTrace) => Promise<boolean>,
  progress: (message: string) => void = () => {},
): Promise<Minimised> {
  if (!(await holds(trace))) throw new InputError(`${trace.id}: the property does not hold on the block itself; nothing to minimise`)
  let best = trace
  let tried = 0
  /** Seals a change and keeps it when every transaction asked for went in and the property still holds. */
  const attempt = async (change: { transactions?: readonly Hex[]; pre?: BlockTrace['pre'] }): Promise<boolean> => {
    tried++
    const wanted = change.transactions?.length ?? best.block.transactions.length
    const sealed = await resealBlock(best, change)
    if (sealed.included !== wanted || !(await holds(sealed.trace))) return false
    best = sealed.trace
    return true
  }

  for (let chunk = Math.ceil(best.block.transactions.length / 2); chunk >= 1; chunk = chunk === 1 ? 0 : Math.ceil(chunk / 2)) {
    for (let at = best.block.transactions.length - chunk; at >= 0; at -= chunk) {
      const txs = best.block.transactions
      if (txs.length <= 1) break
      const without = [...txs.slice(0, at), ...txs.slice(at + chunk)]
      if (without.length > 0 && (await attempt({ transactions: without })))
        progress(`${best.block.transactions.length} transactions (removed ${chunk} at ${at})`)
    }
  }

  for (const address of Object.keys(best.pre) as Hex[]) {
    const code = (best.pre[address] as BlockTrace['pre'][Hex]).code
    if (code === '0x') continue
    const withCode = (c: Hex) => ({ pre: { ...best.pre, [address]: { ...(best.pre[address] as BlockTrace['pre'][Hex]), code: c } } })
    if (await attempt(withCode('0x'))) {
      progress(`${address}: code removed`)
      continue
    }
    // The shortest prefix: halve what can go while the property holds, then try smaller cuts.
    let bytes = (code.length - 2) / 2
    for (let cut = Math.floor(bytes / 2); cut >= 1; cut = Math.floor(cut / 2)) {
      while (bytes - cut >= 1 && (await attempt(withCode(code.slice(0, 2 + 2 * (bytes - cut)) as Hex)))) bytes -= cut
    }
    if (bytes < (code.length - 2) / 2) progress(`${address}: code cut to ${bytes} bytes`)
  }

  for (const address of Object.keys(best.pre) as Hex[]) {
    for (const slot of Object.keys((best.pre[address] as BlockTrace['pre'][Hex]).storage) as Hex[]) {
      const account = best.pre[address] as BlockTrace['pre'][Hex]
      const storage = Object.fromEntries(Object.entries(account.storage).filter(([k]) => k !== slot))
      if (await attempt({ pre: { ...best.pre, [address]: { ...account, storage } } })) progress(`${address}: slot ${slot} dropped`)
    }
  }
  return { trace: best, tried, before: blockSize(trace), after: blockSize(best) }
}
