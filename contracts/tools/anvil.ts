import { type ChildProcess, spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { type Abi, type Address, createPublicClient, createWalletClient, type Hex, http, type PublicClient, type WalletClient } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { foundry } from 'viem/chains'
import { artifact, foundryBin } from './index.ts'

/** Anvil's first default account (a public test key; never holds real value). */
const ANVIL_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'

/** A running local Anvil node with clients bound to it. */
export interface Anvil {
  url: string
  publicClient: PublicClient
  walletClient: WalletClient
  account: Address
  stop(): Promise<void>
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port
      server.close(() => resolve(port))
    })
    server.on('error', reject)
  })
}

/** Starts Anvil on a free loopback port (a gas limit high enough for any step) and waits until it answers. */
export async function startAnvil(): Promise<Anvil> {
  const port = await freePort()
  const proc: ChildProcess = spawn(
    foundryBin('anvil'),
    ['--port', String(port), '--host', '127.0.0.1', '--gas-limit', '1000000000', '--code-size-limit', '24576', '--silent'],
    {
      stdio: 'ignore',
    },
  )
  const url = `http://127.0.0.1:${port}`
  const account = privateKeyToAccount(ANVIL_KEY)
  const chain = { ...foundry, rpcUrls: { default: { http: [url] } } }
  const publicClient = createPublicClient({ chain, transport: http(url) })
  const walletClient = createWalletClient({ chain, transport: http(url), account })
  const deadline = Date.now() + 20_000
  for (;;) {
    try {
      await publicClient.getChainId()
      break
    } catch {
      if (Date.now() > deadline || proc.exitCode !== null) {
        proc.kill()
        throw new Error(`anvil did not start on ${url}`)
      }
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  return {
    url,
    publicClient: publicClient as PublicClient,
    walletClient,
    account: account.address,
    stop: () =>
      new Promise<void>((resolve) => {
        proc.once('exit', () => resolve())
        proc.kill()
      }),
  }
}

/** Deploys a compiled contract and returns its address. */
export async function deploy(anvil: Anvil, file: string, contract: string, args: unknown[] = []): Promise<Address> {
  const art = artifact(file, contract)
  const hash = await anvil.walletClient.deployContract({
    abi: art.abi as Abi,
    bytecode: art.bytecode as Hex,
    args,
    account: anvil.walletClient.account ?? null,
    chain: anvil.walletClient.chain ?? null,
  })
  const receipt = await anvil.publicClient.waitForTransactionReceipt({ hash })
  if (receipt.contractAddress === null || receipt.contractAddress === undefined) throw new Error(`deploying ${contract} failed`)
  return receipt.contractAddress
}
