import { trailArnPattern } from './arns';
import { fail } from './errors';
import { asList, cloneDocument, PolicyDocument, Statement } from './policy-document';
import { admitMemberInSourceConditions, dismissMemberFromSourceConditions, dismissTrailArnFromSourceConditions, MemberTrail, sourceConditionGaps } from './source-conditions';
import { CLOUDTRAIL_SERVICE, denyingStatementsNaming, findTargetStatement, StatementSelector } from './statement-lookup';

export const DEFAULT_KEY_POLICY_SID = 'Allow CloudTrail to encrypt logs';
export const ENCRYPTION_CONTEXT_KEY = 'kms:EncryptionContext:aws:cloudtrail:arn';

export interface KeyTarget {
  keyArn: string;
  sid: string;
}

export function keyPolicyName(keyArn: string): string {
  return `key policy of ${keyArn}`;
}

function selector(target: KeyTarget): StatementSelector {
  return { policyName: keyPolicyName(target.keyArn), sid: target.sid, action: 'kms:GenerateDataKey*' };
}

/** Where the statement lists trail ARN patterns: Condition.StringLike[kms:EncryptionContext:aws:cloudtrail:arn]. */
interface ContextSlot {
  key: string;
}

function contextKeyUnder(statement: Statement, operator: string): string | undefined {
  const entries = statement.Condition?.[operator];
  if (!entries) return undefined;
  return Object.keys(entries).find((k) => k.toLowerCase() === ENCRYPTION_CONTEXT_KEY.toLowerCase());
}

/**
 * The StringLike slot of the statement; undefined when the statement has no encryption-context condition at all
 * (it then admits every trail already, and narrowing it would cut off the accounts it serves).
 */
function contextSlot(statement: Statement, target: KeyTarget): ContextSlot | undefined {
  const key = contextKeyUnder(statement, 'StringLike');
  if (key) return { key };
  const elsewhere = Object.keys(statement.Condition ?? {}).find((op) => contextKeyUnder(statement, op));
  if (elsewhere) {
    fail(`The statement "${statement.Sid ?? '(no Sid)'}" of the ${keyPolicyName(target.keyArn)} checks ${ENCRYPTION_CONTEXT_KEY} with ${elsewhere}, not StringLike; move those values under StringLike so trail ARN patterns can be listed.`);
  }
  return undefined;
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

function contextValues(statement: Statement): string[] {
  return Object.values(statement.Condition ?? {}).flatMap((entries) =>
    Object.entries(entries ?? {}).flatMap(([k, v]) => (k.toLowerCase() === ENCRYPTION_CONTEXT_KEY.toLowerCase() ? asList(v) : [])),
  );
}

/** The key policy with arn:<partition>:cloudtrail:*:<account>:trail/* listed (and confused-deputy values added). */
export function enrollInKeyPolicy(current: PolicyDocument, target: KeyTarget, member: MemberTrail): PolicyDocument {
  const document = cloneDocument(current);
  const pattern = trailArnPattern(member.partition, member.accountId);
  const denials = denyingStatementsNaming(document, pattern, contextValues);
  if (denials.length > 0) {
    fail(`The ${keyPolicyName(target.keyArn)} denies ${pattern} in statement ${denials.join(', ')}, so the member's trail would still be refused; remove that Deny by hand.`);
  }
  const index = findTargetStatement(document, selector(target));
  if (index === -1) {
    document.Statement.push(documentedEncryptStatement(target, pattern));
    return document;
  }
  const statement = document.Statement[index]!;
  const slot = contextSlot(statement, target);
  if (slot) {
    const values = asList(statement.Condition!.StringLike![slot.key]);
    if (!values.includes(pattern)) statement.Condition!.StringLike![slot.key] = [...values, pattern];
  }
  admitMemberInSourceConditions(statement, member, keyPolicyName(target.keyArn));
  return document;
}

/** The key policy without the member's pattern; the statement goes when its last pattern goes (SPEC R7). */
export function removeFromKeyPolicy(current: PolicyDocument, target: KeyTarget, member: MemberTrail): PolicyDocument {
  const document = cloneDocument(current);
  const index = findTargetStatement(document, selector(target));
  if (index === -1) return document;
  const statement = document.Statement[index]!;
  const slot = contextSlot(statement, target);
  if (!slot) return document;
  const pattern = trailArnPattern(member.partition, member.accountId);
  const values = asList(statement.Condition!.StringLike![slot.key]);
  if (!values.includes(pattern)) return document;
  const kept = values.filter((v) => v !== pattern);
  statement.Condition!.StringLike![slot.key] = kept;
  const conditionEmptied = dismissMemberFromSourceConditions(statement, member);
  if (kept.length === 0 || conditionEmptied) document.Statement.splice(index, 1);
  if (document.Statement.length === 0) {
    fail(`Removing ${member.accountId} would leave the ${keyPolicyName(target.keyArn)} with no statement at all; add the key administrators' statement before removing the last account.`);
  }
  return document;
}

/** The managed statement's trail patterns; undefined when the statement admits every trail (no condition). */
export function managedKeyPatterns(current: PolicyDocument, target: KeyTarget): string[] | undefined {
  const index = findTargetStatement(current, selector(target));
  if (index === -1) return [];
  const statement = current.Statement[index]!;
  const slot = contextSlot(statement, target);
  return slot ? asList(statement.Condition!.StringLike![slot.key]) : undefined;
}

/** What still keeps the member's trail from encrypting with the key; empty when enrolled. */
export function keyEnrollmentGaps(current: PolicyDocument, target: KeyTarget, member: MemberTrail): string[] {
  const index = findTargetStatement(current, selector(target));
  if (index === -1) return [`the ${keyPolicyName(target.keyArn)} has no statement that lets CloudTrail call kms:GenerateDataKey*`];
  const statement = current.Statement[index]!;
  const patterns = managedKeyPatterns(current, target);
  const pattern = trailArnPattern(member.partition, member.accountId);
  const gaps = patterns === undefined || patterns.includes(pattern) ? [] : [`StringLike ${ENCRYPTION_CONTEXT_KEY} does not list ${pattern}`];
  const denials = denyingStatementsNaming(current, pattern, contextValues).map((d) => `statement ${d} denies ${pattern}`);
  return [...gaps, ...sourceConditionGaps(statement, member), ...denials];
}

/** The key policy without one retired exact trail ARN in the managed statement's conditions (SPEC R16). */
export function retireTrailArnInKeyPolicy(current: PolicyDocument, target: KeyTarget, trailArn: string): PolicyDocument {
  const document = cloneDocument(current);
  const index = findTargetStatement(document, selector(target));
  if (index !== -1) dismissTrailArnFromSourceConditions(document.Statement[index]!, trailArn);
  return document;
}
