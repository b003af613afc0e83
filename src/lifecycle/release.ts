import { isAbort, sleep } from '../abortable';
import { AwsOperatorError } from '../aws/aws-errors';
import { isTransient } from '../aws/retry';
import { log } from '../log';

/** A lease release is retried longer than other calls: a lease left behind blocks every other request (SPEC R39). */
const RELEASE_ATTEMPTS = 8;
const RELEASE_PAUSE_MS = 250;

/**
 * Gives the lease back, retrying what may be transient for a few seconds. With `cause` (the projection failed) a
 * release that still fails is logged and false is returned: the caller answers with the first cause, not with
 * the release error (SPEC R39); the lease then lapses within seconds.
 */
export async function retryReleasing(release: () => Promise<boolean>, cause?: unknown): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await release();
    } catch (error) {
      const transient = error instanceof AwsOperatorError ? error.failure.transient === true : isTransient(error);
      const again = attempt < RELEASE_ATTEMPTS && !isAbort(error) && transient;
      if (again) {
        await sleep(RELEASE_PAUSE_MS * Math.min(attempt, 4));
        continue;
      }
      if (cause === undefined) throw error;
      log.error('giving the ledger lease back failed; it lapses within seconds', { error: (error as Error)?.message ?? String(error) });
      return false;
    }
  }
}
