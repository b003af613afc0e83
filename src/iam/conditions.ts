import { wildcardMatch } from '../core/wildcards';
import { and, not, or, Tri } from './tri';

/**
 * A statement's Condition block against a request context, as IAM documents it
 * (reference_policies_elements_condition_operators, reference_policies_condition-logic-multiple-context-keys-or-values):
 * operators and keys are ANDed, the values of one key ORed (NORed under a negated operator); condition keys match
 * case-insensitively; a key the request lacks makes a positive operator false and a negated one true, except under
 * …IfExists (true), Null (its own test), ForAllValues: (true) and ForAnyValue: (false).
 * Operators this evaluator does not implement, and policy variables (${…}), give `unknown`, never a guess.
 */

/** A request's condition keys (any case). A multivalued key is a list; an absent key is missing. */
export type RequestContext = Readonly<Record<string, string | readonly string[]>>;

/** One operator/key entry that does not hold, for messages: "StringEquals aws:SourceOrgID". */
export interface ConditionEntry {
  operator: string;
  key: string;
}

interface Operator {
  set?: 'any' | 'all';
  ifExists: boolean;
  /** Lower-case positive form: stringequals, stringlike, arnlike, bool, null… */
  match: string;
  negated: boolean;
}

const POSITIVE: Record<string, string> = {
  stringequals: 'stringequals',
  stringequalsignorecase: 'stringequalsignorecase',
  stringlike: 'stringlike',
  arnequals: 'arnlike',
  arnlike: 'arnlike',
  bool: 'bool',
  null: 'null',
};
const NEGATED: Record<string, string> = {
  stringnotequals: 'stringequals',
  stringnotequalsignorecase: 'stringequalsignorecase',
  stringnotlike: 'stringlike',
  arnnotequals: 'arnlike',
  arnnotlike: 'arnlike',
};

function parseOperator(name: string): Operator | undefined {
  const parsed = /^(?:(ForAnyValue|ForAllValues):)?(.+?)(IfExists)?$/i.exec(name);
  if (!parsed) return undefined;
  const base = parsed[2]!.toLowerCase();
  const set = parsed[1] === undefined ? undefined : parsed[1].toLowerCase() === 'foranyvalue' ? 'any' : 'all';
  const ifExists = parsed[3] !== undefined;
  const match = POSITIVE[base] ?? NEGATED[base];
  if (match === undefined) return undefined;
  // Null takes no IfExists and no set operator: IAM rejects those forms.
  if (match === 'null' && (ifExists || set)) return undefined;
  return { ...(set ? { set } : {}), ifExists, match, negated: base in NEGATED };
}

/**
 * ARN matching: each of the six colon-separated parts on its own, `*` and `?` within a part, case-sensitive.
 * A pattern that does not start like an ARN ("*") is one wildcard string; an ARN pattern with fewer than six parts
 * is malformed, and what IAM makes of it is not documented.
 */
export function arnMatches(pattern: string, value: string): Tri {
  const p = arnParts(pattern);
  const v = arnParts(value);
  if (!p) return pattern.startsWith('arn:') ? 'unknown' : wildcardMatch(pattern, value);
  if (!v) return false;
  return p.every((part, i) => wildcardMatch(part, v[i]!));
}

function arnParts(value: string): string[] | undefined {
  const parts = value.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

function matchesValue(match: string, policyValue: string, requestValue: string): Tri {
  if (policyValue.includes('${')) return 'unknown';
  switch (match) {
    case 'stringequals':
      return policyValue === requestValue;
    case 'stringequalsignorecase':
      return policyValue.toLowerCase() === requestValue.toLowerCase();
    case 'stringlike':
      return wildcardMatch(policyValue, requestValue);
    case 'arnlike':
      return arnMatches(policyValue, requestValue);
    case 'bool':
      return policyValue.toLowerCase() === requestValue.toLowerCase();
    default:
      return 'unknown';
  }
}

/** A policy value list as strings: JSON booleans and numbers count as their text ("Bool": {"k": false}). */
export function policyValues(raw: unknown): string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  return list.filter((v) => v !== undefined && v !== null).map(String);
}

function lookup(context: RequestContext, key: string): string[] | undefined {
  const wanted = key.toLowerCase();
  const found = Object.keys(context).find((k) => k.toLowerCase() === wanted);
  if (found === undefined) return undefined;
  const value = context[found]!;
  const list = typeof value === 'string' ? [value] : [...value];
  return list.length === 0 ? undefined : list;
}

/** Whether one operator/key entry holds for the request. */
export function entryHolds(operatorName: string, key: string, rawValues: unknown, context: RequestContext): Tri {
  const operator = parseOperator(operatorName);
  if (!operator) return 'unknown';
  const values = policyValues(rawValues);
  const present = lookup(context, key);
  if (operator.match === 'null') {
    const answers = values.map((v) => v.toLowerCase());
    if (answers.some((a) => a !== 'true' && a !== 'false')) return 'unknown';
    return answers.includes(present === undefined ? 'true' : 'false');
  }
  if (present === undefined) {
    if (operator.ifExists) return true;
    if (operator.set === 'all') return true;
    if (operator.set === 'any') return false;
    return operator.negated;
  }
  const holdsFor = (requestValue: string): Tri => {
    const matched = or(values.map((v) => matchesValue(operator.match, v, requestValue)));
    return operator.negated ? not(matched) : matched;
  };
  if (operator.set === 'any') return or(present.map(holdsFor));
  if (operator.set === 'all') return and(present.map(holdsFor));
  // A multivalued key needs a set operator; what IAM does without one is not documented.
  return present.length === 1 ? holdsFor(present[0]!) : 'unknown';
}

/** The whole Condition block (undefined: no conditions); `failed` collects the entries that are false. */
export function conditionsHold(condition: unknown, context: RequestContext, failed: ConditionEntry[] = []): Tri {
  if (condition === undefined) return true;
  if (!condition || typeof condition !== 'object' || Array.isArray(condition)) return 'unknown';
  const results: Tri[] = [];
  for (const [operator, entries] of Object.entries(condition as Record<string, unknown>)) {
    if (!entries || typeof entries !== 'object' || Array.isArray(entries)) {
      results.push('unknown');
      continue;
    }
    for (const [key, values] of Object.entries(entries as Record<string, unknown>)) {
      const holds = entryHolds(operator, key, values, context);
      if (holds === false) failed.push({ operator, key });
      results.push(holds);
    }
  }
  return and(results);
}
