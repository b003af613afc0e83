import { awsLogObjects } from '../aws/aws-log-objects';
import { rewordAwsError } from '../aws/aws-errors';
import { s3ForcePathStyle } from '../config/settings';
import { checkEstateDelivery, findingReason, withDelivery } from '../delivery/estate-delivery';
import { StatusReport, StatusTargets } from '../estate/status-report';
import { LedgerSnapshot } from '../ledger/model';
import { StatusArgs } from './args';
import { CLI_SETTINGS, cliAwsWording, targetSources } from './wording';

type Env = Record<string, string | undefined>;

/**
 * status --delivery (SPEC R35): the report with every enrolled account's delivery. While it runs, a progress line
 * on stderr when stderr is a terminal (hundreds of accounts take a while); nothing there otherwise.
 */
export async function withDeliveryCheck(report: StatusReport, ledger: LedgerSnapshot | undefined, targets: StatusTargets, args: StatusArgs & { delivery: { silentAfterHours: number } }, env: Env): Promise<StatusReport> {
  const reader = awsLogObjects(targets.bucketName, targets.key.region, s3ForcePathStyle(env, CLI_SETTINGS));
  const wording = cliAwsWording(targetSources(args));
  const progress = process.stderr.isTTY ? (done: number, total: number) => process.stderr.write(`\rchecking delivery: ${done} of ${total} account folders`) : undefined;
  try {
    const { findings, run } = await checkEstateDelivery(report, ledger, targets.key, reader, {
      now: Date.now(),
      silentAfterHours: args.delivery.silentAfterHours,
      signal: new AbortController().signal,
      explain: (error) => findingReason(rewordAwsError(error, wording), 'The check was interrupted before it read this account\'s folders; run the command again.'),
      ...(progress ? { onProgress: progress } : {}),
    });
    return withDelivery(report, findings, run);
  } finally {
    if (progress) process.stderr.write('\r\x1b[2K');
  }
}

/** Whether an account is silent, unencrypted or could not be checked: `status --delivery` then exits 1. */
export function deliveryFailed(report: StatusReport): boolean {
  return report.accounts.some((a) => a.delivery !== undefined && a.delivery.state !== 'delivering');
}
