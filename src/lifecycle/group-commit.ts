import { fail } from '../core/errors';
import { sleep } from '../abortable';
import { accountsOfPending, LedgerState } from '../ledger/model';
import { log } from '../log';
import { releaseLease } from './release';
import { LeaseKeeper, leaseExpiry, MAX_PLAUSIBLE_LEASE_MS, MIN_USEFUL_LEASE_MS } from './lease';
import { LedgerContext, projectLedger, ProjectionReport, ProjectionScope } from './project-ledger';
import { failureReason, Run } from './run';

/** How long a waiter sleeps between looks at the lease: short at first, then up to 250 ms, with jitter. */
function pollDelayMs(attempt: number): number {
  const ceiling = Math.min(250, 40 * 2 ** Math.min(attempt, 3));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** A change registered in the ledger: its generation, the accounts it touched and the pairs it belongs to. */
export interface RegisteredChange {
  generation: number;
  accounts: string[];
  /** pairIds of the policy pairs the change's holdings name (SPEC R39: a pair's failure fails only its requests). */
  pairs: string[];
}

/** Free, ours, lapsed, or implausibly far ahead (SPEC R39): the lease may be taken. */
function leaseAvailable(state: LedgerState, owner: string, now: number): boolean {
  if (!state.leaseOwner || state.leaseOwner === owner) return true;
  const expires = state.leaseExpiresAt ?? 0;
  return expires < now || expires > now + MAX_PLAUSIBLE_LEASE_MS;
}

/** Fails when a projection that covered the change failed, as a whole or for one of the change's pairs. */
function failIfProjectionFailed(state: LedgerState, change: RegisteredChange): void {
  for (const pair of change.pairs) {
    const failed = state.pairFailures[pair];
    if (failed && failed.through >= change.generation) fail(failed.reason);
  }
  if (state.failedThrough >= change.generation && state.failure) fail(state.failure);
}

/**
 * Group commit (SPEC R30): waits until the change is in both policies. Whoever finds the lease free (or lapsed)
 * takes it and projects every account with pending changes in one read-modify-write; the others wait for it. A
 * failed projection fails every change it covered, with its reason. Returns the report when this invocation
 * projected.
 */
export async function awaitProjection(context: LedgerContext, run: Run, registered: RegisteredChange): Promise<ProjectionReport | undefined> {
  const { ledger } = context;
  const owner = run.id;
  const change = { ...registered };
  const started = Date.now();
  let waitRecorded = false;
  const recordWait = () => {
    if (!waitRecorded) run.metrics.add('LeaseWaitMilliseconds', Date.now() - started);
    waitRecorded = true;
  };
  let report: ProjectionReport | undefined;
  for (let attempt = 0; ; attempt++) {
    run.enter('waiting for the enrollment ledger to apply the change');
    const state = await ledger.readState(run.signal);
    if (state.generation < change.generation) {
      // The state item was deleted or repaired: its counters went back. Register again, so that a projection
      // from now on covers the change, instead of comparing against a counter that no longer means anything.
      log.warn('the ledger state item went back to an earlier generation; registering the change again', { generation: change.generation, stateGeneration: state.generation });
      change.generation = await ledger.registerChange(change.accounts, run.signal);
      continue;
    }
    failIfProjectionFailed(state, change);
    if (state.applied >= change.generation) {
      recordWait();
      return report;
    }
    const now = Date.now();
    const expiresAt = leaseExpiry(now, run.guardAt);
    if (leaseAvailable(state, owner, now) && expiresAt - now >= MIN_USEFUL_LEASE_MS) {
      if (state.leaseOwner && state.leaseOwner !== owner) log.warn('the ledger lease lapsed without being given back; taking it over', { lapsedOwner: state.leaseOwner });
      const held = await ledger.tryAcquireLease(owner, expiresAt, now, run.signal);
      if (held) {
        recordWait();
        const projected = await projectUnderLease(context, run, held, expiresAt, accountsOfPending(held.pending));
        report = projected;
        // Released in time and registered before the lease was taken: this projection covered the change.
        if (projected.released && held.generation >= change.generation) {
          failIfProjectionFailed({ ...held, pairFailures: projected.pairFailureStates }, change);
          return report;
        }
        continue;
      }
    }
    await sleep(pollDelayMs(attempt), run.signal);
  }
}

/** Reconcile (SPEC R31): one projection of the whole ledger, waiting for the lease like any request. */
export async function reconcile(context: LedgerContext, run: Run): Promise<ProjectionReport> {
  for (let attempt = 0; ; attempt++) {
    run.enter('waiting for the ledger lease to reconcile');
    const now = Date.now();
    const expiresAt = leaseExpiry(now, run.guardAt);
    if (expiresAt - now < MIN_USEFUL_LEASE_MS) fail('The reconcile ran out of time waiting for the enrollment ledger lease; the next scheduled run tries again.');
    const held = await context.ledger.tryAcquireLease(run.id, expiresAt, now, run.signal);
    if (held) return projectUnderLease(context, run, held, expiresAt, 'all');
    await sleep(pollDelayMs(attempt), run.signal);
  }
}

type HeldReport = ProjectionReport & { released: boolean; pairFailureStates: LedgerState['pairFailures'] };

async function projectUnderLease(context: LedgerContext, run: Run, held: LedgerState, expiresAt: number, scope: ProjectionScope): Promise<HeldReport> {
  const { ledger } = context;
  const keeper = new LeaseKeeper(ledger, run, expiresAt).start();
  const unlink = run.link(keeper.signal);
  let report: ProjectionReport;
  try {
    report = await projectLedger(context, run, held, scope, () => keeper.beforeWrite());
  } catch (error) {
    keeper.stop();
    unlink();
    // Past the guard the lease lapses on its own, SETTLE_MS after the guard; no further write starts.
    if (!run.expired) await releaseLease(() => ledger.releaseLease(run.id, { generation: held.generation, failure: failureReason(error, run) }, run.signal), error);
    throw error;
  } finally {
    keeper.stop();
    unlink();
  }
  run.enter('releasing the ledger lease');
  const failedPairs = Object.keys(report.pairFailures);
  // A pending change is complete once every pair its account touches was projected; the others stay pending.
  const completed = held.pending.filter((token) => !failedPairs.some((pair) => report.accountPairs.get(token.split('#')[0]!)?.includes(pair)));
  const released = await releaseLease(() => ledger.releaseLease(run.id, { generation: held.generation, pairFailures: report.pairFailures, completed, ...(report.reported !== undefined ? { reported: report.reported } : {}) }, run.signal));
  if (!released) log.warn('the ledger lease lapsed before the projection was recorded; the next holder projects again', { generation: held.generation });
  log.info('ledger projected', { generation: held.generation, scope: scope === 'all' ? 'all' : scope.length, pairs: report.pairs, bucketWrites: report.bucketWrites, keyWrites: report.keyWrites, added: report.added, removed: report.removed, rejected: report.rejected, unheld: report.unheld.length, failedPairs: failedPairs.length });
  const pairFailureStates = Object.fromEntries(Object.entries(report.pairFailures).map(([pair, reason]) => [pair, { through: held.generation, reason }]));
  return { ...report, released, pairFailureStates };
}
