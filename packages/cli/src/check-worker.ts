import type { BlockItem } from './block-input.ts'
import { checkTraceBlock } from './check-block.ts'

// A child process of `stepproof check` (see worker-pool.ts): checks one block per message, in turn.
const send = (message: unknown) => process.send?.(message)
process.on('message', async (item: BlockItem) => send(await checkTraceBlock(item)))
process.on('disconnect', () => process.exit(0))
send('ready')
