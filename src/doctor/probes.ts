import { StatusReport } from '../estate/status-report';
import { DoctorInput } from './input';

/**
 * Whom doctor asks about: every account the policies list or the ledger holds, plus a member that is not enrolled
 * yet, because what matters before the first rollout is whether the next member's trail will work.
 */
export const NEW_MEMBER = '123456789012';
/** The member template's default trail name: a trail's ARN is what CloudTrail sends as aws:SourceArn. */
export const MEMBER_TRAIL_NAME = 'organization-trail';

export function probeAccounts(report: StatusReport): string[] {
  const known = report.accounts.map((a) => a.accountId);
  return known.includes(NEW_MEMBER) ? known : [...known, NEW_MEMBER];
}

/** The prefixes members write under: the pinned one, else every one the bucket statement lists, else none. */
export function probePrefixes(input: DoctorInput, report: StatusReport): string[] {
  if (input.targets.prefix !== undefined) return [input.targets.prefix];
  const listed = [...new Set(report.accounts.flatMap((a) => a.bucketPrefixes))];
  return listed.length > 0 ? listed : [''];
}

export function accountLabel(accountId: string): string {
  return accountId === NEW_MEMBER ? 'a member not enrolled yet' : accountId;
}
