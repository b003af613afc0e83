import { regionOfStackId } from '../core/arns';
import { StatusReport } from '../estate/status-report';
import { LedgerSnapshot } from '../ledger/model';
import { DeliveryPlace } from './cloudtrail-names';

/**
 * Where to look for each enrolled account's files (SPEC R35). Enrolled: both policies admit the account, as
 * `status` reads them. Each entry (account, prefix) is looked for in the home region of every stack that holds
 * it, the region of its StackId; an entry no stack holds, in the key's region. The ledger says which entries
 * an account has; for an account the ledger does not know, the prefixes the bucket policy lists it under are
 * its entries. Pure.
 */
export function deliveryPlaces(report: StatusReport, ledger: LedgerSnapshot | undefined, keyRegion: string): DeliveryPlace[] {
  const holdings = groupByAccount((ledger?.holdings ?? []).filter((h) => h.bucketName === report.bucket));
  const entries = groupByAccount((ledger?.bucketEntries ?? []).filter((e) => e.bucketName === report.bucket));
  const places: DeliveryPlace[] = [];
  for (const account of report.accounts) {
    if (!account.inBucketPolicy || !account.inKeyPolicy) continue;
    const { accountId } = account;
    const held = holdings.get(accountId) ?? [];
    const recorded = entries.get(accountId) ?? [];
    const regions = new Map<string, Set<string>>();
    const add = (prefix: string, region: string) => (regions.get(prefix) ?? regions.set(prefix, new Set()).get(prefix)!).add(region);
    for (const h of held) add(h.logFilePrefix, regionOfStackId(h.stackId) ?? keyRegion);
    for (const e of recorded) if (!regions.has(e.logFilePrefix)) add(e.logFilePrefix, keyRegion);
    if (held.length === 0 && recorded.length === 0) for (const prefix of account.bucketPrefixes) add(prefix, keyRegion);
    for (const [logFilePrefix, inRegions] of regions) for (const region of [...inRegions].sort()) places.push({ accountId, logFilePrefix, region });
  }
  return places;
}

function groupByAccount<T extends { accountId: string }>(items: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) (groups.get(item.accountId) ?? groups.set(item.accountId, []).get(item.accountId)!).push(item);
  return groups;
}
