import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { awsLedgerStore } from './aws/aws-ledger';
import { organizationMembership } from './aws/aws-organization';
import { awsPolicyStore } from './aws/aws-policy-store';
import { responseUrlExtraHosts } from './config/settings';
import { regionOfStackId } from './core/arns';
import { checkDeliveryOnSchedule, isDeliveryCheckEvent } from './delivery/scheduled-check';
import { failureId, handleRequest, handleSchedule, Dependencies, Outcome } from './lifecycle/lifecycle';
import { recallAnswer, recordAnswer } from './lifecycle/answers';
import { failureReason, Run } from './lifecycle/run';
import { log } from './log';
import { deploymentName } from './metrics/metrics';
import { powertoolsMetrics } from './metrics/powertools';
import { responseBody } from './response/response-body';
import { admitResponseUrl, hostOf, responseUrlExpired, responseUrlExpiry } from './response/response-url';
import { sendResponse } from './response/send-response';


const dependencies: Dependencies = {
  env: process.env,
  policyStore: (region, settings) => awsPolicyStore(region, settings.s3ForcePathStyle),
  // The ledger table lives in the function's own region (Lambda sets AWS_REGION).
  ledgerStore: (tableName) => awsLedgerStore(tableName, process.env.AWS_REGION ?? 'us-east-1'),
  organizationMembership,
};

/** SNS delivers one record per invocation; more than this many can only come from a hand-made event (SPEC R3). */
const MAX_SNS_RECORDS = 10;

/**
 * SPEC R3: the request itself, or an SNS event whose records each carry one. An event with more than
 * MAX_SNS_RECORDS records is refused whole: nothing of it is processed or answered.
 */
function requestsIn(event: unknown): unknown[] {
  const records = (event as { Records?: unknown })?.Records;
  if (!Array.isArray(records)) return [event];
  if (records.length > MAX_SNS_RECORDS) {
    log.warn('An SNS event with more than 10 records was refused unanswered because SNS delivers one record per invocation, so it was hand-made; find who invoked the function directly in CloudTrail.', { records: records.length, limit: MAX_SNS_RECORDS });
    return [];
  }
  return records.flatMap((record, index) => {
    const message = (record as { Sns?: { Message?: unknown } })?.Sns?.Message;
    try {
      return [JSON.parse(String(message))];
    } catch {
      log.warn('SNS record does not hold a JSON CloudFormation request; it cannot be answered', { record: index });
      return [];
    }
  });
}

/** The work's result, or 'timeout' once the run's guard time is reached (SPEC R19). */
async function beforeGuard<T>(work: Promise<T>, run: Run): Promise<T | 'timeout'> {
  let guard: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    guard = setTimeout(() => resolve('timeout'), Math.max(0, run.guardAt - Date.now()));
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(guard);
  }
}

function isScheduledEvent(event: unknown): boolean {
  const e = event as { source?: unknown; 'detail-type'?: unknown } | null;
  return e?.source === 'aws.events' && e?.['detail-type'] === 'Scheduled Event';
}

/** SPEC R31: the scheduled reconcile. Nothing to answer; the outcome is one log line. */
async function reconcileOnSchedule(deadline: number): Promise<void> {
  const run = new Run(deadline, powertoolsMetrics(deploymentName(process.env)));
  const work = handleSchedule(run, dependencies).then(
    (report) => ({ report }),
    (error: unknown) => ({ error }),
  );
  const result = await beforeGuard(work, run);
  const succeeded = result !== 'timeout' && !('error' in result);
  // Both, one of them 0: every run leaves a data point on each, so an alarm on either clears on the next run.
  run.metrics.add('ReconcileSucceeded', succeeded ? 1 : 0);
  run.metrics.add('ReconcileFailed', succeeded ? 0 : 1);
  run.metrics.flush();
  if (result === 'timeout') {
    run.expire();
    log.error('reconcile ran out of time; the next scheduled run starts over', { step: run.step });
  } else if ('error' in result) {
    log.error('reconcile failed; the next scheduled run tries again', { step: run.step, reason: failureReason(result.error, run) });
  } else {
    const { report } = result;
    log.info('reconciled', { pairs: report.pairs, bucketWrites: report.bucketWrites, keyWrites: report.keyWrites, added: report.added, removed: report.removed, unheld: report.unheld.length, otherTargets: report.otherTargets.length, invalid: report.invalid.length });
    // Said once per change: the same findings every hour are not news (the owner's own entry, say).
    if (report.reportChanged) {
      if (report.unheld.length > 0) log.warn('policy entries that no stack holds (kept as found: hand-made or another tool\'s)', { count: report.unheld.length, entries: report.unheld.slice(0, 100) });
      if (report.otherTargets.length > 0) log.warn('holdings of targets this function is no longer pinned to: their entries are kept as found and never projected; move or delete those stacks', { count: report.otherTargets.length, holdings: report.otherTargets.slice(0, 100) });
    }
  }
}

/** What the request knows it changed when its time ran out: written, in flight, or nothing (SPEC R39). */
function changedSoFar(run: Run): string {
  const written = [...new Set(run.written)];
  const done = written.length === 0 ? '' : `the ${written.join(' and the ')} had already been written and ${written.length === 1 ? 'was' : 'were'} not restored`;
  const inFlight = run.writing ? `the write of the ${run.writing} was in flight and may have been applied` : '';
  if (done && inFlight) return `${done}, and ${inFlight}`;
  return done || inFlight || 'this request had written no policy';
}

function timedOut(event: CloudFormationCustomResourceEvent, run: Run): Outcome {
  const state = changedSoFar(run);
  return {
    status: 'FAILED',
    physicalResourceId: run.failureId ?? failureId(event),
    reason: `The function ran out of time while ${run.step}; ${state}, so retry the stack operation and raise the function timeout if it happens again.`,
  };
}

async function answer(request: unknown, deadline: number): Promise<void> {
  const event = request as CloudFormationCustomResourceEvent;
  const url = admitResponseUrl(event?.ResponseURL, responseUrlExtraHosts(process.env), regionOfStackId(event?.StackId));
  const context = { requestId: event?.RequestId, requestType: event?.RequestType, logicalResourceId: event?.LogicalResourceId, stackId: event?.StackId };
  if (!url) {
    log.warn('ResponseURL is not a CloudFormation response URL; request ignored', { ...context, responseHost: hostOf(event?.ResponseURL) });
    return;
  }
  // A late Lambda retry or SNS duplicate: CloudFormation can no longer read an answer, and acting on it could
  // re-enroll an account whose stack is gone or remove a live one's entry (SPEC R39).
  if (responseUrlExpired(url, new Date())) {
    log.warn('ResponseURL expired before the request arrived, so nobody can receive an answer; request not acted on', { ...context, responseHost: url.host, responseUrlExpiredAt: responseUrlExpiry(url)!.toISOString() });
    return;
  }
  const run = new Run(deadline, powertoolsMetrics(deploymentName(process.env)));
  const result = await beforeGuard(handleRequest(event, run, dependencies), run);
  let outcome: Outcome;
  if (result === 'timeout') {
    run.expire();
    outcome = timedOut(event, run);
  } else {
    outcome = result;
  }
  if (outcome.replayed) {
    log.warn('this request was answered before (a retry or a duplicate delivery); its recorded answer is sent again and nothing is applied', { ...context, status: outcome.status, physicalResourceId: outcome.physicalResourceId });
  } else {
    // Before the response goes out, so a request the guard answered still counts as failed (SPEC R36).
    const succeeded = outcome.status === 'SUCCESS';
    run.metrics.add('RequestsSucceeded', succeeded ? 1 : 0);
    run.metrics.add('RequestsFailed', succeeded ? 0 : 1);
    run.metrics.flush();
    await recordAnswer(event, outcome, run, responseUrlExpiry(url)?.getTime(), AbortSignal.timeout(Math.max(100, Math.min(1000, deadline - Date.now() - 1000))));
  }
  const body = responseBody({
    Status: outcome.status,
    ...(outcome.reason ? { Reason: outcome.reason } : {}),
    PhysicalResourceId: outcome.physicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    ...(outcome.data ? { Data: outcome.data } : {}),
  });
  const sent = await sendResponse(url, body, deadline);
  const fields = { ...context, status: outcome.status, physicalResourceId: outcome.physicalResourceId, ...(outcome.reason ? { reason: outcome.reason } : {}), responseStatus: sent.statusCode ?? null, responseAttempts: sent.attempts };
  if (sent.error) log.error('response could not be delivered', { ...fields, error: sent.error });
  else if (outcome.status === 'FAILED') log.error('response sent', fields);
  else log.info('response sent', fields);
}

export async function handler(event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<void> {
  const deadline = Date.now() + context.getRemainingTimeInMillis();
  if (isScheduledEvent(event)) {
    await reconcileOnSchedule(deadline);
    return;
  }
  if (isDeliveryCheckEvent(event)) {
    await checkDeliveryOnSchedule(new Run(deadline, powertoolsMetrics(deploymentName(process.env))));
    return;
  }
  const requests = requestsIn(event);
  for (const [index, request] of requests.entries()) {
    // Each request gets its own share of the time left (SPEC R3), so a guard firing on one still leaves the
    // requests after it time to be answered.
    const share = Math.max(0, deadline - Date.now()) / (requests.length - index);
    try {
      await answer(request, Date.now() + share);
    } catch (error) {
      // Never throw: a throw makes Lambda retry an asynchronous invocation that was already answered.
      log.error('unexpected error while answering', { error: (error as Error)?.stack ?? String(error) });
    }
  }
}
