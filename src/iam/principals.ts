import { Statement } from '../core/policy-document';
import { policyValues } from './conditions';
import { Tri } from './tri';

/**
 * Who makes the request: an IAM principal by its ARN (a role's ARN for an assumed-role session, as
 * aws:PrincipalArn carries it, or an account's arn:<p>:iam::<account>:root), or an AWS service principal.
 */
export type Caller = { kind: 'aws'; arn: string } | { kind: 'service'; service: string };

/**
 * How a statement's principal covers the caller (reference_policies_elements_principal): `caller` when it names
 * the caller or everyone, `account` when it names only the caller's account (12 digits or arn:<p>:iam::<id>:root),
 * which delegates the decision to that account's IAM policies; false when it names someone else.
 */
export type PrincipalMatch = 'caller' | 'account' | false;

export function accountOf(caller: Caller): string | undefined {
  return caller.kind === 'aws' ? /^arn:[^:]+:(?:iam|sts)::([0-9]{12}):/.exec(caller.arn)?.[1] : undefined;
}

function namesAccount(value: string, accountId: string | undefined): boolean {
  if (accountId === undefined) return false;
  return value === accountId || new RegExp(`^arn:[^:]+:iam::${accountId}:root$`).test(value);
}

function listed(principal: unknown, type: 'AWS' | 'Service'): string[] {
  if (!principal || typeof principal !== 'object' || Array.isArray(principal)) return [];
  return policyValues((principal as Record<string, unknown>)[type]);
}

function principalMatch(principal: unknown, caller: Caller): PrincipalMatch {
  if (principal === '*') return 'caller';
  const aws = listed(principal, 'AWS');
  // "AWS": "*" is everyone, like "*" (reference_policies_elements_principal, anonymous access).
  if (aws.includes('*')) return 'caller';
  if (caller.kind === 'service') return listed(principal, 'Service').some((s) => s.toLowerCase() === caller.service.toLowerCase()) ? 'caller' : false;
  if (aws.includes(caller.arn)) return 'caller';
  return aws.some((a) => namesAccount(a, accountOf(caller))) ? 'account' : false;
}

/**
 * Whether a NotPrincipal leaves the caller out (reference_policies_elements_notprincipal): AWS checks the account,
 * then the role, so an IAM principal is left out only when both its own ARN and its account are listed (the
 * account root alone is left out by its account). NotPrincipal "*" leaves everyone out.
 */
function leftOut(notPrincipal: unknown, caller: Caller): boolean {
  if (notPrincipal === '*') return true;
  const aws = listed(notPrincipal, 'AWS');
  if (aws.includes('*')) return true;
  if (caller.kind === 'service') return listed(notPrincipal, 'Service').some((s) => s.toLowerCase() === caller.service.toLowerCase());
  const account = accountOf(caller);
  const accountListed = aws.some((a) => namesAccount(a, account));
  return accountListed && (aws.includes(caller.arn) || namesAccount(caller.arn, account));
}

/**
 * The statement's principal against the caller. NotPrincipal is documented for Deny only: a Deny applies to
 * everyone it does not leave out; an Allow with NotPrincipal is not supported by AWS, so it is `unknown` here.
 */
export function statementPrincipal(statement: Statement, caller: Caller): PrincipalMatch | Exclude<Tri, boolean> {
  if (statement.NotPrincipal !== undefined) {
    if (statement.Effect !== 'Deny') return 'unknown';
    return leftOut(statement.NotPrincipal, caller) ? false : 'caller';
  }
  return statement.Principal === undefined ? false : principalMatch(statement.Principal, caller);
}
