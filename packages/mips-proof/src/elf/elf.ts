import { InputError } from '@stepproof/block-traces'

/** A loadable segment of an ELF file. */
export interface Segment {
  type: number
  vaddr: number
  memSize: number
  data: Uint8Array
}

/** A symbol of the ELF symbol table. */
export interface ElfSymbol {
  name: string
  value: number
  size: number
}

/** What the VM needs from an ELF: its entry point, segments and symbols. */
export interface Elf {
  entry: number
  segments: Segment[]
  symbols: ElfSymbol[]
}

const PT_LOAD = 1
const PT_DYNAMIC = 2
const PT_INTERP = 3
const SHT_SYMTAB = 2
const EM_MIPS = 8

/**
 * Parses a static 32-bit big-endian MIPS executable. Anything else (not ELF, 64-bit, little-endian,
 * another machine, dynamically linked, truncated) is refused with an error that says which.
 */
export function parseElf(bytes: Uint8Array, where = 'ELF'): Elf {
  const fail = (why: string): never => {
    throw new InputError(
      `${where}: ${why}; expected a static 32-bit big-endian MIPS executable (GOARCH=mips, or mips-linux-gnu-gcc -static)`,
    )
  }
  if (bytes.length < 52) fail(`truncated (${bytes.length} bytes, shorter than an ELF header)`)
  if (bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) fail('not an ELF file')
  if (bytes[4] !== 1) fail(bytes[4] === 2 ? 'a 64-bit ELF' : `unknown ELF class ${bytes[4]}`)
  if (bytes[5] !== 2) fail(bytes[5] === 1 ? 'a little-endian ELF' : `unknown ELF data encoding ${bytes[5]}`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const u16 = (o: number) => view.getUint16(o)
  const u32 = (o: number) => view.getUint32(o)
  const machine = u16(18)
  if (machine !== EM_MIPS) fail(`ELF machine ${machine}, not MIPS (8)`)
  const entry = u32(24)
  const phoff = u32(28)
  const shoff = u32(32)
  const phentsize = u16(42)
  const phnum = u16(44)
  const shentsize = u16(46)
  const shnum = u16(48)
  if (phoff + phnum * phentsize > bytes.length) fail('truncated (program headers run past the end of the file)')

  const segments: Segment[] = []
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize
    const type = u32(o)
    if (type === PT_INTERP || type === PT_DYNAMIC) fail('a dynamically linked executable')
    if (type !== PT_LOAD) continue
    const offset = u32(o + 4)
    const vaddr = u32(o + 8)
    const fileSize = u32(o + 16)
    const memSize = u32(o + 20)
    if (offset + fileSize > bytes.length) fail(`truncated (segment ${i} runs past the end of the file)`)
    if (fileSize > memSize) fail(`segment ${i} has file size ${fileSize} > memory size ${memSize}`)
    if (vaddr + memSize > 2 ** 32) fail(`segment ${i} runs past the 32-bit address space`)
    segments.push({ type, vaddr, memSize, data: bytes.subarray(offset, offset + fileSize) })
  }
  if (segments.length === 0) fail('no loadable segment')

  const symbols: ElfSymbol[] = []
  if (shoff !== 0 && shoff + shnum * shentsize <= bytes.length) {
    for (let i = 0; i < shnum; i++) {
      const o = shoff + i * shentsize
      if (u32(o + 4) !== SHT_SYMTAB) continue
      const symOff = u32(o + 16)
      const symSize = u32(o + 20)
      const strSection = shoff + u32(o + 24) * shentsize
      const strOff = u32(strSection + 16)
      for (let p = symOff; p + 16 <= symOff + symSize; p += 16) {
        const nameOff = u32(p)
        let end = strOff + nameOff
        while (end < bytes.length && bytes[end] !== 0) end++
        const name = Buffer.from(bytes.subarray(strOff + nameOff, end)).toString('latin1')
        if (name !== '') symbols.push({ name, value: u32(p + 4), size: u32(p + 8) })
      }
    }
  }
  return { entry, segments, symbols }
}
