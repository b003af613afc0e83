import { bucketArn, bucketLogsResource, Partition } from './arns';
import { fail } from './errors';
import { asList, cloneDocument, PolicyDocument, Statement } from './policy-document';
import { admitMemberInSourceConditions, dismissMemberFromSourceConditions, dismissTrailArnFromSourceConditions, MemberTrail, sourceConditionGaps } from './source-conditions';
import { bucketDelivery, denyingStatements } from './deny';
import { CLOUDTRAIL_SERVICE, findTargetStatement, isCloudTrailGrant, StatementSelector } from './statement-lookup';

export const DEFAULT_BUCKET_POLICY_SID = 'AWSCloudTrailWrite20131101';
const ACL_CHECK_SID = 'AWSCloudTrailAclCheck20131101';

export interface BucketTarget {
  partition: Partition;
  bucketName: string;
  logFilePrefix: string;
  sid: string;
  /** The trail key, when known: CloudTrail names it in its SSE-KMS headers, which a bucket Deny may check (SPEC R14). */
  keyArn?: string;
}

export function bucketPolicyName(bucketName: string): string {
  return `bucket policy of ${bucketName}`;
}

/** Which statement of the bucket policy is managed (SPEC R4); the prefix plays no part. */
export function bucketStatementSelector(target: Pick<BucketTarget, 'bucketName' | 'sid'>): StatementSelector {
  return { policyName: bucketPolicyName(target.bucketName), sid: target.sid, action: 's3:PutObject' };
}

function emptyPolicy(): PolicyDocument {
  return { Version: '2012-10-17', Statement: [] };
}

function documentedWriteStatement(target: BucketTarget, resource: string): Statement {
  return {
    Sid: target.sid,
    Effect: 'Allow',
    Principal: { Service: CLOUDTRAIL_SERVICE },
    Action: 's3:PutObject',
    Resource: [resource],
    Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
  };
}

function documentedAclCheckStatement(target: BucketTarget): Statement {
  return {
    Sid: ACL_CHECK_SID,
    Effect: 'Allow',
    Principal: { Service: CLOUDTRAIL_SERVICE },
    Action: 's3:GetBucketAcl',
    Resource: bucketArn(target.partition, target.bucketName),
  };
}

function grantsAclCheck(document: PolicyDocument): boolean {
  return document.Statement.some((s) => isCloudTrailGrant(s, 's3:GetBucketAcl'));
}

/**
 * The bucket policy with the member's AWSLogs/<account>/* entry (and its confused-deputy values) added.
 * With no policy or no CloudTrail statement yet, adds the documented statements (SPEC R4).
 */
export function enrollInBucketPolicy(current: PolicyDocument | undefined, target: BucketTarget, member: MemberTrail): PolicyDocument {
  const document = current ? cloneDocument(current) : emptyPolicy();
  const resource = bucketLogsResource(target.partition, target.bucketName, target.logFilePrefix, member.accountId);
  const denials = denyingStatements(document, bucketDelivery(resource, member, target.keyArn));
  if (denials.length > 0) {
    fail(`The ${bucketPolicyName(target.bucketName)} denies CloudTrail's s3:PutObject to ${resource} in statement ${denials.join(', ')}, so the member's trail would still be refused; narrow or remove that Deny by hand.`);
  }
  const index = findTargetStatement(document, bucketStatementSelector(target));
  if (index === -1) {
    if (!grantsAclCheck(document)) document.Statement.push(documentedAclCheckStatement(target));
    document.Statement.push(documentedWriteStatement(target, resource));
    return document;
  }
  const statement = document.Statement[index]!;
  const resources = asList(statement.Resource);
  if (!resources.includes(resource)) statement.Resource = [...resources, resource];
  admitMemberInSourceConditions(statement, member, bucketPolicyName(target.bucketName));
  return document;
}

/**
 * The bucket policy without the member's entry for this prefix. The account's confused-deputy values go only
 * when no other prefix of the account remains in the statement. Returns undefined when no statement is left
 * (S3 refuses an empty policy: the caller deletes it).
 */
export function removeFromBucketPolicy(current: PolicyDocument | undefined, target: BucketTarget, member: MemberTrail): PolicyDocument | undefined {
  if (!current) return undefined;
  const document = cloneDocument(current);
  const index = findTargetStatement(document, bucketStatementSelector(target));
  if (index === -1) return document;
  const statement = document.Statement[index]!;
  const resource = bucketLogsResource(target.partition, target.bucketName, target.logFilePrefix, member.accountId);
  const resources = asList(statement.Resource);
  if (!resources.includes(resource)) return document;
  const kept = resources.filter((r) => r !== resource);
  statement.Resource = kept;
  const accountStillListed = kept.some((r) => isAccountLogsResource(r, target, member.accountId));
  const conditionEmptied = !accountStillListed && dismissMemberFromSourceConditions(statement, member);
  if (kept.length === 0 || conditionEmptied) document.Statement.splice(index, 1);
  return document.Statement.length === 0 ? undefined : document;
}

function isAccountLogsResource(resource: string, target: BucketTarget, accountId: string): boolean {
  const head = `${bucketArn(target.partition, target.bucketName)}/`;
  const tail = `AWSLogs/${accountId}/*`;
  if (!resource.startsWith(head) || !resource.endsWith(tail)) return false;
  const prefix = resource.slice(head.length, resource.length - tail.length);
  return prefix === '' || prefix.endsWith('/');
}

/** The managed statement's Resource entries, or none when the policy has no such statement. */
export function managedBucketResources(current: PolicyDocument | undefined, target: BucketTarget): string[] {
  if (!current) return [];
  const index = findTargetStatement(current, bucketStatementSelector(target));
  return index === -1 ? [] : asList(current.Statement[index]!.Resource);
}

/** Whether the managed statement still lists the account under any prefix (SPEC R16: the key entry is shared). */
export function bucketPolicyListsAccount(current: PolicyDocument | undefined, target: BucketTarget, accountId: string): boolean {
  return managedBucketResources(current, target).some((r) => isAccountLogsResource(r, target, accountId));
}

/** What still keeps the member's trail from writing under this prefix; empty when enrolled. */
export function bucketEnrollmentGaps(current: PolicyDocument | undefined, target: BucketTarget, member: MemberTrail): string[] {
  if (!current) return [`the bucket ${target.bucketName} has no bucket policy`];
  const index = findTargetStatement(current, bucketStatementSelector(target));
  if (index === -1) return [`the ${bucketPolicyName(target.bucketName)} has no statement that lets CloudTrail write`];
  const statement = current.Statement[index]!;
  const resource = bucketLogsResource(target.partition, target.bucketName, target.logFilePrefix, member.accountId);
  const gaps = asList(statement.Resource).includes(resource) ? [] : [`Resource does not list ${resource}`];
  const denials = denyingStatements(current, bucketDelivery(resource, member, target.keyArn)).map((d) => `statement ${d} denies ${resource}`);
  return [...gaps, ...sourceConditionGaps(statement, member), ...denials];
}

/** The bucket policy without one retired exact trail ARN in the managed statement's conditions (SPEC R16). */
export function retireTrailArnInBucketPolicy(current: PolicyDocument | undefined, target: BucketTarget, trailArn: string): PolicyDocument | undefined {
  if (!current) return undefined;
  const document = cloneDocument(current);
  const index = findTargetStatement(document, bucketStatementSelector(target));
  if (index !== -1) dismissTrailArnFromSourceConditions(document.Statement[index]!, trailArn);
  return document;
}
