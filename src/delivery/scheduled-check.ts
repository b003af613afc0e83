import { awsLedgerStore } from '../aws/aws-ledger';
import { awsLogObjects } from '../aws/aws-log-objects';
import { awsPolicyStore } from '../aws/aws-policy-store';
import { readSettings } from '../config/settings';
import { fail } from '../core/errors';
import { readEstate } from '../estate/read-estate';
import { buildStatusReport, StatusTargets } from '../estate/status-report';
import { failureReason, Run } from '../lifecycle/run';
import { LedgerStore, PolicyStore } from '../lifecycle/ports';
import { log } from '../log';
import { DeliveryFinding, DeliveryState } from './delivery-status';
import { checkEstateDelivery, findingReason } from './estate-delivery';
import { LogObjectReader } from './ports';
import { parseSilentAfterHours } from './threshold';

type Env = Record<string, string | undefined>;

export interface DeliveryDependencies {
  env: Env;
  policyStore(region: string, forcePathStyle: boolean): PolicyStore;
  ledgerStore(tableName: string): LedgerStore;
  logObjects(bucketName: string, region: string, forcePathStyle: boolean): LogObjectReader;
  now(): number;
}

export const awsDeliveryDependencies: DeliveryDependencies = {
  env: process.env,
  policyStore: awsPolicyStore,
  // The ledger table lives in the function's own region (Lambda sets AWS_REGION).
  ledgerStore: (tableName) => awsLedgerStore(tableName, process.env.AWS_REGION ?? 'us-east-1'),
  logObjects: awsLogObjects,
  now: () => Date.now(),
};

/** The check stops reading this long before the deadline, so its lines and metrics are written in time. */
function stopMarginMs(remainingMs: number): number {
  return Math.min(5000, Math.max(1000, remainingMs * 0.1));
}

const OUT_OF_TIME = "The check ran out of time before it read this account's folders; raise the delivery check function's timeout if it happens again.";

const MESSAGES: Record<Exclude<DeliveryState, 'delivering'>, string> = {
  silent: "an enrolled account's trail is silent: no recent digest file in the bucket",
  unencrypted: "an enrolled account's newest log file is not encrypted with the trail key",
  unknown: "an enrolled account's delivery could not be checked",
};

/**
 * SPEC R35, R36: the scheduled delivery check ({"check": "delivery"}). Reads both policies and the ledger like
 * `status`, checks every enrolled account's home regions, logs one line per account and region that is not
 * delivering and one summary line, and records DeliveryChecked, SilentAccounts and UnencryptedDeliveries.
 */
export async function checkDeliveryOnSchedule(run: Run, deps: DeliveryDependencies = awsDeliveryDependencies): Promise<void> {
  const started = deps.now();
  const stop = setTimeout(() => run.expire(), Math.max(0, run.deadline - stopMarginMs(run.deadline - Date.now()) - Date.now()));
  try {
    const findings = await deliveryFindings(run, deps, started);
    for (const f of findings) {
      if (f.status.state === 'delivering') continue;
      const fields = { accountId: f.accountId, ...f.status };
      if (f.status.state === 'unknown') log.error(MESSAGES.unknown, fields);
      else log.warn(MESSAGES[f.status.state], fields);
    }
    const count = (state: DeliveryState) => findings.filter((f) => f.status.state === state).length;
    const silentAccounts = new Set(findings.filter((f) => f.status.state === 'silent').map((f) => f.accountId)).size;
    run.metrics.add('DeliveryCheckFailed', 0);
    run.metrics.add('DeliveryChecked', findings.length);
    run.metrics.add('SilentAccounts', silentAccounts);
    run.metrics.add('UnencryptedDeliveries', count('unencrypted'));
    log.info('delivery checked', {
      accounts: new Set(findings.map((f) => f.accountId)).size,
      checked: findings.length,
      delivering: count('delivering'),
      silent: count('silent'),
      silentAccounts,
      unencrypted: count('unencrypted'),
      unknown: count('unknown'),
      s3Requests: findings.reduce((sum, f) => sum + f.requests, 0),
      durationMs: deps.now() - started,
      outOfTime: run.expired,
    });
  } catch (error) {
    // Counted, so an alarm hears of a check that keeps failing rather than of silence (R36).
    run.metrics.add('DeliveryCheckFailed', 1);
    log.error('the delivery check failed; the next scheduled run tries again', { step: run.step, reason: failureReason(error, run) });
  } finally {
    clearTimeout(stop);
    run.metrics.flush();
  }
}

async function deliveryFindings(run: Run, deps: DeliveryDependencies, now: number): Promise<DeliveryFinding[]> {
  run.enter('validating the settings');
  const settings = readSettings(deps.env);
  const bucketName = settings.pinnedBucketName;
  const key = settings.pinnedKey;
  if (!bucketName || !key) fail("The delivery check needs the function settings TRAIL_BUCKET_NAME and TRAIL_KEY_ARN, the bucket whose log folders it reads and the key the logs must be encrypted with; set both in the deployment.");
  const silentAfterHours = parseSilentAfterHours(deps.env.DELIVERY_SILENT_AFTER_HOURS, 'The function setting DELIVERY_SILENT_AFTER_HOURS');
  const targets: StatusTargets = { bucketName, key, ...(settings.pinnedLogFilePrefix !== undefined ? { prefix: settings.pinnedLogFilePrefix } : {}), bucketSid: settings.bucketPolicySid, keySid: settings.keyPolicySid };

  run.enter('reading the bucket policy, the key policy and the ledger');
  const ledger = settings.ledgerTableName ? deps.ledgerStore(settings.ledgerTableName) : undefined;
  const [estate, snapshot] = await Promise.all([readEstate(targets, deps.policyStore(key.region, settings.s3ForcePathStyle), run.signal), ledger?.readSnapshot(run.signal)]);
  const report = buildStatusReport(targets, estate, snapshot);

  run.enter('checking the log folders of the enrolled accounts');
  const reader = deps.logObjects(bucketName, key.region, settings.s3ForcePathStyle);
  const { findings } = await checkEstateDelivery(report, snapshot, key, reader, { now, silentAfterHours, signal: run.signal, explain: (error) => findingReason(error, OUT_OF_TIME) });
  return findings;
}

/** The constant input of the delivery check's schedule (template.yaml). */
export function isDeliveryCheckEvent(event: unknown): boolean {
  return (event as { check?: unknown } | null)?.check === 'delivery';
}
