import { Partition, parseTrailArn, trailArnPattern } from './arns';
import { fail } from './errors';
import { asList, Statement } from './policy-document';

/**
 * Confused-deputy conditions (SPEC R14): aws:SourceAccount / aws:SourceArn lists on the statement we edit
 * must admit the member, or CloudTrail is still denied although the account is "enrolled".
 */
export interface MemberTrail {
  partition: Partition;
  accountId: string;
  /** Exact trail ARN; needed only when a statement pins aws:SourceArn under StringEquals/ArnEquals. */
  trailArn?: string;
}

type Kind = 'source-account' | 'source-arn-like' | 'source-arn-equals' | 'negated';

interface ConditionSlot {
  operator: string;
  key: string;
  kind: Kind;
}

function kindOf(operator: string, key: string): Kind | undefined {
  const base = operator.replace(/IfExists$/, '');
  const name = key.toLowerCase();
  if (name !== 'aws:sourceaccount' && name !== 'aws:sourcearn') return undefined;
  if (/Not/.test(base)) return 'negated';
  if (name === 'aws:sourceaccount') return base === 'StringEquals' || base === 'StringLike' ? 'source-account' : undefined;
  if (base === 'StringLike' || base === 'ArnLike') return 'source-arn-like';
  if (base === 'StringEquals' || base === 'ArnEquals') return 'source-arn-equals';
  return undefined;
}

function slotsOf(statement: Statement): ConditionSlot[] {
  const slots: ConditionSlot[] = [];
  for (const [operator, entries] of Object.entries(statement.Condition ?? {})) {
    for (const key of Object.keys(entries ?? {})) {
      const kind = kindOf(operator, key);
      if (kind) slots.push({ operator, key, kind });
    }
  }
  return slots;
}

function valuesOf(statement: Statement, slot: ConditionSlot): string[] {
  return asList(statement.Condition![slot.operator]![slot.key]);
}

function setValues(statement: Statement, slot: ConditionSlot, values: string[]): void {
  statement.Condition![slot.operator]![slot.key] = values;
}

function namesMember(value: string, member: MemberTrail): boolean {
  if (value === member.accountId || value === trailArnPattern(member.partition, member.accountId)) return true;
  const trail = parseTrailArn(value);
  return trail !== undefined && trail.accountId === member.accountId;
}

function statementName(statement: Statement, policyName: string): string {
  return `statement "${statement.Sid ?? '(no Sid)'}" of the ${policyName}`;
}

/** Adds the member to every confused-deputy list of the statement (mutates the statement). */
export function admitMemberInSourceConditions(statement: Statement, member: MemberTrail, policyName: string): void {
  for (const slot of slotsOf(statement)) {
    const values = valuesOf(statement, slot);
    let wanted: string;
    if (slot.kind === 'negated') {
      const named = values.filter((v) => namesMember(v, member));
      if (named.length > 0) {
        fail(`The ${statementName(statement, policyName)} excludes ${named.join(', ')} with ${slot.operator} ${slot.key}, so the member's trail would still be denied; remove that value by hand.`);
      }
      continue;
    } else if (slot.kind === 'source-account') {
      wanted = member.accountId;
    } else if (slot.kind === 'source-arn-like') {
      wanted = trailArnPattern(member.partition, member.accountId);
    } else {
      if (!member.trailArn) {
        fail(`The ${statementName(statement, policyName)} allows only exact trail ARNs (${slot.operator} ${slot.key}), so the member's trail would be denied; set the TrailArn property to the member trail's ARN (arn:${member.partition}:cloudtrail:<region>:${member.accountId}:trail/<name>).`);
      }
      wanted = member.trailArn;
    }
    if (!values.includes(wanted)) setValues(statement, slot, [...values, wanted]);
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
    const kept = values.filter((value) => {
      if (slot.kind === 'source-account') return value !== member.accountId;
      if (slot.kind === 'source-arn-like') return value !== trailArnPattern(member.partition, member.accountId);
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
  for (const slot of slotsOf(statement)) {
    const values = valuesOf(statement, slot);
    const label = `${slot.operator} ${slot.key}`;
    if (slot.kind === 'negated') {
      if (values.some((v) => namesMember(v, member))) gaps.push(`${label} excludes the account`);
    } else if (slot.kind === 'source-account') {
      if (!values.includes(member.accountId)) gaps.push(`${label} does not list the account`);
    } else if (slot.kind === 'source-arn-like') {
      if (!values.includes(trailArnPattern(member.partition, member.accountId))) gaps.push(`${label} does not list ${trailArnPattern(member.partition, member.accountId)}`);
    } else {
      const admitted = member.trailArn
        ? values.includes(member.trailArn)
        : values.some((v) => parseTrailArn(v)?.accountId === member.accountId);
      if (!admitted) gaps.push(`${label} does not list ${member.trailArn ?? 'a trail of the account'}`);
    }
  }
  return gaps;
}

/**
 * Takes one exact trail ARN out of the statement's StringEquals/ArnEquals aws:SourceArn lists (mutates), after
 * an Update replaced it (SPEC R16). A list it would empty is left alone: the statement still serves that trail.
 */
export function dismissTrailArnFromSourceConditions(statement: Statement, trailArn: string): void {
  for (const slot of slotsOf(statement)) {
    if (slot.kind !== 'source-arn-equals') continue;
    const values = valuesOf(statement, slot);
    const kept = values.filter((value) => value !== trailArn);
    if (kept.length !== values.length && kept.length > 0) setValues(statement, slot, kept);
  }
}
