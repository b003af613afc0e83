import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { OperatorError, fail } from '../core/errors';
import { bucketPolicyListsAccount } from '../core/bucket-policy';
import { parsePolicy } from '../core/policy-document';
import { Enrollment, foreignAccountMessage, isProtected, resolveEnrollment, stackAccountId, stackMayManage } from '../config/enrollment';
import { readSettings, Settings } from '../config/settings';
import { isBucketName } from '../config/validate';
import { accountOfStackId, isAccountId } from '../core/arns';
import { log } from '../log';
import { applyPolicies } from './apply-policies';
import { enrollPlan, removePlan, responseData, sizeCheck, targetsOf } from './enrollment-plans';
import { enrollmentOfPhysicalId, notEnrolledId, physicalIdOf } from './physical-id';
import { OrganizationMembership, PolicyStore } from './ports';
import { Run } from './run';

export interface Outcome {
  status: 'SUCCESS' | 'FAILED';
  physicalResourceId: string;
  reason?: string;
  data?: Record<string, string>;
}

export interface Dependencies {
  env: Record<string, string | undefined>;
  policyStore(region: string): PolicyStore;
  organizationMembership(partition: string): Promise<OrganizationMembership>;
}

/** The id a FAILED response carries: a failed Create's no-op id, or the id CloudFormation already has (SPEC R16, R17). */
export function failureId(event: CloudFormationCustomResourceEvent): string {
  if (event.RequestType !== 'Create') return event.PhysicalResourceId;
  const requested = event.ResourceProperties?.AccountId;
  const account = typeof requested === 'string' && isAccountId(requested) ? requested : accountOfStackId(event.StackId) ?? '000000000000';
  return notEnrolledId(account, event.RequestId ?? '');
}

export function reasonOf(error: unknown, run: Run): string {
  if (error instanceof OperatorError) return error.message;
  return `The function failed unexpectedly while ${run.step} (${(error as Error)?.name ?? 'Error'}); check its logs for this request and retry the stack operation.`;
}

export async function handleRequest(event: CloudFormationCustomResourceEvent, run: Run, deps: Dependencies): Promise<Outcome> {
  try {
    if (event.RequestType === 'Delete') return await remove(event, run, deps);
    if (event.RequestType === 'Create' || event.RequestType === 'Update') return await enroll(event, run, deps);
    fail(`The request type ${JSON.stringify((event as { RequestType?: unknown }).RequestType)} is not Create, Update or Delete; only CloudFormation should invoke this function.`);
  } catch (error) {
    if (!(error instanceof OperatorError)) log.error('unexpected error', { step: run.step, error: (error as Error)?.stack ?? String(error) });
    return { status: 'FAILED', physicalResourceId: failureId(event), reason: reasonOf(error, run) };
  }
}

async function enroll(event: CloudFormationCustomResourceEvent, run: Run, deps: Dependencies): Promise<Outcome> {
  run.enter('validating the request');
  const settings = readSettings(deps.env);
  const enrollment = resolveEnrollment(event.ResourceProperties, event.StackId, settings);
  const stackAccount = stackAccountId(event.StackId);
  if (!stackMayManage(enrollment.accountId, stackAccount, enrollment.key.ownerAccountId, settings)) {
    fail(foreignAccountMessage(enrollment.accountId, stackAccount));
  }
  const store = deps.policyStore(enrollment.key.region);
  await assertSameRegion(store, run, enrollment);
  if (settings.organizationId) await assertActiveMember(deps, run, enrollment, settings.organizationId);

  const targets = targetsOf(enrollment, settings);
  const outcome = await applyPolicies(store, run, { bucketName: enrollment.bucketName, key: enrollment.key }, enrollPlan(targets), sizeCheck(targets));
  log.info('enrolled', { accountId: enrollment.accountId, bucket: enrollment.bucketName, prefix: enrollment.logFilePrefix, key: enrollment.key.arn, ...outcome });
  return { status: 'SUCCESS', physicalResourceId: physicalIdFor(event, enrollment), data: responseData(enrollment) };
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
  const enrollment = enrollmentOfPhysicalId(id);
  if (!enrollment) {
    log.info('nothing enrolled under this id; nothing to remove', { physicalResourceId: id });
    return done;
  }
  run.enter('validating the request');
  const settings = readSettings(deps.env);
  const stackAccount = accountOfStackId(event.StackId);
  if (!stackAccount || !stackMayManage(enrollment.accountId, stackAccount, enrollment.key.ownerAccountId, settings)) {
    log.warn('a stack may remove only its own account; nothing written', { accountId: enrollment.accountId, stackAccount: stackAccount ?? null });
    return done;
  }
  if (isProtected(enrollment.accountId, enrollment.key, settings)) {
    log.info('protected account is never removed; nothing written', { accountId: enrollment.accountId });
    return done;
  }
  const mismatch = pinMismatch(enrollment, settings);
  if (mismatch) {
    log.warn('the id names a target this function is no longer pinned to; remove the entry there by hand', { accountId: enrollment.accountId, target: mismatch });
    return done;
  }
  const targets = targetsOf(enrollment, settings);
  const store = deps.policyStore(enrollment.key.region);
  const otherBucketListsAccount = await otherBucketStillLists(store, run, event.ResourceProperties?.BucketName, enrollment, settings);
  const outcome = await applyPolicies(store, run, { bucketName: enrollment.bucketName, key: enrollment.key }, removePlan(targets, otherBucketListsAccount), sizeCheck(targets));
  log.info('removed', { accountId: enrollment.accountId, bucket: enrollment.bucketName, prefix: enrollment.logFilePrefix, key: enrollment.key.arn, keptKeyEntry: otherBucketListsAccount, ...outcome });
  return done;
}

/**
 * After a move to another bucket, the cleanup Delete's properties name the new bucket; while that bucket lists
 * the account, the shared key entry stays (SPEC R16). An unreadable bucket counts as listing it: keeping a key
 * entry is safer than cutting off a live trail.
 */
async function otherBucketStillLists(store: PolicyStore, run: Run, named: unknown, enrollment: Enrollment, settings: Settings): Promise<boolean> {
  if (typeof named !== 'string' || named === enrollment.bucketName || !isBucketName(named)) return false;
  try {
    run.enter(`reading the bucket policy of ${named}`);
    const text = await store.getBucketPolicy(named, run.signal);
    const document = text === undefined ? undefined : parsePolicy(text, `bucket policy of ${named}`);
    const target = { ...targetsOf(enrollment, settings).bucket, bucketName: named };
    return bucketPolicyListsAccount(document, target, enrollment.accountId);
  } catch (error) {
    if (run.expired) throw error;
    log.warn('could not read the bucket the properties name; keeping the key entry', { bucket: named, error: (error as Error).message });
    return true;
  }
}
