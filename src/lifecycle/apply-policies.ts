import { OperatorError } from '../core/errors';
import { PolicyDocument, parsePolicy, toCompactJson } from '../core/policy-document';
import { KeyRef } from '../core/arns';
import { PolicyStore } from './ports';
import { Run } from './run';

/** The desired pair of policies computed from the current pair; pure, may throw OperatorError. */
export type PolicyPlan = (bucket: PolicyDocument | undefined, key: PolicyDocument) => {
  bucket: PolicyDocument | undefined;
  key: PolicyDocument;
};

/** Checks the desired pair before anything is written (size limits, SPEC R11). */
export type PolicyCheck = (bucket: PolicyDocument | undefined, key: PolicyDocument) => void;

export interface ApplyTarget {
  bucketName: string;
  key: KeyRef;
}

export interface ApplyOutcome {
  bucketWrites: number;
  keyWrites: number;
}

/** At most this many applications; the read after each one is its verification (SPEC R10). */
export const MAX_APPLICATIONS = 3;

function sameDocument(a: PolicyDocument | undefined, b: PolicyDocument | undefined): boolean {
  return (a === undefined ? '' : toCompactJson(a)) === (b === undefined ? '' : toCompactJson(b));
}

/**
 * Reads both policies, writes what the plan changes (bucket first, then key), and reads them back until the
 * plan changes nothing. A failed key write restores the bucket policy exactly as read (SPEC R9).
 */
export async function applyPolicies(store: PolicyStore, run: Run, target: ApplyTarget, plan: PolicyPlan, check: PolicyCheck, beforeWrite: () => Promise<void> = async () => undefined): Promise<ApplyOutcome> {
  const outcome: ApplyOutcome = { bucketWrites: 0, keyWrites: 0 };
  const bucketName = `bucket policy of ${target.bucketName}`;
  const keyName = `key policy of ${target.key.arn}`;
  for (let application = 0; ; application++) {
    run.enter(application === 0 ? 'reading the bucket policy' : 'reading the bucket policy back to verify it');
    const bucketText = await store.getBucketPolicy(target.bucketName, run.signal);
    run.enter(application === 0 ? 'reading the key policy' : 'reading the key policy back to verify it');
    const keyText = await store.getKeyPolicy(target.key, run.signal);
    const bucketNow = bucketText === undefined ? undefined : parsePolicy(bucketText, bucketName);
    const keyNow = parsePolicy(keyText, keyName);
    const desired = plan(bucketNow, keyNow);
    const bucketChanges = !sameDocument(bucketNow, desired.bucket);
    const keyChanges = !sameDocument(keyNow, desired.key);
    if (!bucketChanges && !keyChanges) return outcome;
    if (application === MAX_APPLICATIONS) {
      throw new OperatorError(`Another writer changed the ${bucketChanges ? bucketName : keyName} after each of ${MAX_APPLICATIONS} writes, so the change did not stick; find the other automation that edits it, then retry the stack operation.`);
    }
    check(desired.bucket, desired.key);
    await beforeWrite();

    if (bucketChanges) {
      run.enter('writing the bucket policy');
      outcome.bucketWrites++;
      const bucket = desired.bucket;
      await run.write(bucketName, () => (bucket ? store.putBucketPolicy(target.bucketName, toCompactJson(bucket), run.signal) : store.deleteBucketPolicy(target.bucketName, run.signal)));
    }
    if (keyChanges) {
      try {
        run.enter('writing the key policy');
        outcome.keyWrites++;
        await run.write(keyName, () => store.putKeyPolicy(target.key, toCompactJson(desired.key), run.signal));
      } catch (error) {
        if (!bucketChanges) throw error;
        throw await restoreBucketPolicy(store, run, target.bucketName, bucketText, error);
      }
    }
  }
}

async function restoreBucketPolicy(store: PolicyStore, run: Run, bucket: string, original: string | undefined, cause: unknown): Promise<Error> {
  const why = shortCause(cause);
  try {
    run.enter('restoring the bucket policy after the key policy write failed');
    await run.write(`bucket policy of ${bucket}`, () => (original === undefined ? store.deleteBucketPolicy(bucket, run.signal) : store.putBucketPolicy(bucket, original, run.signal)), true);
  } catch (restoreError) {
    return new OperatorError(`Writing the key policy failed (${why}) and restoring the bucket policy of ${bucket} failed too (${shortCause(restoreError)}), so the bucket policy holds the change but the key policy does not; retry the stack operation once the cause is fixed.`);
  }
  return new OperatorError(`Writing the key policy failed (${why}); the bucket policy of ${bucket} was restored to what it was, so neither policy changed.`);
}

/** The cause as a clause to quote inside another sentence: its first clause, without the full stop. */
function shortCause(error: unknown): string {
  const message = error instanceof OperatorError ? error.message : (error as Error)?.name ?? 'unknown error';
  return message.replace(/[.;]\s.*$/, '').replace(/\.$/, '');
}
