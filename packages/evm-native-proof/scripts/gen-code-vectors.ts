/**
 * Writes contracts/test/vectors/codes.json: `pnpm gen:code-vectors`.
 *
 * Codes and byte strings with the checker's answers for contracts/src/evm/CodeOracle.sol and BytesOracle.sol
 * (contracts/test/CodeOracle.t.sol): per code its keccak256, `codeRoot` (src/check/trees.ts), size and EIP-7702
 * delegate as `codeOracle` (src/check/index.ts) finds them; per byte string its keccak256, `bytesRoot` and size.
 * The codes are every pre-state account's code of the standard and fixtures corpora, then edge cases of the
 * jump analysis and of the tree's shape, and codes biased towards PUSHes and JUMPDESTs.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadCorpus, REPO_ROOT } from '@stepproof/block-traces'
import { codeOracle } from '../src/check/index.ts'
import { keccak } from '../src/check/layout.ts'
import { bytesRoot } from '../src/check/trees.ts'

const OUT = 'contracts/test/vectors/codes.json'
const REGENERATE = 'pnpm gen:code-vectors'
/** The largest deployed code (EIP-170) and initcode (EIP-3860). */
const MAX_CODE = 24_576
const MAX_INITCODE = 49_152

/** One code; fields in alphabetical order, as forge's vm.parseJson decodes objects. */
interface CodeVector {
  code: string
  /** The EIP-7702 delegate, the zero address for a code that is no delegation designator. */
  delegate: string
  hash: string
  name: string
  root: string
  size: number
}

/** One byte string for the BytesOracle; fields in alphabetical order. */
interface BytesVector {
  data: string
  hash: string
  name: string
  root: string
  size: number
}

const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}`
const fromHex = (h: string) => new Uint8Array(Buffer.from(h.slice(2), 'hex'))
const bytesOf = (...parts: (number | number[] | Uint8Array)[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'number' ? [p] : Array.from(p))))
const count = (n: number) => `${n} ${n === 1 ? 'byte' : 'bytes'}`
const repeat = (byte: number, n: number) => new Array<number>(n).fill(byte)

/** Deterministic bytes: keccak256 of a label and a counter, 32 bytes at a time. */
function stream(label: string): (len: number) => Uint8Array {
  const seed = new TextEncoder().encode(label)
  let n = 0
  return (len) => {
    const out = new Uint8Array(len)
    for (let at = 0; at < len; at += 32) {
      const counter = new Uint8Array(8)
      new DataView(counter.buffer).setBigUint64(0, BigInt(n++))
      out.set(keccak(seed, counter).subarray(0, Math.min(32, len - at)), at)
    }
    return out
  }
}

/** `len` bytes, about half of them JUMPDESTs or PUSH opcodes, so that immediates hide JUMPDESTs and cross chunks. */
function pushesAndJumpdests(label: string, len: number): Uint8Array {
  const random = stream(label)(2 * len)
  return Uint8Array.from({ length: len }, (_, i) => {
    const [kind, value] = [random[2 * i] as number, random[2 * i + 1] as number]
    return kind < 64 ? 0x5b : kind < 128 ? 0x60 + (value & 31) : value
  })
}

/** Every distinct code of the corpora's pre-states, named by the first trace and account holding it. */
function corpusCodes(): [string, Uint8Array][] {
  const seen = new Map<string, [string, Uint8Array]>()
  for (const { trace } of [...loadCorpus('standard'), ...loadCorpus('fixtures')])
    for (const [address, account] of Object.entries(trace.pre))
      if (account.code !== '0x' && !seen.has(account.code)) seen.set(account.code, [`${trace.id} ${address}`, fromHex(account.code)])
  return [...seen.values()]
}

const corpus = corpusCodes()
const corpusBytes = Uint8Array.from(corpus.flatMap(([, c]) => Array.from(c)))
const address = fromHex('0x1122334455667788990011223344556677889900')
const edges: [string, Uint8Array][] = [
  ['empty', new Uint8Array()],
  ['1 byte: a JUMPDEST', bytesOf(0x5b)],
  ['31 bytes', pushesAndJumpdests('31', 31)],
  ['32 bytes', pushesAndJumpdests('32', 32)],
  ['33 bytes', pushesAndJumpdests('33', 33)],
  ['a PUSH32 at byte 20 whose immediate of JUMPDEST bytes crosses into chunk 1', bytesOf(repeat(0x5b, 20), 0x7f, repeat(0x5b, 40))],
  ['a PUSH32 at byte 31 whose immediate is all of chunk 1', bytesOf(repeat(0x5b, 31), 0x7f, repeat(0x5b, 34))],
  ['a PUSH2 at byte 62 whose immediate is in chunks 1 and 2', bytesOf(repeat(0x5b, 62), 0x61, 0x5b, 0x5b, 0x5b)],
  ['a JUMPDEST right after the immediate of a PUSH1', bytesOf(0x60, 0x5b, 0x5b, 0x00)],
  ['a JUMPDEST right after the immediate of a PUSH32', bytesOf(0x7f, repeat(0x5b, 32), 0x5b)],
  ['ending inside the immediate of a PUSH32', bytesOf(0x5b, 0x7f, 0x5b, 0x5b)],
  ['ending inside the immediate of a PUSH32 at a chunk boundary', bytesOf(repeat(0x5b, 40), 0x7f, repeat(0x5b, 23))],
  ['ending with a PUSH1 and no immediate', bytesOf(0x5b, 0x60)],
  ['every PUSH once, then a JUMPDEST', bytesOf(Array.from({ length: 32 }, (_, k) => [0x60 + k, ...repeat(0x5b, k + 1)]).flat(), 0x5b)],
  [
    `${MAX_CODE} bytes: the corpus codes end to end`,
    Uint8Array.from({ length: MAX_CODE }, (_, i) => corpusBytes[i % corpusBytes.length] as number),
  ],
  [`${MAX_CODE} JUMPDESTs`, bytesOf(repeat(0x5b, MAX_CODE))],
  [`${MAX_CODE} PUSH1 bytes: a PUSH every other byte`, bytesOf(repeat(0x60, MAX_CODE))],
  ['an EIP-7702 delegation designator', bytesOf(0xef, 0x01, 0x00, address)],
  ['a delegation designator of the zero address', bytesOf(0xef, 0x01, 0x00, repeat(0, 20))],
  ['22 bytes from 0xef0100: no designator', bytesOf(0xef, 0x01, 0x00, address.subarray(1))],
  ['24 bytes from 0xef0100: no designator', bytesOf(0xef, 0x01, 0x00, address, 0x00)],
  ['23 bytes from 0xef0101: no designator', bytesOf(0xef, 0x01, 0x01, address)],
  ...[1, 2, 63, 64, 65, 100, 1000, 4097].map((n): [string, Uint8Array] => [
    `${count(n)} of PUSHes and JUMPDESTs`,
    pushesAndJumpdests(`${n}`, n),
  ]),
]

const all = [...corpus.map(([name, c]): [string, Uint8Array] => [`corpus: ${name}`, c]), ...edges]
const oracle = codeOracle(all.map(([, c]) => c))
const codes: CodeVector[] = all.map(([name, c]) => {
  const hash = keccak(c)
  const known = oracle(hash)
  if (known === undefined) throw new Error(`${name}: the checker's oracle does not know the code`)
  return {
    code: hex(c),
    delegate: hex(known.delegate ?? new Uint8Array(20)),
    hash: hex(hash),
    name,
    root: hex(known.root),
    size: known.size,
  }
})

const bytes: BytesVector[] = [0, 1, 32, 33, 64, 65, 1000, MAX_INITCODE].map((n) => {
  const data = stream(`bytes ${n}`)(n)
  return { data: hex(data), hash: hex(keccak(data)), name: count(n), root: hex(bytesRoot(data)), size: n }
})

const lines = (xs: readonly object[]) => xs.map((x) => JSON.stringify(x)).join(',\n')
const out = join(REPO_ROOT, OUT)
const json = `{"generatedBy":${JSON.stringify(REGENERATE)},\n"bytes":[\n${lines(bytes)}\n],\n"codes":[\n${lines(codes)}\n]}\n`
writeFileSync(out, json)
console.log(
  `${codes.length} codes (${corpus.length} from the corpora) and ${bytes.length} byte strings written to ${out} (${json.length} bytes)`,
)
