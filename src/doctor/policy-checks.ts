import { StatusReport } from '../estate/status-report';
import { bucketLogsResource } from '../core/arns';
import { bucketPolicyName, bucketStatementSelector } from '../core/bucket-policy';
import { bucketDelivery, denyingStatements, keyDelivery } from '../core/deny';
import { keyPolicyName, keyStatementSelector } from '../core/key-policy';
import { describeStatement, PolicyDocument } from '../core/policy-document';
import { findTargetStatement, StatementSelector } from '../core/statement-lookup';
import { evaluate, Evaluation } from '../iam/evaluate';
import { Check, CheckId, failed, listed, pass, refusal, warn } from './check';
import { DoctorInput } from './input';
import { accountLabel, probeAccounts, probePrefixes } from './probes';

/** bucket-region: CloudTrail needs the bucket and the key in one region (SPEC R12). */
export function bucketRegionCheck({ targets, estate }: DoctorInput): Check {
  const keyRegion = targets.key.region;
  if (estate.bucketRegion === keyRegion) return pass('bucket-region', `The bucket ${targets.bucketName} and the key are both in ${keyRegion}.`);
  return failed(
    'bucket-region',
    `The bucket ${targets.bucketName} is in ${estate.bucketRegion} but the key is in ${keyRegion}, and CloudTrail needs both in one region, so every enrollment would fail.`,
    `Use a key in ${estate.bucketRegion} (a new key or a multi-Region replica) as TrailKeyArn, or a bucket in ${keyRegion}.`,
  );
}

const KEY_ADMIN_ACTIONS = ['kms:GetKeyPolicy', 'kms:PutKeyPolicy'];

/**
 * key-lockout: the function's role (like every IAM principal of the owner account) reaches the key policy through
 * the key policy's grant to the account, the "Enable IAM User Permissions" statement. Asked for a role the policy
 * cannot name, so only a grant to the account (or to everyone in it) can answer yes.
 */
export function keyLockoutCheck({ targets, estate }: DoctorInput): Check {
  const owner = targets.key.ownerAccountId;
  const root = `arn:${targets.key.partition}:iam::${owner}:root`;
  const probeRole = `arn:${targets.key.partition}:iam::${owner}:role/cloudtrail-enrollment-doctor-probe`;
  const context = { 'aws:PrincipalArn': probeRole, 'aws:PrincipalAccount': owner, 'kms:CallerAccount': owner, 'aws:PrincipalType': 'AssumedRole', 'aws:SecureTransport': 'true' };
  const results = KEY_ADMIN_ACTIONS.map((action) => ({ action, result: evaluate(estate.keyPolicy, { caller: { kind: 'aws', arn: probeRole }, action, resource: targets.key.arn, context }) }));
  const fix = `Put back the statement that allows ${root} kms:* (Sid "Enable IAM User Permissions") using a principal the key policy still names, or ask AWS Support to restore access if none can.`;
  const denied = results.filter((r) => r.result.decision === 'explicitly-denied');
  if (denied.length > 0) {
    return failed('key-lockout', `The ${keyPolicyName(targets.key.arn)} denies ${denied.map((d) => d.action).join(' and ')} to principals of account ${owner} in statement ${listed(denied.flatMap((d) => d.result.deniedBy))}, so the function cannot keep it.`, `Narrow that Deny so it spares account ${owner}'s administrators and the function's role.`);
  }
  const missing = results.filter((r) => r.result.decision === 'implicitly-denied');
  if (missing.length > 0) {
    return failed('key-lockout', `The ${keyPolicyName(targets.key.arn)} does not let account ${owner}'s IAM policies call ${missing.map((m) => m.action).join(' or ')} (its account-root statement is gone), so the function's role cannot read or write it and the key is close to locked.`, fix);
  }
  const open = results.filter((r) => r.result.decision === 'undetermined');
  if (open.length > 0) {
    return warn('key-lockout', `Whether the ${keyPolicyName(targets.key.arn)} lets account ${owner} administer the key depends on statement ${listed(open.flatMap((o) => o.result.undecided))}, whose conditions doctor does not evaluate.`, `Check that statement by hand: it must leave ${root} able to call ${KEY_ADMIN_ACTIONS.join(' and ')}.`);
  }
  return pass('key-lockout', `The ${keyPolicyName(targets.key.arn)} lets account ${owner}'s IAM policies administer the key (statement ${listed(grants(results.map((r) => r.result)))}), so the function's role can read and write it.`);
}

function grants(results: Evaluation[]): string[] {
  return [...new Set(results.flatMap((r) => r.allowedBy))];
}

function statementCheck(id: CheckId, document: PolicyDocument | undefined, selector: StatementSelector, absent: string): Check {
  if (!document) return pass(id, absent);
  let index: number;
  try {
    index = findTargetStatement(document, selector);
  } catch (error) {
    return refusal(id, error, `Edit the ${selector.policyName} so that one Allow statement with Sid "${selector.sid}" grants ${selector.action} to cloudtrail.amazonaws.com.`);
  }
  if (index === -1) return pass(id, absent);
  return pass(id, `Statement ${describeStatement(document.Statement[index]!, index)} of the ${selector.policyName} is the one enrollments edit.`);
}

/** bucket-statement: the statement enrollments edit is found, or the first enrollment adds the documented one (SPEC R4). */
export function bucketStatementCheck({ targets, estate }: DoctorInput): Check {
  const selector = bucketStatementSelector({ bucketName: targets.bucketName, sid: targets.bucketSid });
  const absent = estate.bucketPolicy
    ? `The ${selector.policyName} has no statement that lets CloudTrail write yet; the first enrollment adds the documented one with Sid "${targets.bucketSid}".`
    : `The bucket ${targets.bucketName} has no bucket policy yet; the first enrollment creates one with the documented CloudTrail statements.`;
  return statementCheck('bucket-statement', estate.bucketPolicy, selector, absent);
}

/** key-statement: as bucket-statement, for the key policy's kms:GenerateDataKey* statement. */
export function keyStatementCheck({ targets, estate }: DoctorInput): Check {
  const selector = keyStatementSelector({ keyArn: targets.key.arn, sid: targets.keySid });
  return statementCheck('key-statement', estate.keyPolicy, selector, `The ${selector.policyName} has no statement that lets CloudTrail encrypt yet; the first enrollment adds the documented one with Sid "${targets.keySid}".`);
}

/** Deny statements by name, with the accounts whose delivery each refuses. */
function denials(accounts: string[], deniedFor: (accountId: string) => string[]): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const accountId of accounts) {
    for (const statement of deniedFor(accountId)) found.set(statement, [...(found.get(statement) ?? []), accountLabel(accountId)]);
  }
  return found;
}

function denyCheck(id: CheckId, policyName: string, what: string, found: Map<string, string[]>, probed: number): Check {
  if (found.size === 0) return pass(id, `No Deny statement of the ${policyName} would refuse CloudTrail's ${what} the ${probed} accounts asked about (every listed or held account and a member not enrolled yet).`);
  const [statement, accounts] = [...found.entries()][0]!;
  const others = found.size > 1 ? ` (and ${found.size - 1} more Deny statements)` : '';
  return failed(id, `Statement ${statement} of the ${policyName}${others} would refuse CloudTrail's ${what} ${listed(accounts)}, so the function refuses to enroll them.`, 'Narrow that Deny so it cannot match cloudtrail.amazonaws.com delivering trail logs, or remove it.');
}

/** bucket-deny: a Deny that would refuse CloudTrail's s3:PutObject of a member's logs (SPEC R14), judged by the core's own rule. */
export function bucketDenyCheck(input: DoctorInput, report: StatusReport): Check {
  const { targets, estate } = input;
  const partition = targets.key.partition;
  const prefixes = probePrefixes(input, report);
  const accounts = probeAccounts(report);
  const found = denials(accounts, (accountId) =>
    prefixes.flatMap((prefix) => denyingStatements(estate.bucketPolicy, bucketDelivery(bucketLogsResource(partition, targets.bucketName, prefix, accountId), { partition, accountId }, targets.key.arn))),
  );
  return denyCheck('bucket-deny', bucketPolicyName(targets.bucketName), 's3:PutObject of the AWSLogs objects of', found, accounts.length);
}

/** key-deny: a Deny that would refuse CloudTrail's kms:GenerateDataKey for a member's trails (SPEC R14). */
export function keyDenyCheck({ targets, estate }: DoctorInput, report: StatusReport): Check {
  const partition = targets.key.partition;
  const accounts = probeAccounts(report);
  const found = denials(accounts, (accountId) => denyingStatements(estate.keyPolicy, keyDelivery(targets.key.arn, { partition, accountId })));
  return denyCheck('key-deny', keyPolicyName(targets.key.arn), 'kms:GenerateDataKey for the trails of', found, accounts.length);
}
