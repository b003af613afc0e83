import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { OperatorError, fail } from '../core/errors';
import { Enrollment, foreignAccountMessage, isProtected, resolveEnrollment, stackAccountId, stackMayManage } from '../config/enrollment';
import { readSettings, requireLedgerTable, Settings } from '../config/settings';
import { accountOfStackId, isAccountId, parseKeyArn } from '../core/arns';
import { bucketEntryKey, Holder, Holding, holdingKey, holdingOf, keyEntryKey, pairId } from '../ledger/model';
import { holdingInScope, scopeLedger } from '../ledger/scope';
import { log } from '../log';
import { recallAnswer } from './answers';
import { Outcome } from './outcome';
export type { Outcome } from './outcome';
import { awaitProjection, reconcile, RegisteredChange } from './group-commit';
import { enrollmentOfPhysicalId, notEnrolledId, physicalIdOf } from './physical-id';
import { LedgerStore, OrganizationMembership, PolicyStore } from './ports';
import { LedgerContext, pinsOf, ProjectionReport } from './project-ledger';
import { responseData } from './response-data';
import { failureReason, Run } from './run';


export interface Dependencies {
  env: Record<string, string | undefined>;
  policyStore(region: string, settings: Settings): PolicyStore;
  ledgerStore(tableName: string): LedgerStore;
  organizationMembership(partition: string): Promise<OrganizationMembership>;
}

/** The id a FAILED response carries: a failed Create's no-op id, or the id CloudFormation already has (SPEC R16, R17). */
export function failureId(event: CloudFormationCustomResourceEvent): string {
  if (event.RequestType !== 'Create') return event.PhysicalResourceId;
  const requested = event.ResourceProperties?.AccountId;
  const account = typeof requested === 'string' && isAccountId(requested) ? requested : accountOfStackId(event.StackId);
  return notEnrolledId(account, event.RequestId ?? '');
}

export async function handleRequest(event: CloudFormationCustomResourceEvent, run: Run, deps: Dependencies): Promise<Outcome> {
  try {
    if (event.RequestType === 'Delete') return await remove(event, run, deps);
    if (event.RequestType === 'Create' || event.RequestType === 'Update') return await enroll(event, run, deps);
    fail(`The request type ${JSON.stringify((event as { RequestType?: unknown }).RequestType)} is not Create, Update or Delete; only CloudFormation should invoke this function.`);
  } catch (error) {
    if (!(error instanceof OperatorError)) log.error('unexpected error', { step: run.step, error: (error as Error)?.stack ?? String(error) });
    return { status: 'FAILED', physicalResourceId: run.failureId ?? failureId(event), reason: failureReason(error, run) };
  }
}

/** Reconcile (SPEC R31): re-projects the ledger onto both policies of every target it holds. */
export async function handleSchedule(run: Run, deps: Dependencies): Promise<ProjectionReport> {
  run.enter('validating the settings');
  const settings = readSettings(deps.env);
  return reconcile(ledgerContext(deps, settings), run);
}

function ledgerContext(deps: Dependencies, settings: Settings): LedgerContext {
  return { ledger: deps.ledgerStore(requireLedgerTable(settings)), policyStore: (region) => deps.policyStore(region, settings), settings };
}

function holderOf(event: CloudFormationCustomResourceEvent): Holder {
  const logicalResourceId = event.LogicalResourceId;
  if (typeof logicalResourceId !== 'string' || logicalResourceId === '') {
    fail('The request has no LogicalResourceId, so the ledger cannot record who holds the enrollment; send the request from a CloudFormation stack.');
  }
  return { stackId: event.StackId, logicalResourceId };
}

/**
 * SPEC R27, R29: the ledger change a request makes, and how to take it back. Every holding it replaced or
 * removed is put back; every holding it added is deleted.
 */
interface LedgerChange extends RegisteredChange {
  /** 0 when the ledger did not change (a Delete of a holding it does not know). */
  generation: number;
  /** Takes the change back and waits until the policies hold the result; resolves to whether a holding it replaced was put back. */
  undo(): Promise<{ restoredPrevious: boolean }>;
}

function changeOf(holdings: Holding[]): Pick<RegisteredChange, 'accounts' | 'pairs'> {
  return { accounts: [...new Set(holdings.map((h) => h.accountId))], pairs: [...new Set(holdings.map((h) => pairId(h)))] };
}

async function changeLedger(context: LedgerContext, run: Run, puts: Holding[], deletes: Holding[]): Promise<LedgerChange> {
  const { ledger } = context;
  run.enter('recording the change in the enrollment ledger');
  const replaced: Array<[Holding, Holding | undefined]> = [];
  for (const holding of puts) replaced.push([holding, await ledger.putHolding(holding, run.signal)]);
  const removed: Holding[] = [];
  for (const holding of deletes) {
    const old = await ledger.deleteHolding(holding, run.signal);
    if (old) removed.push(old);
  }
  const touched = changeOf([...puts, ...removed]);
  const generation = puts.length + removed.length === 0 ? 0 : await ledger.registerChange(touched.accounts, run.signal);
  return {
    generation,
    ...touched,
    async undo() {
      run.enter('undoing the change in the enrollment ledger');
      for (const [holding, previous] of replaced) {
        if (previous) await ledger.putHolding(previous, run.signal);
        else await ledger.deleteHolding(holding, run.signal);
      }
      for (const holding of removed) await ledger.putHolding(holding, run.signal);
      await awaitProjection(context, run, { ...touched, generation: await ledger.registerChange(touched.accounts, run.signal) });
      return { restoredPrevious: replaced.some(([, previous]) => previous !== undefined) };
    },
  };
}

/** Waits for the change to be in both policies; on failure undoes it before answering unless time ran out (R29). */
async function settle(context: LedgerContext, run: Run, change: LedgerChange, undone: (result: { restoredPrevious: boolean }) => void): Promise<ProjectionReport | undefined> {
  try {
    return await awaitProjection(context, run, change);
  } catch (error) {
    if (run.expired) throw error;
    return undoAndFail(run, change, error, undone);
  }
}

/** Undoes the change, then fails with the original error; says so when the undo fails too. */
async function undoAndFail(run: Run, change: LedgerChange, error: unknown, undone: (result: { restoredPrevious: boolean }) => void): Promise<never> {
  try {
    undone(await change.undo());
  } catch (undoError) {
    if (run.expired) throw error;
    throw new OperatorError(`${failureReason(error, run).replace(/[.;]?$/, '')}; undoing the change failed too (${failureReason(undoError, run).replace(/[.;]?$/, '')}), so the next reconcile or request finishes the undo.`);
  }
  throw error;
}

async function enroll(event: CloudFormationCustomResourceEvent, run: Run, deps: Dependencies): Promise<Outcome> {
  run.enter('validating the request');
  const settings = readSettings(deps.env);
  const stackAccount = stackAccountId(event.StackId);
  const enrollment = resolveEnrollment(event.ResourceProperties, stackAccount, settings);
  if (!stackMayManage(enrollment.accountId, stackAccount, enrollment.key.ownerAccountId, settings)) {
    fail(foreignAccountMessage(enrollment.accountId, stackAccount));
  }
  const holder = holderOf(event);
  const context = ledgerContext(deps, settings);
  const recalled = await recallAnswer(event, run, context.ledger);
  if (recalled) return recalled;
  const physicalResourceId = physicalIdFor(event, enrollment);
  const holding = holdingOf(enrollment, holder);
  // The ledger first, so a failure from here on knows whether a holding of this request exists: a Lambda retry or
  // a duplicate finds the earlier attempt's. Then a failed Create answers its enrollment id, so CloudFormation's
  // rollback Delete releases it; the not-enrolled id only when nothing of it is in the ledger (SPEC R39).
  run.enter('reading the enrollment ledger');
  const previous = await context.ledger.getHolding(holding, run.signal);
  const enrollmentId = event.RequestType === 'Create' ? physicalIdOf(enrollment) : event.PhysicalResourceId;
  if (previous) run.failureId = enrollmentId;
  const store = context.policyStore(enrollment.key.region);
  await assertSameRegion(store, run, enrollment);
  if (settings.organizationId) await assertActiveMember(deps, run, enrollment, settings.organizationId);

  const retired = [...(previous?.retiredTrailArns ?? []), ...(previous?.trailArn && previous.trailArn !== holding.trailArn ? [previous.trailArn] : [])].filter((t) => t !== holding.trailArn);
  if (retired.length > 0) holding.retiredTrailArns = [...new Set(retired)];
  // An Update that keeps its id is where the resource now stands: its other holdings are leftovers of an Update
  // that failed after its guard fired, and no Delete will ever name them (R29).
  const leftovers = event.RequestType === 'Update' && physicalResourceId === event.PhysicalResourceId ? (await context.ledger.holderRecord(holder, run.signal)).holdings.filter((h) => holdingKey(h) !== holdingKey(holding)) : [];
  // From the first ledger write on, a holding of this request may be in the ledger.
  run.failureId = enrollmentId;
  const change = await changeLedger(context, run, [holding], leftovers);
  // Once undone without putting an earlier holding back, nothing of a failed Create remains: the not-enrolled id.
  const undone = ({ restoredPrevious }: { restoredPrevious: boolean }) => {
    if (event.RequestType === 'Create' && !restoredPrevious) run.failureId = undefined;
  };
  const report = await settle(context, run, change, undone);
  run.enter('reading the outcome from the enrollment ledger');
  const outcome = await context.ledger.getHolding(holding, run.signal);
  if (!outcome || (outcome.rejected && (outcome.rejectedIn ?? 0) >= change.generation)) {
    const reason = outcome?.rejected ?? `Another request removed this enrollment's holding from the ledger while it was being applied; retry the stack operation.`;
    await undoAndFail(run, change, new OperatorError(reason), undone);
  }
  // The holding this answer names: a later Delete of this id releases the resource's superseded holdings too.
  run.enter('recording the enrollment the resource now stands on');
  await context.ledger.setCurrentHolding(holding, run.signal);
  log.info('enrolled', { ...changeFields(event, enrollment, change.generation, report), leftoversReleased: leftovers.length });
  return { status: 'SUCCESS', physicalResourceId, data: responseData(enrollment) };
}

/**
 * The request's own change line (SPEC R20): who, which account, the entry values it holds or released, and,
 * when this invocation held the lease, what its projection wrote (for every change it applied, SPEC R30).
 */
function changeFields(event: CloudFormationCustomResourceEvent, enrollment: Enrollment, generation: number, report: ProjectionReport | undefined): Record<string, unknown> {
  const entry = responseData(enrollment);
  return {
    requestId: event.RequestId,
    stackId: event.StackId,
    logicalResourceId: event.LogicalResourceId,
    accountId: enrollment.accountId,
    bucket: enrollment.bucketName,
    prefix: enrollment.logFilePrefix,
    key: enrollment.key.arn,
    bucketPolicyResource: entry.BucketPolicyResource,
    keyPolicyTrailArn: entry.KeyPolicyTrailArn,
    generation,
    appliedBy: report ? 'this invocation' : 'another invocation',
    ...(report ? { bucketWrites: report.bucketWrites, keyWrites: report.keyWrites, added: report.added, removed: report.removed } : {}),
  };
}

/**
 * SPEC R16: an Update with the same account and target keeps its id. Only TrailArn changing is still the same
 * enrollment: a new id would make CloudFormation's cleanup Delete of the old one remove the shared entries.
 */
function physicalIdFor(event: CloudFormationCustomResourceEvent, enrollment: Enrollment): string {
  if (event.RequestType === 'Update') {
    const previous = enrollmentOfPhysicalId(event.PhysicalResourceId);
    if (previous && sameTarget(previous, enrollment)) return event.PhysicalResourceId;
  }
  return physicalIdOf(enrollment);
}

function sameTarget(a: Enrollment, b: Enrollment): boolean {
  return a.accountId === b.accountId && a.bucketName === b.bucketName && a.logFilePrefix === b.logFilePrefix && a.key.arn === b.key.arn;
}

async function assertSameRegion(store: PolicyStore, run: Run, enrollment: Enrollment): Promise<void> {
  run.enter('checking the bucket region');
  const bucketRegion = await store.getBucketRegion(enrollment.bucketName, run.signal);
  if (bucketRegion !== enrollment.key.region) {
    fail(`The bucket ${enrollment.bucketName} is in ${bucketRegion} but the key ${enrollment.key.arn} is in ${enrollment.key.region}, and CloudTrail needs both in one region; use a key in ${bucketRegion} or a bucket in ${enrollment.key.region}.`);
  }
}

async function assertActiveMember(deps: Dependencies, run: Run, enrollment: Enrollment, organizationId: string): Promise<void> {
  run.enter('checking organization membership');
  const organizations = await deps.organizationMembership(enrollment.key.partition);
  const account = await organizations.describeAccount(enrollment.accountId, run.signal);
  if (!account || !account.arn.includes(`/${organizationId}/`)) {
    fail(`Account ${enrollment.accountId} is not a member of organization ${organizationId}, so it is not enrolled; invite it to the organization first or check ORGANIZATION_ID.`);
  }
  if (account.status !== 'ACTIVE') {
    fail(`Account ${enrollment.accountId} is ${account.status} in organization ${organizationId}, not ACTIVE, so it is not enrolled; enroll it once it is active.`);
  }
}

async function remove(event: CloudFormationCustomResourceEvent & { RequestType: 'Delete' }, run: Run, deps: Dependencies): Promise<Outcome> {
  const id = event.PhysicalResourceId;
  const done: Outcome = { status: 'SUCCESS', physicalResourceId: id };
  run.enter('validating the request');
  // First, so a malformed setting fails every request (R2), this one too.
  const settings = readSettings(deps.env);
  const enrollment = enrollmentOfPhysicalId(id);
  if (!enrollment) {
    log.info('nothing enrolled under this id; nothing to remove', { physicalResourceId: id });
    return done;
  }
  const stackAccount = accountOfStackId(event.StackId);
  if (!stackAccount || !stackMayManage(enrollment.accountId, stackAccount, enrollment.key.ownerAccountId, settings)) {
    log.warn('a stack may remove only its own account; nothing written', { accountId: enrollment.accountId, stackAccount: stackAccount ?? null });
    return done;
  }
  const context = ledgerContext(deps, settings);
  const holder = holderOf(event);
  const holding = holdingOf(enrollment, holder);
  const recalled = await recallAnswer(event, run, context.ledger);
  if (recalled) return recalled;
  // A target the function is no longer pinned to (SPEC R39): the holding goes, no policy is touched; its entries
  // stay as found until reconcile may remove what the function wrote and nobody holds.
  if (!holdingInScope(holding, pinsOf(settings))) {
    run.enter('releasing the holding in the enrollment ledger');
    await context.ledger.deleteHolding(holding, run.signal);
    log.warn('the id names a target this function is no longer pinned to; its holding was released and no policy was touched', { accountId: enrollment.accountId, bucket: enrollment.bucketName, prefix: enrollment.logFilePrefix, key: enrollment.key.arn, stackId: event.StackId });
    return done;
  }
  if (isProtected(enrollment.accountId, enrollment.key, settings)) {
    run.enter('releasing the holding in the enrollment ledger');
    await context.ledger.deleteHolding(holding, run.signal);
    log.info('protected account is never removed from the policies; its holding was released', { accountId: enrollment.accountId, stackId: event.StackId });
    return done;
  }
  // The Delete of the id the resource stands on is its last: holdings an id-changing Update superseded, whose
  // cleanup Delete failed and was never retried, go with it (SPEC R39).
  run.enter('reading the enrollment ledger');
  const record = await context.ledger.holderRecord(holder, run.signal);
  const superseded = record.current === holdingKey(holding) ? record.holdings.filter((h) => holdingKey(h) !== holdingKey(holding)) : [];
  run.failureId = id;
  const change = await changeLedger(context, run, [], [holding, ...superseded]);
  if (change.generation === 0) {
    log.warn('the ledger knows no holding of this stack for this enrollment; nothing released', { accountId: enrollment.accountId, stackId: event.StackId, logicalResourceId: event.LogicalResourceId });
    await awaitUnprojectedChanges(context, run, enrollment.accountId);
    return done;
  }
  const report = await settle(context, run, change, () => undefined);
  log.info('removed', { ...changeFields(event, enrollment, change.generation, report), supersededReleased: superseded.length });
  return done;
}

/**
 * SPEC R39: a Delete whose holding is already gone (a retry, a duplicate, an earlier attempt that died before the
 * projection) still waits for one projection when the ledger holds an unprojected change of the account: a
 * pending change, or an entry the function wrote that no stack holds any more.
 */
async function awaitUnprojectedChanges(context: LedgerContext, run: Run, accountId: string): Promise<void> {
  const { ledger, settings } = context;
  run.enter('looking for unprojected changes of the account in the enrollment ledger');
  const [state, items] = await Promise.all([ledger.readState(run.signal), ledger.readAccounts([accountId], run.signal)]);
  const { inScope, keepers } = scopeLedger(items, pinsOf(settings));
  const holders = [...inScope.holdings, ...keepers];
  const orphaned = [
    ...inScope.bucketEntries.filter((e) => e.origin === 'written' && !holders.some((h) => bucketEntryKey(h) === bucketEntryKey(e))),
    ...inScope.keyEntries.filter((e) => e.origin === 'written' && !holders.some((h) => keyEntryKey(h) === keyEntryKey(e))),
  ].filter((e) => !isProtected(e.accountId, parseKeyArn(e.keyArn, 'The ledger key ARN'), settings));
  const pending = state.pending.some((token) => token.startsWith(`${accountId}#`));
  if (!pending && orphaned.length === 0) return;
  const pairs = [...new Set(orphaned.map((e) => pairId(e)))];
  await awaitProjection(context, run, { generation: await ledger.registerChange([accountId], run.signal), accounts: [accountId], pairs });
}
