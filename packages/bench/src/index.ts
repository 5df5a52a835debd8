export * from './comparison.ts'
