export * from './comparison.ts'
export * from './mips-blocks.ts'
