import { asList, describeStatement, PolicyDocument, Statement } from './policy-document';
import { ENCRYPTION_CONTEXT_KEY, memberTrailPattern, MemberTrail, operatorFamily } from './source-conditions';
import { CLOUDTRAIL_SERVICE } from './statement-lookup';
import { wildcardMatch, wildcardsIntersect } from './wildcards';

/**
 * Deny statements that would still refuse CloudTrail's delivery for a member (SPEC R14): enrolling next to one
 * would report success for a trail that cannot write. A Deny applies when its principal, action and resource
 * patterns (wildcards included) match the delivery and its conditions can hold for it.
 */
export interface Delivery {
  /** The action CloudTrail calls: s3:PutObject, kms:GenerateDataKey. */
  action: string;
  /** The resource as a wildcard pattern (the member's AWSLogs/<account>/* objects, or the key ARN). */
  resource: string;
  member: MemberTrail;
  /** Request context values CloudTrail is known to send, beyond aws:SourceAccount / aws:SourceArn. */
  context: Record<string, string>;
}

function principalMatches(statement: Statement): boolean {
  if (statement.NotPrincipal !== undefined) {
    const excluded = statement.NotPrincipal as unknown;
    if (excluded === '*') return false;
    const services = asList((excluded as { Service?: string | string[] } | null)?.Service);
    return !services.some((s) => wildcardMatch(s, CLOUDTRAIL_SERVICE, true));
  }
  const principal = statement.Principal;
  if (principal === undefined) return false;
  if (principal === '*') return true;
  if (typeof principal !== 'object') return false;
  if (asList(principal.AWS).includes('*')) return true;
  return asList(principal.Service).some((s) => wildcardMatch(s, CLOUDTRAIL_SERVICE, true));
}

function actionMatches(statement: Statement, action: string): boolean {
  if (statement.NotAction !== undefined) return !asList(statement.NotAction).some((a) => wildcardMatch(a, action, true));
  return asList(statement.Action).some((a) => wildcardMatch(a, action, true));
}

function resourceMatches(statement: Statement, resource: string): boolean {
  if (statement.NotResource !== undefined) return !asList(statement.NotResource).some((r) => covers(r, resource));
  return asList(statement.Resource).some((r) => wildcardsIntersect(r, resource));
}

/** Whether the pattern matches every value the request pattern stands for (its wildcards line up). */
function covers(pattern: string, request: string, ignoreCase = false): boolean {
  return wildcardMatch(pattern, request, ignoreCase);
}

/**
 * What the delivery sends for a condition key, as a wildcard pattern when only its shape is known;
 * undefined for keys we know nothing about (their condition may hold).
 */
function requestValue(key: string, delivery: Delivery): { value: string; exact: boolean; excludes?: string } | undefined {
  const name = key.toLowerCase();
  if (name === 'aws:sourceaccount') return { value: delivery.member.accountId, exact: true };
  if (name === 'aws:sourcearn' || name === ENCRYPTION_CONTEXT_KEY.toLowerCase()) {
    return { value: memberTrailPattern(delivery.member), exact: delivery.member.trailArn !== undefined, excludes: ':' };
  }
  const known = Object.entries(delivery.context).find(([k]) => k.toLowerCase() === name);
  return known ? { value: known[1], exact: true } : undefined;
}

/** Whether one operator/key/values entry of a Deny can be true for the delivery. */
function entryCanHold(operator: string, key: string, values: string[], delivery: Delivery): boolean {
  const request = requestValue(key, delivery);
  if (!request) return true;
  const op = operatorFamily(operator);
  const ignoreCase = op.ignoreCase;
  if (op.base === 'bool') return values.some((v) => v.toLowerCase() === request.value.toLowerCase());
  if (op.base === 'null') return values.some((v) => v.toLowerCase() === 'false');
  const equalsHits = (v: string) => (request.exact ? (ignoreCase ? v.toLowerCase() === request.value.toLowerCase() : v === request.value) : wildcardMatch(request.value, v, ignoreCase));
  const likeHits = (v: string) => wildcardsIntersect(v, request.value, ignoreCase, request.excludes);
  switch (op.family) {
    case 'equals':
      return values.some(equalsHits);
    case 'like':
      return values.some(likeHits);
    case 'negated':
      // True unless a listed value covers every value the request may carry.
      if (op.matching === 'like') return !values.some((v) => covers(v, request.value, ignoreCase));
      return !(request.exact && values.some(equalsHits));
    default:
      return true;
  }
}

function conditionsCanHold(statement: Statement, delivery: Delivery): boolean {
  for (const [operator, entries] of Object.entries(statement.Condition ?? {})) {
    if (!entries || typeof entries !== 'object') continue;
    for (const [key, value] of Object.entries(entries)) {
      if (!entryCanHold(operator, key, asList(value), delivery)) return false;
    }
  }
  return true;
}

/** The Deny statements that would refuse the delivery, described for a message ("Sid" or #n (no Sid)). */
export function denyingStatements(document: PolicyDocument | undefined, delivery: Delivery): string[] {
  return (document?.Statement ?? []).flatMap((statement, index) =>
    statement.Effect === 'Deny' && principalMatches(statement) && actionMatches(statement, delivery.action) && resourceMatches(statement, delivery.resource) && conditionsCanHold(statement, delivery)
      ? [describeStatement(statement, index)]
      : [],
  );
}

/**
 * CloudTrail's PutObject of the member's log files: over TLS, with the bucket-owner-full-control ACL, encrypted
 * with SSE-KMS under the trail key (the trail names it by the ARN the enrollment returns), so a Deny that requires
 * that encryption or that key never blocks the delivery.
 */
export function bucketDelivery(resource: string, member: MemberTrail, keyArn?: string): Delivery {
  return {
    action: 's3:PutObject',
    resource,
    member,
    context: {
      'aws:SecureTransport': 'true',
      's3:x-amz-acl': 'bucket-owner-full-control',
      's3:x-amz-server-side-encryption': 'aws:kms',
      ...(keyArn ? { 's3:x-amz-server-side-encryption-aws-kms-key-id': keyArn } : {}),
      'aws:PrincipalServiceName': CLOUDTRAIL_SERVICE,
      'aws:PrincipalIsAWSService': 'true',
    },
  };
}

/** CloudTrail's GenerateDataKey on the key for the member's trails. */
export function keyDelivery(keyArn: string, member: MemberTrail): Delivery {
  return {
    action: 'kms:GenerateDataKey',
    resource: keyArn,
    member,
    context: { 'aws:SecureTransport': 'true', 'aws:PrincipalServiceName': CLOUDTRAIL_SERVICE, 'aws:PrincipalIsAWSService': 'true' },
  };
}
