import { type FuzzTask, fuzzOne } from './fuzz-block.ts'

// A child process of `stepproof fuzz` (see worker-pool.ts): one random block per message, in turn.
const send = (message: unknown) => process.send?.(message)
process.on('message', async (task: FuzzTask) => send(await fuzzOne(task)))
process.on('disconnect', () => process.exit(0))
send('ready')
