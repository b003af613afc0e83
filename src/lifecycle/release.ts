import { log } from '../log';

/**
 * Gives the lease back (the adapter retries a DynamoDB blip for a few seconds). With `cause` (the projection
 * failed) a release that still fails is logged and false is returned: the caller answers with the first cause, not
 * with the release error (SPEC R39), and the lease lapses within seconds.
 */
export async function releaseLease(release: () => Promise<boolean>, cause?: unknown): Promise<boolean> {
  try {
    return await release();
  } catch (error) {
    if (cause === undefined) throw error;
    log.error('giving the ledger lease back failed; it lapses within seconds', { error: (error as Error)?.message ?? String(error) });
    return false;
  }
}
