/**
 * keccak256 as the checker computes it: hash-wasm's WebAssembly build (its own instance, not the
 * generator's), several times faster than a JavaScript keccak on the 64- to 448-byte inputs of the
 * Merkle paths and layouts that are most of a step's checking. Synchronous and never re-entered, so
 * one instance serves every call. Held to @noble/hashes's keccak_256 by test/sponge.test.ts.
 */
import { createKeccak } from 'hash-wasm'

const hasher = await createKeccak(256)

/** keccak256 of the concatenation of `parts`. */
export function keccak256(...parts: readonly Uint8Array[]): Uint8Array {
  hasher.init()
  // One update of the parts joined costs less than one a part (each crosses into WebAssembly).
  if (parts.length === 1) hasher.update(parts[0] as Uint8Array)
  else {
    const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
    let at = 0
    for (const p of parts) {
      all.set(p, at)
      at += p.length
    }
    hasher.update(all)
  }
  return hasher.digest('binary')
}
