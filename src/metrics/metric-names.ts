/**
 * The metrics every request, reconcile and delivery check records (SPEC R36): one namespace, one dimension set
 * ([Deployment]), these names and units. The alarms and the dashboard in template.yaml name only these.
 */
export const METRICS_NAMESPACE = 'CloudTrailEnrollment';
export const DEPLOYMENT_DIMENSION = 'Deployment';

export const METRIC_UNITS = {
  // per request
  RequestsSucceeded: 'Count',
  RequestsFailed: 'Count',
  EntriesAdded: 'Count',
  EntriesRemoved: 'Count',
  EntriesRefused: 'Count',
  LeaseWaitMilliseconds: 'Milliseconds',
  // per projection
  PolicyWrites: 'Count',
  BucketPolicyBytes: 'Bytes',
  KeyPolicyBytes: 'Bytes',
  PolicyCapacityUsedPercent: 'Percent',
  EnrolledAccounts: 'Count',
  DriftRepaired: 'Count',
  // per reconcile
  ReconcileSucceeded: 'Count',
  ReconcileFailed: 'Count',
  // per delivery check
  DeliveryChecked: 'Count',
  /** 1 when a scheduled delivery check could not run (settings, policies or ledger unreadable), else 0. */
  DeliveryCheckFailed: 'Count',
  SilentAccounts: 'Count',
  UnencryptedDeliveries: 'Count',
} as const;

export type MetricName = keyof typeof METRIC_UNITS;
export type MetricUnit = (typeof METRIC_UNITS)[MetricName];

export const METRIC_NAMES = Object.keys(METRIC_UNITS) as MetricName[];
