import { BucketEntry, KeyEntry, LedgerSnapshot } from './model';

/**
 * SPEC R28: which adopted entries can be handed over to their holders. An adopted entry is never removed by a
 * Delete; once handed over (recorded as written by the function) the last holder's Delete removes it. Entries
 * that no stack holds stay adopted: handing them to nobody would remove them at the next projection.
 */
export interface HandoverPlan {
  bucketEntries: BucketEntry[];
  keyEntries: KeyEntry[];
  /** Adopted entries of the selected accounts that no stack holds. */
  notHeld: Array<BucketEntry | KeyEntry>;
}

export function handoverPlan(ledger: LedgerSnapshot, accounts: ReadonlySet<string> | 'all'): HandoverPlan {
  const selected = (accountId: string) => accounts === 'all' || accounts.has(accountId);
  const plan: HandoverPlan = { bucketEntries: [], keyEntries: [], notHeld: [] };
  for (const entry of ledger.bucketEntries) {
    if (entry.origin !== 'adopted' || !selected(entry.accountId)) continue;
    const held = ledger.holdings.some((h) => h.accountId === entry.accountId && h.bucketName === entry.bucketName && h.logFilePrefix === entry.logFilePrefix);
    if (held) plan.bucketEntries.push({ ...entry, origin: 'written' });
    else plan.notHeld.push(entry);
  }
  for (const entry of ledger.keyEntries) {
    if (entry.origin !== 'adopted' || !selected(entry.accountId)) continue;
    const held = ledger.holdings.some((h) => h.accountId === entry.accountId && h.keyArn === entry.keyArn);
    if (held) plan.keyEntries.push({ ...entry, origin: 'written' });
    else plan.notHeld.push(entry);
  }
  return plan;
}
