import { OperatorError } from '../core/errors';
import { log } from '../log';
import { LedgerStore } from './ports';
import { Run } from './run';

/**
 * The ledger lease's timing (SPEC R30, R39). A holder keeps the lease for seconds at a time and renews it while it
 * projects, so a crashed holder blocks the others for LEASE_MS at most, not for its whole deadline. The lease never
 * runs past the holder's guard by more than SETTLE_MS: after the guard no write starts and in-flight calls are
 * aborted, and a write aborted on the wire that S3 or KMS still applies lands within that margin, before the next
 * holder reads and verifies.
 */
export const LEASE_MS = 8000;
export const RENEW_EVERY_MS = 2500;
export const SETTLE_MS = 1500;
/** A lease whose expiry lies further ahead than this was not written by a holder of this version: it has lapsed. */
export const MAX_PLAUSIBLE_LEASE_MS = 120_000;
/** A lease shorter than this is not worth taking: too little time to read, write and verify. */
export const MIN_USEFUL_LEASE_MS = 2500;
/** Before a write, the lease is renewed when less than this is left. */
const WRITE_WINDOW_MS = 3000;

/** The expiry of a lease taken or renewed now by a holder whose guard fires at guardAt. */
export function leaseExpiry(now: number, guardAt: number): number {
  return Math.min(now + LEASE_MS, guardAt + SETTLE_MS);
}

/** Keeps a held lease alive while its holder projects, and stops the holder's calls if the lease is lost. */
export class LeaseKeeper {
  private validUntil: number;
  private timer?: NodeJS.Timeout;
  private renewing?: Promise<void>;
  private readonly lost = new AbortController();

  constructor(
    private readonly ledger: LedgerStore,
    private readonly run: Run,
    expiresAt: number,
  ) {
    this.validUntil = expiresAt;
  }

  /** Aborted when another invocation took the lease over: no write of this holder may start after that. */
  get signal(): AbortSignal {
    return this.lost.signal;
  }

  start(): this {
    this.timer = setInterval(() => void this.renew().catch((error: unknown) => log.warn('renewing the ledger lease failed; the next write tries again', { error: (error as Error)?.message ?? String(error) })), RENEW_EVERY_MS);
    this.timer.unref?.();
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Called before every policy write: renews a lease about to lapse, refuses to write on a lost or lapsing one. */
  async beforeWrite(): Promise<void> {
    if (this.validUntil - Date.now() < WRITE_WINDOW_MS) await this.renew();
    if (this.lost.signal.aborted || this.validUntil - Date.now() < SETTLE_MS) {
      throw new OperatorError('The enrollment ledger lease could not be kept long enough to write the policies safely, so nothing more was written; retry the stack operation.');
    }
  }

  private renew(): Promise<void> {
    this.renewing ??= (async () => {
      try {
        if (this.run.expired || this.lost.signal.aborted) return;
        const next = leaseExpiry(Date.now(), this.run.guardAt);
        if (next <= this.validUntil) return;
        const kept = await this.ledger.renewLease(this.run.id, next, this.run.signal);
        if (kept) this.validUntil = next;
        else this.lost.abort(new OperatorError('Another invocation took over the enrollment ledger lease while this one was projecting, so it stopped writing; retry the stack operation.'));
      } finally {
        this.renewing = undefined;
      }
    })();
    return this.renewing;
  }
}
