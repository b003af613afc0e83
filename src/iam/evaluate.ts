import { describeStatement, PolicyDocument, Statement } from '../core/policy-document';
import { wildcardMatch } from '../core/wildcards';
import { ConditionEntry, conditionsHold, policyValues, RequestContext } from './conditions';
import { Caller, statementPrincipal } from './principals';
import { and, Tri } from './tri';

/**
 * A concrete request against one resource policy (an SNS topic policy, an S3 bucket policy, a KMS key policy),
 * following IAM's policy evaluation logic (reference_policies_evaluation-logic): an explicit Deny wins, an Allow
 * grants, anything else is denied by default. The caller's own IAM policies, SCPs and RCPs are outside this
 * document; `delegatedToAccount` says when the grant depends on them.
 */
export type { Caller } from './principals';
export type { RequestContext } from './conditions';

export interface AccessRequest {
  caller: Caller;
  /** service:Action, matched case-insensitively. */
  action: string;
  /** The resource ARN, matched case-sensitively with `*` and `?` wildcards. */
  resource: string;
  context: RequestContext;
}

export type Decision = 'allowed' | 'explicitly-denied' | 'implicitly-denied' | 'undetermined';

export interface Evaluation {
  decision: Decision;
  /** Statements that allow the request ("Sid" or #n (no Sid)). */
  allowedBy: string[];
  /** Statements that deny it. */
  deniedBy: string[];
  /** Allow statements whose principal, action and resource match but whose conditions do not hold, with the entries that fail. */
  unmet: Array<{ statement: string; conditions: ConditionEntry[] }>;
  /** Statements this evaluator cannot decide (an operator it does not implement, a policy variable, NotPrincipal on an Allow). */
  undecided: string[];
  /** Every allowing statement names the caller's account rather than the caller: the account's IAM policies must allow too. */
  delegatedToAccount: boolean;
}

function actionMatches(statement: Statement, action: string): boolean {
  if (statement.NotAction !== undefined) return !policyValues(statement.NotAction).some((a) => wildcardMatch(a, action, true));
  return policyValues(statement.Action).some((a) => wildcardMatch(a, action, true));
}

function resourceMatches(statement: Statement, resource: string): Tri {
  const negated = statement.NotResource !== undefined;
  const patterns = policyValues(negated ? statement.NotResource : statement.Resource);
  if (patterns.some((p) => p.includes('${'))) return 'unknown';
  const hit = patterns.some((p) => wildcardMatch(p, resource));
  return negated ? !hit : hit;
}

interface StatementResult {
  name: string;
  effect: 'Allow' | 'Deny';
  applies: Tri;
  viaAccount: boolean;
  /** Principal, action and resource match; only conditions are in question. */
  targeted: boolean;
  failed: ConditionEntry[];
}

function evaluateStatement(statement: Statement, index: number, request: AccessRequest): StatementResult | undefined {
  if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') return undefined;
  const principal = statementPrincipal(statement, request.caller);
  const scope = and([principal === 'unknown' ? 'unknown' : principal !== false, actionMatches(statement, request.action), resourceMatches(statement, request.resource)]);
  const failed: ConditionEntry[] = [];
  const conditions = scope === false ? false : conditionsHold(statement.Condition, request.context, failed);
  return {
    name: describeStatement(statement, index),
    effect: statement.Effect,
    applies: and([scope, conditions]),
    viaAccount: principal === 'account',
    targeted: scope === true,
    failed,
  };
}

export function evaluate(policy: PolicyDocument | undefined, request: AccessRequest): Evaluation {
  const results = (policy?.Statement ?? []).flatMap((s, i) => evaluateStatement(s, i, request) ?? []);
  const allows = results.filter((r) => r.effect === 'Allow');
  const denies = results.filter((r) => r.effect === 'Deny');
  const allowedBy = allows.filter((r) => r.applies === true);
  const deniedBy = denies.filter((r) => r.applies === true).map((r) => r.name);
  const maybeAllowed = allows.some((r) => r.applies === 'unknown');
  const maybeDenied = denies.some((r) => r.applies === 'unknown');
  let decision: Decision;
  if (deniedBy.length > 0) decision = 'explicitly-denied';
  else if (allowedBy.length === 0 && !maybeAllowed) decision = 'implicitly-denied';
  else if (maybeDenied || allowedBy.length === 0) decision = 'undetermined';
  else decision = 'allowed';
  return {
    decision,
    allowedBy: allowedBy.map((r) => r.name),
    deniedBy,
    unmet: allows.filter((r) => r.targeted && r.applies === false && r.failed.length > 0).map((r) => ({ statement: r.name, conditions: r.failed })),
    undecided: results.filter((r) => r.applies === 'unknown').map((r) => r.name),
    delegatedToAccount: allowedBy.length > 0 && allowedBy.every((r) => r.viaAccount),
  };
}

/** "StringEquals aws:SourceOrgID and StringLike aws:SourceArn", for messages. */
export function describeConditions(entries: readonly ConditionEntry[]): string {
  return entries.map((e) => `${e.operator} ${e.key}`).join(' and ');
}
