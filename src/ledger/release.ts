import { Holding, LedgerSnapshot } from './model';

/**
 * Which holdings an operator releases by hand: every holding of the named accounts (a closed account, whose stack
 * instances can no longer be deleted) and every holding of the named stacks (a stack deleted with its enrollment
 * retained). The next projection then removes what the function wrote and no stack holds any more. Pure.
 */
export function releasePlan(ledger: LedgerSnapshot, selection: { accounts: ReadonlySet<string>; holders: ReadonlySet<string> }): Holding[] {
  return ledger.holdings.filter((h) => selection.accounts.has(h.accountId) || selection.holders.has(h.stackId));
}
