import { Partition, PARTITIONS, parseTrailArn, trailArnPattern } from './arns';
import { denyingStatements, keyDelivery } from './deny';
import { fail } from './errors';
import { cloneDocument, PolicyDocument, Statement } from './policy-document';
import {
  admitMemberInSourceConditions,
  dismissMemberFromSourceConditions,
  dismissTrailArnFromSourceConditions,
  ENCRYPTION_CONTEXT_KEY,
  MemberTrail,
  slotsOf,
  sourceConditionGaps,
  valuesOf,
} from './source-conditions';
import { CLOUDTRAIL_SERVICE, findTargetStatement, StatementSelector } from './statement-lookup';

export const DEFAULT_KEY_POLICY_SID = 'Allow CloudTrail to encrypt logs';
export { ENCRYPTION_CONTEXT_KEY };

export interface KeyTarget {
  keyArn: string;
  sid: string;
}

export function keyPolicyName(keyArn: string): string {
  return `key policy of ${keyArn}`;
}

/** Which statement of the key policy is managed (SPEC R4). */
export function keyStatementSelector(target: KeyTarget): StatementSelector {
  return { policyName: keyPolicyName(target.keyArn), sid: target.sid, action: 'kms:GenerateDataKey*' };
}

function partitionOf(keyArn: string): Partition {
  const partition = /^arn:([^:]+):/.exec(keyArn)?.[1];
  return (PARTITIONS as readonly string[]).includes(partition ?? '') ? (partition as Partition) : 'aws';
}

function documentedEncryptStatement(target: KeyTarget, pattern: string): Statement {
  return {
    Sid: target.sid,
    Effect: 'Allow',
    Principal: { Service: CLOUDTRAIL_SERVICE },
    Action: 'kms:GenerateDataKey*',
    Resource: '*',
    Condition: { StringLike: { [ENCRYPTION_CONTEXT_KEY]: [pattern] } },
  };
}

function refuseDenials(document: PolicyDocument, target: KeyTarget, member: MemberTrail): void {
  const denials = denyingStatements(document, keyDelivery(target.keyArn, member));
  if (denials.length > 0) {
    const pattern = trailArnPattern(member.partition, member.accountId);
    fail(`The ${keyPolicyName(target.keyArn)} denies CloudTrail's kms:GenerateDataKey for ${pattern} in statement ${denials.join(', ')}, so the member's trail would still be refused; narrow or remove that Deny by hand.`);
  }
}

/**
 * The key policy with the member admitted: arn:<partition>:cloudtrail:*:<account>:trail/* under every
 * like-operator that lists the encryption-context key, TrailArn under every equals-operator, the account in
 * every aws:SourceAccount list (SPEC R14). A statement with no such list admits every trail and stays as it is.
 */
export function enrollInKeyPolicy(current: PolicyDocument, target: KeyTarget, member: MemberTrail): PolicyDocument {
  const document = cloneDocument(current);
  const pattern = trailArnPattern(member.partition, member.accountId);
  refuseDenials(document, target, member);
  const index = findTargetStatement(document, keyStatementSelector(target));
  if (index === -1) {
    document.Statement.push(documentedEncryptStatement(target, pattern));
    return document;
  }
  admitMemberInSourceConditions(document.Statement[index]!, member, keyPolicyName(target.keyArn));
  return document;
}

/**
 * The key policy without the member in any list of the managed statement; the statement goes when one of its
 * lists loses its last value (SPEC R7).
 */
export function removeFromKeyPolicy(current: PolicyDocument, target: KeyTarget, member: MemberTrail): PolicyDocument {
  const document = cloneDocument(current);
  const index = findTargetStatement(document, keyStatementSelector(target));
  if (index === -1) return document;
  const statement = document.Statement[index]!;
  if (dismissMemberFromSourceConditions(statement, member)) document.Statement.splice(index, 1);
  if (document.Statement.length === 0) {
    fail(`Removing ${member.accountId} would leave the ${keyPolicyName(target.keyArn)} with no statement at all; add the key administrators' statement before removing the last account.`);
  }
  return document;
}

/**
 * The trail patterns the managed statement admits; undefined when it admits every trail (no list at all).
 * Patterns come from the encryption-context like-lists; without those, from the accounts of its exact trail
 * ARNs, else from its aws:SourceAccount lists, so "listed" means the same thing whichever list narrows it.
 */
export function managedKeyPatterns(current: PolicyDocument, target: KeyTarget): string[] | undefined {
  const index = findTargetStatement(current, keyStatementSelector(target));
  if (index === -1) return [];
  const statement = current.Statement[index]!;
  const slots = slotsOf(statement).filter((s) => s.kind !== 'negated');
  const unique = (values: string[]) => [...new Set(values)];
  const like = slots.filter((s) => s.subject === 'context' && s.kind === 'arn-like');
  if (like.length > 0) return unique(like.flatMap((s) => valuesOf(statement, s)));
  const partition = partitionOf(target.keyArn);
  const exact = slots.filter((s) => s.subject === 'context' && s.kind === 'arn-equals');
  if (exact.length > 0) return unique(exact.flatMap((s) => valuesOf(statement, s).flatMap((v) => parseTrailArn(v)?.accountId ?? []).map((a) => trailArnPattern(partition, a))));
  const accounts = slots.filter((s) => s.kind === 'source-account');
  if (accounts.length > 0) return unique(accounts.flatMap((s) => valuesOf(statement, s)).map((a) => trailArnPattern(partition, a)));
  return undefined;
}

/** What still keeps the member's trail from encrypting with the key; empty when enrolled. */
export function keyEnrollmentGaps(current: PolicyDocument, target: KeyTarget, member: MemberTrail): string[] {
  const index = findTargetStatement(current, keyStatementSelector(target));
  if (index === -1) return [`the ${keyPolicyName(target.keyArn)} has no statement that lets CloudTrail call kms:GenerateDataKey*`];
  const statement = current.Statement[index]!;
  const pattern = trailArnPattern(member.partition, member.accountId);
  const denials = denyingStatements(current, keyDelivery(target.keyArn, member)).map((d) => `statement ${d} denies ${pattern}`);
  return [...sourceConditionGaps(statement, member), ...denials];
}

/** The key policy without one retired exact trail ARN in the managed statement's conditions (SPEC R16). */
export function retireTrailArnInKeyPolicy(current: PolicyDocument, target: KeyTarget, trailArn: string): PolicyDocument {
  const document = cloneDocument(current);
  const index = findTargetStatement(document, keyStatementSelector(target));
  if (index !== -1) dismissTrailArnFromSourceConditions(document.Statement[index]!, trailArn);
  return document;
}
