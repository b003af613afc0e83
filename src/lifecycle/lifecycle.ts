import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { OperatorError, fail } from '../core/errors';
import { Enrollment, foreignAccountMessage, isProtected, resolveEnrollment, stackAccountId, stackMayManage } from '../config/enrollment';
import { readSettings, requireLedgerTable, Settings } from '../config/settings';
import { accountOfStackId, isAccountId } from '../core/arns';
import { Holder, Holding, holdingKey, holdingOf } from '../ledger/model';
import { log } from '../log';
import { awaitProjection, reconcile } from './group-commit';
import { enrollmentOfPhysicalId, notEnrolledId, physicalIdOf } from './physical-id';
import { LedgerStore, OrganizationMembership, PolicyStore } from './ports';
import { LedgerContext, ProjectionReport } from './project-ledger';
import { responseData } from './response-data';
import { failureReason, Run } from './run';

export interface Outcome {
  status: 'SUCCESS' | 'FAILED';
  physicalResourceId: string;
  reason?: string;
  data?: Record<string, string>;
}

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
interface LedgerChange {
  /** 0 when the ledger did not change (a Delete of a holding it does not know). */
  generation: number;
  undo(): Promise<void>;
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
  const generation = puts.length + removed.length === 0 ? 0 : await ledger.bumpGeneration(run.signal);
  return {
    generation,
    async undo() {
      run.enter('undoing the change in the enrollment ledger');
      for (const [holding, previous] of replaced) {
        if (previous) await ledger.putHolding(previous, run.signal);
        else await ledger.deleteHolding(holding, run.signal);
      }
      for (const holding of removed) await ledger.putHolding(holding, run.signal);
      await awaitProjection(context, run, await ledger.bumpGeneration(run.signal));
    },
  };
}

/** Waits for the change to be in both policies; on failure undoes it before answering unless time ran out (R29). */
async function settle(context: LedgerContext, run: Run, change: LedgerChange): Promise<ProjectionReport | undefined> {
  try {
    return await awaitProjection(context, run, change.generation);
  } catch (error) {
    if (run.expired) throw error;
    return undoAndFail(run, change, error);
  }
}

/** Undoes the change, then fails with the original error; says so when the undo fails too. */
async function undoAndFail(run: Run, change: LedgerChange, error: unknown): Promise<never> {
  try {
    await change.undo();
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
  const store = context.policyStore(enrollment.key.region);
  await assertSameRegion(store, run, enrollment);
  if (settings.organizationId) await assertActiveMember(deps, run, enrollment, settings.organizationId);

  const physicalResourceId = physicalIdFor(event, enrollment);
  const holding = holdingOf(enrollment, holder);
  run.enter('reading the enrollment ledger');
  const previous = await context.ledger.getHolding(holding, run.signal);
  const retired = [...(previous?.retiredTrailArns ?? []), ...(previous?.trailArn && previous.trailArn !== holding.trailArn ? [previous.trailArn] : [])].filter((t) => t !== holding.trailArn);
  if (retired.length > 0) holding.retiredTrailArns = [...new Set(retired)];
  // An Update that keeps its id is where the resource now stands: other holdings of this resource are the
  // leftovers of an Update that failed after its guard fired, and no Delete will ever name them (R29).
  const leftovers = event.RequestType === 'Update' && physicalResourceId === event.PhysicalResourceId ? (await context.ledger.holdingsOf(holder, run.signal)).filter((h) => holdingKey(h) !== holdingKey(holding)) : [];
  const change = await changeLedger(context, run, [holding], leftovers);
  run.failureId = event.RequestType === 'Create' ? physicalIdOf(enrollment) : event.PhysicalResourceId;
  // Once undone, a failed Create has nothing left for its rollback Delete: it answers the not-enrolled id.
  const undoable: LedgerChange = {
    generation: change.generation,
    async undo() {
      await change.undo();
      if (event.RequestType === 'Create') run.failureId = undefined;
    },
  };
  const report = await settle(context, run, undoable);
  run.enter('reading the outcome from the enrollment ledger');
  const outcome = await context.ledger.getHolding(holding, run.signal);
  if (!outcome || (outcome.rejected && (outcome.rejectedIn ?? 0) >= change.generation)) {
    const reason = outcome?.rejected ?? `Another request removed this enrollment's holding from the ledger while it was being applied; retry the stack operation.`;
    await undoAndFail(run, undoable, new OperatorError(reason));
  }
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

function pinMismatch(enrollment: Enrollment, settings: Settings): string | undefined {
  if (settings.pinnedBucketName && settings.pinnedBucketName !== enrollment.bucketName) return `bucket ${enrollment.bucketName}`;
  if (settings.pinnedKey && settings.pinnedKey.arn !== enrollment.key.arn) return `key ${enrollment.key.arn}`;
  if (settings.pinnedLogFilePrefix !== undefined && settings.pinnedLogFilePrefix !== enrollment.logFilePrefix) return `prefix '${enrollment.logFilePrefix}'`;
  return undefined;
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
  const mismatch = pinMismatch(enrollment, settings);
  if (mismatch) {
    log.warn('the id names a target this function is no longer pinned to; remove the entry there by hand', { accountId: enrollment.accountId, target: mismatch });
    return done;
  }
  const context = ledgerContext(deps, settings);
  const holding = holdingOf(enrollment, holderOf(event));
  if (isProtected(enrollment.accountId, enrollment.key, settings)) {
    run.enter('releasing the holding in the enrollment ledger');
    await context.ledger.deleteHolding(holding, run.signal);
    log.info('protected account is never removed from the policies; its holding was released', { accountId: enrollment.accountId, stackId: event.StackId });
    return done;
  }
  const change = await changeLedger(context, run, [], [holding]);
  if (change.generation === 0) {
    log.warn('the ledger knows no holding of this stack for this enrollment; nothing written', { accountId: enrollment.accountId, stackId: event.StackId, logicalResourceId: event.LogicalResourceId });
    return done;
  }
  const report = await settle(context, run, change);
  log.info('removed', changeFields(event, enrollment, change.generation, report));
  return done;
}
