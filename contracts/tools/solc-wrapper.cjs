// Presents the pinned solc-js (npm `solc`) with the two commandline calls forge makes of a native solc.
'use strict'
const solc = require('solc')

const args = process.argv.slice(2)
if (args.includes('--version')) {
  // forge parses the second line; the commit hash is the one solc-js reports for this release.
  process.stdout.write(
    `solc, the solidity compiler commandline interface\nVersion: ${solc.version().replace('.Emscripten.clang', '.Linux.g++')}\n`,
  )
  process.exit(0)
}
if (!args.includes('--standard-json')) {
  process.stderr.write(`solc wrapper: only --version and --standard-json are supported, got: ${args.join(' ')}\n`)
  process.exit(2)
}
const chunks = []
process.stdin.on('data', (c) => chunks.push(c))
process.stdin.on('end', () => {
  const out = solc.compile(Buffer.concat(chunks).toString('utf8'))
  // Flush before exiting, or forge reads a truncated answer.
  process.stdout.write(out, () => process.exit(0))
})
