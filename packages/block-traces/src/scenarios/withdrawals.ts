/**
 * Withdrawals for ethereumjs's block builder. ethereumjs 10.1.3's `buildBlock` skips a withdrawal of
 * zero gwei ("should never happen"), while execution-specs (`process_withdrawal`: credit, then destroy
 * the recipient if it exists and is empty), go-ethereum (the credit touches the account, and an empty
 * touched account is deleted) and ethereumjs's own `runBlock` all process it: a zero withdrawal to an
 * existing empty account deletes the account. A block sealed by the builder then has a state root no
 * client reaches. `settleZeroWithdrawals` does what the builder leaves out, before it credits the rest.
 */
import type { Address } from '@ethereumjs/util'
import type { VM } from '@ethereumjs/vm'

export interface WithdrawalInput {
  index: bigint
  validatorIndex: bigint
  address: Address
  /** In gwei. */
  amount: bigint
}

/** Deletes each existing empty account that a zero withdrawal reaches before any withdrawal credits it. */
export async function settleZeroWithdrawals(vm: VM, withdrawals: readonly WithdrawalInput[]): Promise<void> {
  const credited = new Set<string>()
  for (const w of withdrawals) {
    const key = w.address.toString()
    if (w.amount > 0n) credited.add(key)
    else if (!credited.has(key)) {
      const account = await vm.stateManager.getAccount(w.address)
      if (account?.isEmpty()) await vm.stateManager.deleteAccount(w.address)
    }
  }
}
