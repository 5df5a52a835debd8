import { type VerdictTask, verdictsOfBlock } from './verdicts-block.ts'

// A child process of `stepproof verdicts` (see worker-pool.ts): one block per message, in turn.
const send = (message: unknown) => process.send?.(message)
process.on('message', async (task: VerdictTask) => send(await verdictsOfBlock(task)))
process.on('disconnect', () => process.exit(0))
send('ready')
