/**
 * Generates one assembly program that runs every integer MIPS32 instruction form the VM supports
 * over edge values and writes each result word to stdout, with the description of every word,
 * so a difference from qemu-mips names the exact instruction and operands.
 */

const VALUES = [0, 1, 0xffffffff, 2, 0x7fffffff, 0x80000000, 0x12345678, 0xfedcba98, 31, 32, 0x8000, 0xffff]
const IMMEDIATES = [0, 1, 0x7fff, 0x8000, 0xffff, 0x1234]
const SHAMTS = [0, 1, 7, 16, 31]
const hex = (v: number) => `0x${(v >>> 0).toString(16)}`

/** The program text and, for every result word, what produced it. */
export interface InstructionSuite {
  source: string
  words: string[]
}

/** Whether a + b or a - b overflows as signed 32-bit (qemu traps; Cannon wraps). */
function overflows(a: number, b: number, op: 'add' | 'sub'): boolean {
  const r = op === 'add' ? (a | 0) + (b | 0) : (a | 0) - (b | 0)
  return r > 0x7fffffff || r < -0x80000000
}

/** Builds the suite. */
export function instructionSuite(): InstructionSuite {
  const lines: string[] = []
  const words: string[] = []
  let label = 0
  const li = (reg: string, v: number) => lines.push(`  lui ${reg}, ${hex(v >>> 16)}`, `  ori ${reg}, ${reg}, ${hex(v & 0xffff)}`)
  const store = (reg: string, what: string) => {
    lines.push(`  sw ${reg}, 0($16)`, '  addiu $16, $16, 4')
    words.push(what)
  }
  const pairs = VALUES.flatMap((a) => VALUES.map((b) => [a, b] as const))

  for (const op of ['addu', 'subu', 'and', 'or', 'xor', 'nor', 'slt', 'sltu', 'sllv', 'srlv', 'srav', 'add', 'sub']) {
    for (const [a, b] of pairs) {
      if ((op === 'add' || op === 'sub') && overflows(a, b, op)) continue
      li('$8', a)
      li('$9', b)
      lines.push(`  ${op} $10, $8, $9`)
      store('$10', `${op} ${hex(a)}, ${hex(b)}`)
    }
  }
  for (const [a, b] of pairs) {
    li('$8', a)
    li('$9', b)
    lines.push('  mul $10, $8, $9')
    store('$10', `mul ${hex(a)}, ${hex(b)}`)
    for (const op of ['mult', 'multu', ...(b === 0 ? [] : ['divu', ...(a === 0x80000000 && b === 0xffffffff ? [] : ['div'])])]) {
      // `div $0, rs, rt` is the bare instruction; `div rs, rt` is an assembler macro with a zero check.
      lines.push(op.startsWith('div') ? `  ${op} $0, $8, $9` : `  ${op} $8, $9`, '  mfhi $10', '  mflo $11')
      store('$10', `${op} ${hex(a)}, ${hex(b)}: hi`)
      store('$11', `${op} ${hex(a)}, ${hex(b)}: lo`)
    }
    lines.push('  move $10, $0', '  movz $10, $8, $9')
    store('$10', `movz ${hex(a)} if ${hex(b)} == 0`)
    lines.push('  move $10, $0', '  movn $10, $8, $9')
    store('$10', `movn ${hex(a)} if ${hex(b)} != 0`)
  }
  for (const a of VALUES) {
    li('$8', a)
    for (const op of ['clz', 'clo']) {
      lines.push(`  ${op} $10, $8`)
      store('$10', `${op} ${hex(a)}`)
    }
    for (const op of ['sll', 'srl', 'sra']) {
      for (const sa of SHAMTS) {
        lines.push(`  ${op} $10, $8, ${sa}`)
        store('$10', `${op} ${hex(a)}, ${sa}`)
      }
    }
    for (const imm of IMMEDIATES) {
      const simm = (imm << 16) >> 16
      for (const op of ['addiu', 'slti', 'sltiu', 'andi', 'ori', 'xori', ...(overflows(a, simm, 'add') ? [] : ['addi'])]) {
        const operand = op === 'andi' || op === 'ori' || op === 'xori' ? imm : simm
        lines.push(`  ${op} $10, $8, ${operand}`)
        store('$10', `${op} ${hex(a)}, ${operand}`)
      }
    }
    lines.push('  mthi $8', '  mtlo $8', '  mfhi $10', '  mflo $11')
    store('$10', `mthi/mfhi ${hex(a)}`)
    store('$11', `mtlo/mflo ${hex(a)}`)
  }
  for (const imm of IMMEDIATES) {
    lines.push(`  lui $10, ${imm}`)
    store('$10', `lui ${hex(imm)}`)
  }

  // Loads and stores at every byte offset of a word, with sign extension.
  const pattern = [0x80ff7f01, 0xfedcba98, 0x01234567, 0x7f8081ff]
  const resetBuffer = () => {
    lines.push('  lui $17, %hi(buf)', '  addiu $17, $17, %lo(buf)')
    pattern.forEach((w, i) => {
      li('$12', w)
      lines.push(`  sw $12, ${4 * i}($17)`)
    })
  }
  for (let off = 0; off < 4; off++) {
    resetBuffer()
    li('$9', 0xa1b2c3d4)
    for (const op of ['lb', 'lbu', 'lw', 'lwl', 'lwr', ...(off % 2 === 0 ? ['lh', 'lhu'] : [])]) {
      const base = op === 'lw' ? 4 : 4 + off
      if (op === 'lwl' || op === 'lwr') li('$10', 0x55aa55aa)
      lines.push(`  ${op} $10, ${base}($17)`)
      store('$10', `${op} at buf+${base}`)
    }
    for (const op of ['sb', 'swl', 'swr', ...(off % 2 === 0 ? ['sh'] : [])]) {
      resetBuffer()
      li('$9', 0xa1b2c3d4)
      lines.push(`  ${op} $9, ${4 + off}($17)`, '  lw $10, 4($17)', '  lw $11, 8($17)')
      store('$10', `${op} at buf+${4 + off}: word 1`)
      store('$11', `${op} at buf+${4 + off}: word 2`)
    }
  }
  resetBuffer()
  li('$9', 0x5eed)
  lines.push('  ll $10, 0($17)', '  sc $9, 0($17)', '  lw $11, 0($17)')
  store('$10', 'll value')
  store('$9', 'sc success flag')
  store('$11', 'word after sc')
  lines.push('  sync')

  // Branches, taken and not, with their delay slots.
  for (const a of [0, 1, 0xffffffff, 0x80000000, 0x7fffffff]) {
    for (const [op, withRt] of [
      ['beq', true],
      ['bne', true],
      ['blez', false],
      ['bgtz', false],
      ['bltz', false],
      ['bgez', false],
    ] as const) {
      const taken = `L${label++}`
      const done = `L${label++}`
      li('$8', a)
      li('$9', 1)
      lines.push('  move $10, $0', '  move $11, $0')
      lines.push(withRt ? `  ${op} $8, $9, ${taken}` : `  ${op} $8, ${taken}`, '  addiu $11, $11, 1')
      lines.push(`  b ${done}`, '  nop', `${taken}:`, '  addiu $10, $10, 1', `${done}:`)
      store('$10', `${op} ${hex(a)}${withRt ? ', 1' : ''}: taken`)
      store('$11', `${op} ${hex(a)}: delay slot ran`)
    }
  }
  // Calls: jal, jalr and jr, with the link addresses they leave.
  const fn = `L${label++}`
  const after = `L${label++}`
  lines.push(
    `  jal ${fn}`,
    '  addiu $12, $0, 9',
    `  b ${after}`,
    '  nop',
    `${fn}:`,
    '  move $13, $31',
    '  jr $31',
    '  addiu $12, $12, 1',
    `${after}:`,
  )
  store('$12', 'jal/jr: delay slots ran')
  store('$13', 'jal link address')
  const fn2 = `L${label++}`
  const after2 = `L${label++}`
  lines.push(`  lui $14, %hi(${fn2})`, `  addiu $14, $14, %lo(${fn2})`, '  jalr $15, $14', '  nop', `  b ${after2}`, '  nop')
  lines.push(`${fn2}:`, '  move $13, $15', '  jr $15', '  nop', `${after2}:`)
  store('$13', 'jalr target saw its link')
  store('$15', 'jalr link address')

  const source = [
    '# Generated by packages/mips-proof/test/instruction-suite.ts; do not edit.',
    '  .set noreorder',
    '  .set noat',
    '  .text',
    '  .globl __start',
    '__start:',
    '  lui $16, %hi(results)',
    '  addiu $16, $16, %lo(results)',
    ...lines,
    '  lui $5, %hi(results)',
    '  addiu $5, $5, %lo(results)',
    '  subu $6, $16, $5',
    '  li $4, 1',
    '  li $2, 4004',
    '  syscall',
    '  move $4, $0',
    '  li $2, 4246',
    '  syscall',
    '  .data',
    '  .align 4',
    'buf: .space 64',
    `results: .space ${words.length * 4}`,
    '',
  ].join('\n')
  return { source, words }
}
