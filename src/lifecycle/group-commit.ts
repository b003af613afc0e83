import { fail } from '../core/errors';
import { sleep } from '../abortable';
import { log } from '../log';
import { LedgerContext, projectLedger, ProjectionReport } from './project-ledger';
import { failureReason, Run } from './run';

/** How long a waiter sleeps between looks at the lease: short at first, then up to 250 ms, with jitter. */
function pollDelayMs(attempt: number): number {
  const ceiling = Math.min(250, 40 * 2 ** Math.min(attempt, 3));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/**
 * Group commit (SPEC R30): waits until every change up to `generation` is in both policies. Whoever finds the
 * lease free (or past its holder's deadline) takes it and projects the whole ledger, applying every change
 * registered so far in one read-modify-write; the others wait for it. A failed projection fails every change
 * it covered, with its reason. Returns the report when this invocation did the projection.
 */
export async function awaitProjection(context: LedgerContext, run: Run, generation: number): Promise<ProjectionReport | undefined> {
  const { ledger } = context;
  const owner = run.id;
  let report: (ProjectionReport & { released: boolean }) | undefined;
  for (let attempt = 0; ; attempt++) {
    run.enter('waiting for the enrollment ledger to apply the change');
    const state = await ledger.readState(run.signal);
    if (state.applied >= generation) return report;
    if (state.failedThrough >= generation && state.failure) fail(state.failure);
    const now = Date.now();
    // This invocation may still hold it: a release that failed, then the undo of the change (R29).
    if (!state.leaseOwner || state.leaseOwner === owner || (state.leaseExpiresAt ?? 0) < now) {
      if (state.leaseOwner && state.leaseOwner !== owner) log.warn('the ledger lease passed its holder\'s deadline; taking it over', { expiredOwner: state.leaseOwner });
      const held = await ledger.tryAcquireLease(owner, run.deadline, now, run.signal);
      if (held) {
        report = await projectUnderLease(context, run, owner, held.generation);
        // Released in time: this projection covered the generation (registered before the lease was taken).
        if (report.released && held.generation >= generation) return report;
        continue;
      }
    }
    await sleep(pollDelayMs(attempt), run.signal);
  }
}

/** Reconcile (SPEC R31): one projection of the whole ledger, waiting for the lease like any request. */
export async function reconcile(context: LedgerContext, run: Run): Promise<ProjectionReport> {
  const owner = run.id;
  for (let attempt = 0; ; attempt++) {
    run.enter('waiting for the ledger lease to reconcile');
    const now = Date.now();
    const held = await context.ledger.tryAcquireLease(owner, run.deadline, now, run.signal);
    if (held) return projectUnderLease(context, run, owner, held.generation);
    await sleep(pollDelayMs(attempt), run.signal);
  }
}

async function projectUnderLease(context: LedgerContext, run: Run, owner: string, generation: number): Promise<ProjectionReport & { released: boolean }> {
  const { ledger } = context;
  let report: ProjectionReport;
  try {
    report = await projectLedger(context, run, generation);
  } catch (error) {
    // Past the guard the lease simply runs out at this invocation's deadline; no further write starts.
    if (!run.expired) await ledger.releaseLease(owner, { failedThrough: generation, failure: failureReason(error, run) }, run.signal);
    throw error;
  }
  run.enter('releasing the ledger lease');
  const released = await ledger.releaseLease(owner, { applied: generation }, run.signal);
  if (!released) log.warn('the ledger lease expired before the projection finished; the next holder projects again', { generation });
  log.info('ledger projected', { generation, pairs: report.pairs, bucketWrites: report.bucketWrites, keyWrites: report.keyWrites, added: report.added, removed: report.removed, rejected: report.rejected, unheld: report.unheld.length });
  return { ...report, released };
}
