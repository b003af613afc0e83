/** What the delivery check says of one account in one home region (SPEC R35), as the CLI's --json shows it. */
export type DeliveryState = 'delivering' | 'silent' | 'unencrypted' | 'unknown';

export interface DeliveryStatus {
  region: string;
  /** The log file prefix the check read under ('' for none). */
  prefix: string;
  /** The time in the newest digest file's name (ISO 8601, UTC); null when there is none. */
  latestDigestAt: string | null;
  /** The time in the newest log file's name; null when there is none. */
  latestLogAt: string | null;
  /** Whether that log file is SSE-KMS under the trail key; null when there is no log file or it could not be told. */
  logEncryptedWithTrailKey: boolean | null;
  state: DeliveryState;
  /** Why the state is not plainly `delivering`, as a sentence. */
  reason?: string;
}

/** One check's outcome for one account. */
export interface DeliveryFinding {
  accountId: string;
  status: DeliveryStatus;
  /** S3 requests the check made (retries of transient errors not counted). */
  requests: number;
}

/** The run as a whole: when, with which threshold, how many findings of each state. */
export interface DeliveryRun {
  checkedAt: string;
  silentAfterHours: number;
  checked: number;
  delivering: number;
  silent: number;
  unencrypted: number;
  unknown: number;
}

/** Most pressing first: the state an account with several home regions shows. */
const SEVERITY: readonly DeliveryState[] = ['silent', 'unencrypted', 'unknown', 'delivering'];

/** The most pressing of an account's findings (the first of equals). */
export function headline(statuses: readonly DeliveryStatus[]): DeliveryStatus | undefined {
  return [...statuses].sort((a, b) => SEVERITY.indexOf(a.state) - SEVERITY.indexOf(b.state))[0];
}

export function summarise(findings: readonly DeliveryFinding[], checkedAt: string, silentAfterHours: number): DeliveryRun {
  const count = (state: DeliveryState) => findings.filter((f) => f.status.state === state).length;
  return { checkedAt, silentAfterHours, checked: findings.length, delivering: count('delivering'), silent: count('silent'), unencrypted: count('unencrypted'), unknown: count('unknown') };
}

/** Silent or unencrypted: the states that fail `status --delivery` and raise the alarms. */
export function isAlarming(state: DeliveryState): boolean {
  return state === 'silent' || state === 'unencrypted';
}
