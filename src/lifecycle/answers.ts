import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { createHash } from 'node:crypto';
import { log } from '../log';
import type { Outcome } from './outcome';
import { LedgerStore, RecordedAnswer } from './ports';
import { Run } from './run';

/**
 * Answered requests (SPEC R39): Lambda retries an event and SNS may deliver it twice, minutes or hours apart. A
 * request already answered gets its recorded answer again and is never applied again, so a late duplicate of an old
 * Create cannot enroll an account whose stack is gone, nor one of an old Delete remove a live resource's entry.
 * Only requests that got past validation are looked up and recorded: a malformed one fails the same way every time.
 */
const NO_URL_EXPIRY_KEEP_MS = 6 * 60 * 60 * 1000;
/** Kept this long past the URL's expiry, for clock skew and slow deliveries. */
const KEEP_PAST_EXPIRY_MS = 60 * 60 * 1000;

/** The key an answered request is recorded under: the request and the resource it was for. */
export function answerKey(request: { StackId?: unknown; LogicalResourceId?: unknown; RequestId?: unknown; RequestType?: unknown }): string {
  return createHash('sha256').update([request.StackId, request.LogicalResourceId, request.RequestId, request.RequestType].map(String).join('\n')).digest('hex').slice(0, 32);
}

/** The recorded answer of this request, if it was answered before. From here on the request's answer is recorded. */
export async function recallAnswer(event: CloudFormationCustomResourceEvent, run: Run, ledger: LedgerStore): Promise<Outcome | undefined> {
  run.answerLedger = ledger;
  try {
    run.enter('looking up whether this request was answered before');
    const recorded = await ledger.recallAnswer(answerKey(event), run.signal);
    return recorded && { status: recorded.status, physicalResourceId: recorded.physicalResourceId, ...(recorded.reason ? { reason: recorded.reason } : {}), ...(recorded.data ? { data: recorded.data } : {}), replayed: true };
  } catch (error) {
    if (run.expired) throw error;
    log.warn('could not look up whether this request was answered before; handling it', { requestId: event.RequestId, error: (error as Error)?.message ?? String(error) });
    return undefined;
  }
}

/** Records the answer until the request's ResponseURL has expired (and an hour more), when the request reached the ledger; never throws. */
export async function recordAnswer(event: CloudFormationCustomResourceEvent, outcome: Outcome, run: Run, urlExpiresAt: number | undefined, signal: AbortSignal): Promise<void> {
  const ledger = run.answerLedger;
  if (!ledger || outcome.replayed) return;
  const answer: RecordedAnswer = { status: outcome.status, physicalResourceId: outcome.physicalResourceId, ...(outcome.reason ? { reason: outcome.reason } : {}), ...(outcome.data ? { data: outcome.data } : {}) };
  const keepUntil = urlExpiresAt !== undefined ? urlExpiresAt + KEEP_PAST_EXPIRY_MS : Date.now() + NO_URL_EXPIRY_KEEP_MS;
  try {
    await ledger.recordAnswer(answerKey(event), answer, keepUntil, signal);
  } catch (error) {
    log.error('could not record the answer; a duplicate of this request would be handled again', { requestId: event.RequestId, error: (error as Error)?.message ?? String(error) });
  }
}
