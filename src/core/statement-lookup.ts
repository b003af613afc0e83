import { fail } from './errors';
import { wildcardMatch } from './wildcards';
import { asList, describeStatement, principalServices, PolicyDocument, Statement } from './policy-document';

export const CLOUDTRAIL_SERVICE = 'cloudtrail.amazonaws.com';

/** Which statement of a policy this project manages (SPEC R4). */
export interface StatementSelector {
  /** "bucket policy of my-bucket", "key policy of arn:…" — used in every message. */
  policyName: string;
  sid: string;
  action: string;
}

/** Whether the statement's Action covers the action; wildcards count (`s3:Put*`, `s3:*`, `*`). */
export function grantsAction(statement: Statement, action: string): boolean {
  return asList(statement.Action).some((a) => a.toLowerCase() === action.toLowerCase() || wildcardMatch(a, action, true));
}

/** An Allow statement that lets cloudtrail.amazonaws.com call the action (SPEC R4). */
export function isCloudTrailGrant(statement: Statement, action: string): boolean {
  return statement.Effect === 'Allow' && principalServices(statement).includes(CLOUDTRAIL_SERVICE) && grantsAction(statement, action);
}

/**
 * Index of the statement we edit, or -1 when the policy has none (the caller may then add one).
 * Refuses statements it cannot safely edit: a Deny, a NotPrincipal, duplicate Sids, several candidates.
 */
export function findTargetStatement(document: PolicyDocument, selector: StatementSelector): number {
  const statements = document.Statement;
  const bySid = statements.flatMap((s, i) => (s.Sid === selector.sid ? [i] : []));
  if (bySid.length > 1) {
    fail(`The ${selector.policyName} has ${bySid.length} statements with Sid "${selector.sid}"; merge them into one by hand so there is a single statement to edit.`);
  }
  if (bySid.length === 1) {
    const index = bySid[0]!;
    assertEditable(statements[index]!, selector);
    return index;
  }
  const candidates = statements.flatMap((s, i) => (isCloudTrailGrant(s, selector.action) ? [i] : []));
  if (candidates.length > 1) {
    const names = candidates.map((i) => describeStatement(statements[i]!, i)).join(', ');
    fail(`The ${selector.policyName} has ${candidates.length} statements that let CloudTrail call ${selector.action} (${names}) and none has Sid "${selector.sid}"; give the one to manage that Sid or merge them.`);
  }
  if (candidates.length === 1) {
    const index = candidates[0]!;
    assertEditable(statements[index]!, selector);
    return index;
  }
  return -1;
}

function assertEditable(statement: Statement, selector: StatementSelector): void {
  const name = `statement "${statement.Sid ?? '(no Sid)'}" of the ${selector.policyName}`;
  if (statement.Effect !== 'Allow') {
    fail(`The ${name} has Effect ${JSON.stringify(statement.Effect)}, not Allow; rename its Sid or set the configured Sid on the Allow statement for CloudTrail.`);
  }
  if (statement.NotPrincipal !== undefined) {
    fail(`The ${name} uses NotPrincipal, which this function does not edit; rewrite it with Principal {"Service": "${CLOUDTRAIL_SERVICE}"}.`);
  }
  for (const negative of ['NotResource', 'NotAction'] as const) {
    if (statement[negative] !== undefined) {
      fail(`The ${name} uses ${negative}, which this function does not edit because adding an entry there would take access away; rewrite it with ${negative === 'NotResource' ? 'Resource' : 'Action'} or point the configured Sid at another statement.`);
    }
  }
  if (!principalServices(statement).includes(CLOUDTRAIL_SERVICE)) {
    fail(`The ${name} does not name ${CLOUDTRAIL_SERVICE} as its principal; point the configured Sid at the CloudTrail statement.`);
  }
  if (!grantsAction(statement, selector.action)) {
    fail(`The ${name} does not allow ${selector.action}; point the configured Sid at the statement that does.`);
  }
}
