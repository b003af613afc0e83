import { Partition, parseTrailArn, trailArnPattern } from './arns';
import { fail } from './errors';
import { asList, Statement } from './policy-document';
import { wildcardMatch, wildcardsIntersect } from './wildcards';

/**
 * Confused-deputy conditions (SPEC R14): aws:SourceAccount / aws:SourceArn lists on the statement we edit
 * must admit the member, or CloudTrail is still denied although the account is "enrolled". The key policy's
 * encryption-context key (kms:EncryptionContext:aws:cloudtrail:arn) is read the same way as aws:SourceArn:
 * like-operators list trail patterns, equals-operators list exact trail ARNs.
 */
export interface MemberTrail {
  partition: Partition;
  accountId: string;
  /** Exact trail ARN; needed only when a statement pins aws:SourceArn under StringEquals/ArnEquals. */
  trailArn?: string;
}

export const ENCRYPTION_CONTEXT_KEY = 'kms:EncryptionContext:aws:cloudtrail:arn';
const SOURCE_ACCOUNT = 'aws:sourceaccount';
const SOURCE_ARN = 'aws:sourcearn';
const CONTEXT = ENCRYPTION_CONTEXT_KEY.toLowerCase();

/** A condition operator with its variants folded: …IfExists, ForAnyValue:/ForAllValues:, …IgnoreCase. */
export interface OperatorFamily {
  family: 'equals' | 'like' | 'negated' | 'other';
  /** The negated operator's positive form, for matching its values. */
  matching?: 'equals' | 'like';
  ignoreCase: boolean;
  base: string;
}

export function operatorFamily(operator: string): OperatorFamily {
  let base = operator.replace(/^For(?:AnyValue|AllValues):/i, '').replace(/IfExists$/i, '');
  const ignoreCase = /IgnoreCase$/i.test(base);
  base = base.replace(/IgnoreCase$/i, '').toLowerCase();
  switch (base) {
    case 'stringequals':
    case 'arnequals':
      return { family: 'equals', ignoreCase, base };
    case 'stringlike':
    case 'arnlike':
      return { family: 'like', ignoreCase, base };
    case 'stringnotequals':
    case 'arnnotequals':
      return { family: 'negated', matching: 'equals', ignoreCase, base };
    case 'stringnotlike':
    case 'arnnotlike':
      return { family: 'negated', matching: 'like', ignoreCase, base };
    default:
      return { family: 'other', ignoreCase, base };
  }
}

type Kind = 'source-account' | 'arn-like' | 'arn-equals' | 'negated';

export interface ConditionSlot {
  operator: string;
  key: string;
  kind: Kind;
  family: OperatorFamily;
  /** Which managed key: an account list or a trail ARN list (aws:SourceArn or the encryption context). */
  subject: 'account' | 'source-arn' | 'context';
}

function slotOf(operator: string, key: string): ConditionSlot | undefined {
  const name = key.toLowerCase();
  const subject = name === SOURCE_ACCOUNT ? 'account' : name === SOURCE_ARN ? 'source-arn' : name === CONTEXT ? 'context' : undefined;
  if (!subject) return undefined;
  const family = operatorFamily(operator);
  if (family.family === 'other') return undefined;
  if (family.family === 'negated') return { operator, key, kind: 'negated', family, subject };
  if (subject === 'account') return { operator, key, kind: 'source-account', family, subject };
  return { operator, key, kind: family.family === 'like' ? 'arn-like' : 'arn-equals', family, subject };
}

/** Every managed condition list of the statement, in document order. */
export function slotsOf(statement: Statement): ConditionSlot[] {
  const slots: ConditionSlot[] = [];
  for (const [operator, entries] of Object.entries(statement.Condition ?? {})) {
    if (!entries || typeof entries !== 'object') continue;
    for (const key of Object.keys(entries)) {
      const slot = slotOf(operator, key);
      if (slot) slots.push(slot);
    }
  }
  return slots;
}

export function valuesOf(statement: Statement, slot: ConditionSlot): string[] {
  return asList(statement.Condition![slot.operator]![slot.key]);
}

function setValues(statement: Statement, slot: ConditionSlot, values: string[]): void {
  statement.Condition![slot.operator]![slot.key] = values;
}

function includes(values: string[], wanted: string, ignoreCase: boolean): boolean {
  return values.some((v) => (ignoreCase ? v.toLowerCase() === wanted.toLowerCase() : v === wanted));
}

/** The trail ARNs CloudTrail may send for the member: its TrailArn when known, else every trail of the account. */
export function memberTrailPattern(member: MemberTrail): string {
  return member.trailArn ?? trailArnPattern(member.partition, member.accountId);
}

/** Whether a negated list's value shuts the member out (its trail or account could match it). */
function excludesMember(value: string, slot: ConditionSlot, member: MemberTrail): boolean {
  const ignoreCase = slot.family.ignoreCase;
  if (slot.subject === 'account') {
    return slot.family.matching === 'like' ? wildcardMatch(value, member.accountId, ignoreCase) : value === member.accountId;
  }
  if (slot.family.matching === 'like') return wildcardsIntersect(value, memberTrailPattern(member), ignoreCase, ':');
  if (value === trailArnPattern(member.partition, member.accountId)) return true;
  if (member.trailArn) return includes([value], member.trailArn, ignoreCase);
  const trail = parseTrailArn(value);
  return trail !== undefined && trail.accountId === member.accountId;
}

export function statementName(statement: Statement, policyName: string): string {
  return `statement "${statement.Sid ?? '(no Sid)'}" of the ${policyName}`;
}

/** Adds the member to every confused-deputy list of the statement (mutates the statement). */
export function admitMemberInSourceConditions(statement: Statement, member: MemberTrail, policyName: string): void {
  for (const slot of slotsOf(statement)) {
    const values = valuesOf(statement, slot);
    let wanted: string;
    if (slot.kind === 'negated') {
      const named = values.filter((v) => excludesMember(v, slot, member));
      if (named.length > 0) {
        fail(`The ${statementName(statement, policyName)} excludes ${named.join(', ')} with ${slot.operator} ${slot.key}, so the member's trail would still be denied; remove that value by hand.`);
      }
      continue;
    } else if (slot.kind === 'source-account') {
      wanted = member.accountId;
    } else if (slot.kind === 'arn-like') {
      wanted = trailArnPattern(member.partition, member.accountId);
      // A broader pattern already there (the account-list layout's arn:<p>:cloudtrail:*:*:trail/*) admits it.
      if (values.some((v) => wildcardMatch(v, wanted, slot.family.ignoreCase))) continue;
    } else {
      if (!member.trailArn) {
        fail(`The ${statementName(statement, policyName)} allows only exact trail ARNs (${slot.operator} ${slot.key}), so the member's trail would be denied; set the TrailArn property to the member trail's ARN (arn:${member.partition}:cloudtrail:<region>:${member.accountId}:trail/<name>).`);
      }
      wanted = member.trailArn;
    }
    if (!includes(values, wanted, slot.family.ignoreCase)) setValues(statement, slot, [...values, wanted]);
  }
}

/**
 * Takes the member out of every confused-deputy list we manage (mutates the statement).
 * Returns true when a list became empty: the caller must drop the statement, because an empty or missing
 * condition would widen access (SPEC R7).
 */
export function dismissMemberFromSourceConditions(statement: Statement, member: MemberTrail): boolean {
  let emptied = false;
  for (const slot of slotsOf(statement)) {
    if (slot.kind === 'negated') continue;
    const values = valuesOf(statement, slot);
    const ignoreCase = slot.family.ignoreCase;
    const kept = values.filter((value) => {
      if (slot.kind === 'source-account') return value !== member.accountId;
      if (slot.kind === 'arn-like') return !includes([value], trailArnPattern(member.partition, member.accountId), ignoreCase);
      const trail = parseTrailArn(value);
      return !(trail && trail.accountId === member.accountId && trail.partition === member.partition);
    });
    if (kept.length === values.length) continue;
    if (kept.length === 0) emptied = true;
    setValues(statement, slot, kept);
  }
  return emptied;
}

/** Why the statement's confused-deputy conditions would still deny the member; empty when they admit it. */
export function sourceConditionGaps(statement: Statement, member: MemberTrail): string[] {
  const gaps: string[] = [];
  const pattern = trailArnPattern(member.partition, member.accountId);
  for (const slot of slotsOf(statement)) {
    const values = valuesOf(statement, slot);
    const ignoreCase = slot.family.ignoreCase;
    const label = `${slot.operator} ${slot.key}`;
    if (slot.kind === 'negated') {
      if (values.some((v) => excludesMember(v, slot, member))) gaps.push(`${label} excludes the account`);
    } else if (slot.kind === 'source-account') {
      if (!values.some((v) => (slot.family.base.endsWith('like') ? wildcardMatch(v, member.accountId) : v === member.accountId))) gaps.push(`${label} does not list the account`);
    } else if (slot.kind === 'arn-like') {
      if (!values.some((v) => wildcardMatch(v, pattern, ignoreCase))) gaps.push(`${label} does not list ${pattern}`);
    } else {
      const admitted = member.trailArn ? includes(values, member.trailArn, ignoreCase) : values.some((v) => parseTrailArn(v)?.accountId === member.accountId);
      if (!admitted) gaps.push(`${label} does not list ${member.trailArn ?? 'a trail of the account'}`);
    }
  }
  return gaps;
}

/**
 * Takes one exact trail ARN out of the statement's equals-lists of trail ARNs (mutates), after an Update
 * replaced it (SPEC R16). A list it would empty is left alone: the statement still serves that trail.
 */
export function dismissTrailArnFromSourceConditions(statement: Statement, trailArn: string): void {
  for (const slot of slotsOf(statement)) {
    if (slot.kind !== 'arn-equals') continue;
    const values = valuesOf(statement, slot);
    const kept = values.filter((value) => value !== trailArn);
    if (kept.length !== values.length && kept.length > 0) setValues(statement, slot, kept);
  }
}
