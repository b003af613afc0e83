import { isAbort } from '../abortable';
import { KeyRef } from '../core/arns';
import { OperatorError } from '../core/errors';
import { AccountStatus, StatusReport } from '../estate/status-report';
import { LedgerSnapshot } from '../ledger/model';
import { isoTime } from './cloudtrail-names';
import { DeliveryFinding, DeliveryRun, headline, summarise } from './delivery-status';
import { deliveryPlaces } from './places';
import { LogObjectReader } from './ports';
import { checkDeliveries, DeliveryCheckOptions } from './run-checks';
import { hoursToMs } from './threshold';

export interface EstateDeliveryOptions extends Omit<DeliveryCheckOptions, 'silentAfterMs' | 'trailKey'> {
  silentAfterHours: number;
}

/**
 * The delivery check of every enrolled account in the report (SPEC R35): the places from the policies and the
 * ledger, each checked against the trail key. The same for `status --delivery` and the scheduled check.
 */
export async function checkEstateDelivery(report: StatusReport, ledger: LedgerSnapshot | undefined, trailKey: KeyRef, reader: LogObjectReader, options: EstateDeliveryOptions): Promise<{ findings: DeliveryFinding[]; run: DeliveryRun }> {
  const places = deliveryPlaces(report, ledger, trailKey.region);
  const findings = await checkDeliveries(places, reader, { ...options, trailKey, silentAfterMs: hoursToMs(options.silentAfterHours) });
  return { findings, run: summarise(findings, isoTime(options.now), options.silentAfterHours) };
}

/** The report with each checked account's findings (its most pressing one as `delivery`) and the run's counts. */
export function withDelivery(report: StatusReport, findings: readonly DeliveryFinding[], run: DeliveryRun): StatusReport {
  const byAccount = new Map<string, DeliveryFinding[]>();
  for (const f of findings) (byAccount.get(f.accountId) ?? byAccount.set(f.accountId, []).get(f.accountId)!).push(f);
  const accounts = report.accounts.map((account): AccountStatus => {
    const statuses = (byAccount.get(account.accountId) ?? []).map((f) => f.status);
    const first = headline(statuses);
    if (!first) return account;
    return { ...account, delivery: first, ...(statuses.length > 1 ? { deliveries: statuses } : {}) };
  });
  return { ...report, accounts, delivery: run };
}

/** A failed listing or HeadObject as a finding's reason: the operator sentence, or what ran out of time. */
export function findingReason(error: unknown, outOfTime: string): string {
  if (isAbort(error)) return outOfTime;
  if (error instanceof OperatorError) return error.message;
  const e = error as Error | undefined;
  return `Reading the account's log folders failed unexpectedly (${e?.name ?? 'Error'}: ${String(e?.message ?? error).replace(/\s+/g, ' ').slice(0, 200)}); run the check again.`;
}
