import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { RLP } from '@ethereumjs/rlp'
import { createEOACode7702Tx, createTxFromRLP } from '@ethereumjs/tx'
import { commonFor, REPO_ROOT } from '@stepproof/block-traces'
import { describe, expect, it } from 'vitest'
import { keccak } from '../src/check/layout.ts'
import { decodeTx, MalformedTransaction } from '../src/check/tx.ts'
import { readTxLayout, TX_WINDOW, type TxLayout } from '../src/check/tx-layout.ts'

const FIXTURES = process.env.STEPPROOF_FIXTURES ?? join(REPO_ROOT, '../shared/fixtures')
const hex = (h: string) => h as `0x${string}`
const bytes = (h: string) => Uint8Array.from(Buffer.from(h.replace(/^0x/, ''), 'hex'))
const readerOf = (raw: Uint8Array) => (offset: number, len: number) => raw.slice(offset, offset + len)
const layoutOf = (raw: Uint8Array) => readTxLayout(readerOf(raw), raw.length)
const slice = (raw: Uint8Array, s: { offset: number; size: number }) => raw.slice(s.offset, s.offset + s.size)
const signedHash = (raw: Uint8Array, l: TxLayout) => keccak(l.signed.prefix, slice(raw, l.signed.span), l.signed.suffix)

/** Every transaction of every block of a fixture file (blockchain tests, plain or gzipped), with its test's fork. */
function txsOf(file: string): { fork: string; raw: Uint8Array }[] {
  const text = file.endsWith('.gz') ? gunzipSync(readFileSync(file)).toString() : readFileSync(file, 'utf8')
  const tests = JSON.parse(text) as Record<string, { network: string; blocks: { rlp: string }[] }>
  return Object.values(tests).flatMap((t) =>
    t.blocks.flatMap((b) => {
      let txs: (Uint8Array | Uint8Array[])[]
      try {
        txs = (RLP.decode(bytes(b.rlp)) as unknown[])[1] as (Uint8Array | Uint8Array[])[]
      } catch {
        return []
      }
      if (!Array.isArray(txs)) return []
      return txs.map((tx) => ({ fork: t.network, raw: tx instanceof Uint8Array ? tx : RLP.encode(tx) }))
    }),
  )
}

/** A fixed sample of the fixtures: the blockchain tests, every invalid-block test, every 25th wide test file. */
function sample(): { fork: string; raw: Uint8Array }[] {
  const files: string[] = []
  const dir = (d: string, every: number) => {
    if (!existsSync(d)) return
    const names = readdirSync(d)
      .filter((f) => f.endsWith('.json') || f.endsWith('.json.gz'))
      .sort()
    files.push(...names.filter((_, i) => i % every === 0).map((f) => join(d, f)))
  }
  dir(join(FIXTURES, 'blockchain-tests'), 1)
  dir(join(FIXTURES, 'eest-invalid'), 1)
  dir(join(FIXTURES, 'eest-wide'), 25)
  return files.flatMap(txsOf)
}

describe.skipIf(!existsSync(FIXTURES))(
  'the transaction read in bounded windows, against ethereumjs’s decoding of the fixtures’ transactions',
  () => {
    it('gives ethereumjs’s fields and signed message for every transaction of the sample (none of which is malformed)', () => {
      const txs = sample()
      expect(txs.length).toBeGreaterThan(1000)
      const types = new Set<number>()
      let compared = 0
      let malformed = 0
      for (const { fork, raw } of txs) {
        let theirs: ReturnType<typeof decodeTx> | undefined
        try {
          theirs = decodeTx(raw)
        } catch (e) {
          if (!(e instanceof MalformedTransaction)) throw e
        }
        if (theirs === undefined) {
          expect(() => layoutOf(raw)).toThrow(MalformedTransaction)
          malformed++
          continue
        }
        const l = layoutOf(raw)
        types.add(l.type)
        // Bounded reads: at most four windows, whatever the transaction's size.
        expect(l.reads.length).toBeLessThanOrEqual(4)
        for (const r of l.reads) expect(r.size).toBeLessThanOrEqual(TX_WINDOW)
        expect(signedHash(raw, l)).toEqual(theirs.signingHash)
        expect(slice(raw, l.data)).toEqual(theirs.data)
        expect([l.nonce, l.gasLimit, l.value, l.chainId, l.maxFeePerGas, l.maxPriorityFeePerGas, l.maxFeePerBlobGas]).toEqual([
          theirs.nonce,
          theirs.gasLimit,
          theirs.value,
          theirs.chainId,
          theirs.maxFeePerGas,
          theirs.maxPriorityFeePerGas,
          theirs.maxFeePerBlobGas,
        ])
        expect([l.recovery, l.r, l.s, l.to, l.blobHashes]).toEqual([theirs.recovery, theirs.r, theirs.s, theirs.to, theirs.blobHashes])
        // The access list and authorisations as spans: their RLP is the decoded lists'.
        expect(slice(raw, l.accessList)).toEqual(
          RLP.encode(theirs.accessList).subarray(RLP.encode(theirs.accessList).length - l.accessList.size),
        )
        // ethereumjs, written elsewhere: the same sender message, nonce, gas and data.
        let ejs: ReturnType<typeof createTxFromRLP> | undefined
        try {
          ejs = createTxFromRLP(raw, {
            common: commonFor(fork === 'Shanghai' || fork === 'Cancun' ? 'Prague' : (fork as 'Prague'), l.chainId ?? 1n),
          })
        } catch {
          ejs = undefined
        }
        if (ejs !== undefined) {
          expect(signedHash(raw, l)).toEqual(ejs.getHashedMessageToSign())
          expect([l.nonce, l.gasLimit, l.value]).toEqual([ejs.nonce, ejs.gasLimit, ejs.value])
          expect(slice(raw, l.data)).toEqual(ejs.data)
          compared++
        }
      }
      expect(compared).toBeGreaterThan(1000)
      expect(types).toEqual(new Set([0, 1, 2, 3, 4]))
      console.log(`tx-layout: ${txs.length} transactions, ${compared} held to ethereumjs, ${malformed} malformed`)
    })

    it('refuses a changed byte exactly when decodeTx (over @ethereumjs/rlp’s strict decoder) does, and agrees with it otherwise', () => {
      const txs = sample().filter((_, i) => i % 5 === 0)
      let seed = 12345
      const rand = (n: number) => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31
        return seed % n
      }
      let refused = 0
      let decoded = 0
      let inLists = 0
      for (const { raw } of txs) {
        for (let k = 0; k < 20; k++) {
          const m = raw.slice()
          // Headers and small fields are where the reader's rules are: change bytes near the start, the data's end and the end.
          const at = [rand(Math.min(40, m.length)), m.length - 1 - rand(Math.min(110, m.length))][k % 2] as number
          m[at] = [0x00, 0x7f, 0x80, 0x81, 0xb7, 0xb8, 0xc0, 0xf7, 0xf8, 0xff, rand(256)][rand(11)] as number
          let ours: TxLayout | undefined
          let theirs: ReturnType<typeof decodeTx> | undefined
          try {
            theirs = decodeTx(m)
          } catch (e) {
            if (!(e instanceof MalformedTransaction)) throw e
          }
          try {
            ours = layoutOf(m)
          } catch (e) {
            if (!(e instanceof MalformedTransaction)) throw e
          }
          if (ours !== undefined && theirs === undefined) {
            // The reader takes the access list and the authorisations as spans: their interiors are read
            // by the steps that walk them (version 9), where a malformed entry makes the block invalid.
            const inside = [ours.accessList, ours.authorizations].some((sp) => at >= sp.offset && at < sp.offset + sp.size)
            expect(inside, `byte ${at} of a type-${raw[0]} transaction, accepted by the reader and not by decodeTx`).toBe(true)
            inLists++
            continue
          }
          expect(ours === undefined, `byte ${at} of a type-${raw[0]} transaction`).toBe(theirs === undefined)
          if (ours === undefined || theirs === undefined) {
            refused++
            continue
          }
          decoded++
          expect(signedHash(m, ours)).toEqual(theirs.signingHash)
          expect([ours.nonce, ours.gasLimit, ours.value, ours.r, ours.s, ours.recovery]).toEqual([
            theirs.nonce,
            theirs.gasLimit,
            theirs.value,
            theirs.r,
            theirs.s,
            theirs.recovery,
          ])
        }
      }
      expect(refused).toBeGreaterThan(100)
      expect(decoded).toBeGreaterThan(100)
      console.log(`tx-layout mutations: ${refused} refused by both, ${decoded} decoded by both, ${inLists} inside a list left to its steps`)
    })
  },
)

describe('the transaction read in bounded windows', () => {
  const key = bytes('4646464646464646464646464646464646464646464646464646464646464646')

  it('reads a 100 KB transaction with a long access list and many authorisations in four windows', () => {
    const common = commonFor('Prague', 1n)
    const tx = createEOACode7702Tx(
      {
        nonce: 7n,
        maxFeePerGas: 10n,
        maxPriorityFeePerGas: 1n,
        gasLimit: 16_000_000n,
        to: new Uint8Array(20).fill(2),
        data: new Uint8Array(100_000).map((_, i) => i % 7),
        accessList: Array.from({ length: 40 }, (_, i) => ({
          address: hex(`0x${(i + 1).toString(16).padStart(40, '0')}`),
          storageKeys: Array.from({ length: 30 }, (_, k) => hex(`0x${k.toString(16).padStart(64, '0')}`)),
        })),
        authorizationList: Array.from({ length: 50 }, (_, i) => ({
          chainId: hex('0x1'),
          address: hex(`0x${'3'.repeat(40)}`),
          nonce: hex(`0x${i.toString(16)}`),
          yParity: hex('0x1'),
          r: hex(`0x${'4'.repeat(64)}`),
          s: hex(`0x${'5'.repeat(64)}`),
        })),
      },
      { common },
    ).sign(key)
    const raw = tx.serialize()
    expect(raw.length).toBeGreaterThan(140_000)
    const l = layoutOf(raw)
    expect(l.reads.length).toBe(4)
    expect(l.reads.reduce((n, r) => n + r.size, 0)).toBeLessThanOrEqual(4 * TX_WINDOW)
    expect(signedHash(raw, l)).toEqual(tx.getHashedMessageToSign())
    expect(slice(raw, l.data)).toEqual(tx.data)
    expect(RLP.decode(raw.slice(l.authorizations.offset - 3, l.authorizations.offset + l.authorizations.size))).toHaveLength(50)
  })

  it('refuses what is not a transaction, and a field longer than its window', () => {
    for (const raw of [Uint8Array.of(0x02, 0xc0), Uint8Array.of(0x05, 0xc0), Uint8Array.of(0xc1), Uint8Array.of(0x02), new Uint8Array()])
      expect(() => layoutOf(raw)).toThrow(MalformedTransaction)
    // A type-2 transaction whose nonce is a 600-byte string: malformed, and never read past its window.
    const long = RLP.encode([Uint8Array.of(1), new Uint8Array(600).fill(1), ...Array.from({ length: 10 }, () => new Uint8Array())])
    expect(() => layoutOf(Uint8Array.of(2, ...long))).toThrow(MalformedTransaction)
    // Bytes after the payload, and a non-canonical length.
    const good = RLP.encode([Uint8Array.of(1), ...Array.from({ length: 11 }, () => new Uint8Array())])
    expect(() => layoutOf(Uint8Array.of(2, ...good, 0))).toThrow(MalformedTransaction)
    expect(() => layoutOf(Uint8Array.of(2, 0xf8, good.length - 1, ...good.subarray(1)))).toThrow(MalformedTransaction)
  })
})
