import { StatusReport } from '../estate/status-report';
import { bucketArn } from '../core/arns';
import { bucketPolicyName, bucketStatementSelector } from '../core/bucket-policy';
import { findTargetStatement, isCloudTrailGrant } from '../core/statement-lookup';
import { AccessRequest, describeConditions, evaluate, Evaluation } from '../iam/evaluate';
import { Check, failed, listed, pass, warn } from './check';
import { DoctorInput } from './input';
import { accountLabel, MEMBER_TRAIL_NAME, probeAccounts } from './probes';

/**
 * acl-check: before a member's trail may deliver, CloudTrail calls s3:GetBucketAcl on the bucket as the service
 * principal, on behalf of that trail. The request carries the trail's aws:SourceArn and aws:SourceAccount (and
 * TLS), and nothing about organizations: no aws:SourceOrgID, aws:SourceOrgPaths or aws:PrincipalOrgID. So a grant
 * narrowed by an organization condition does not hold for it, and a grant narrowed to the owner's own trail or
 * account shuts every member out (the function never edits the GetBucketAcl statement).
 */
export function aclCheckRequest(input: DoctorInput, accountId: string): AccessRequest {
  const partition = input.targets.key.partition;
  return {
    caller: { kind: 'service', service: 'cloudtrail.amazonaws.com' },
    action: 's3:GetBucketAcl',
    resource: bucketArn(partition, input.targets.bucketName),
    context: {
      'aws:SourceArn': `arn:${partition}:cloudtrail:${input.estate.bucketRegion}:${accountId}:trail/${MEMBER_TRAIL_NAME}`,
      'aws:SourceAccount': accountId,
      'aws:SecureTransport': 'true',
      'aws:PrincipalServiceName': 'cloudtrail.amazonaws.com',
      'aws:PrincipalIsAWSService': 'true',
    },
  };
}

export function aclCheck(input: DoctorInput, report: StatusReport): Check {
  const { targets, estate } = input;
  const policyName = bucketPolicyName(targets.bucketName);
  const hasWriteStatement = estate.bucketPolicy !== undefined && safeIndex(input) !== -1;
  const hasGrant = (estate.bucketPolicy?.Statement ?? []).some((s) => isCloudTrailGrant(s, 's3:GetBucketAcl'));
  if (!hasGrant && !hasWriteStatement) {
    return pass('acl-check', `The ${policyName} has no GetBucketAcl grant for CloudTrail yet; the first enrollment adds the documented AWSCloudTrailAclCheck20131101 statement with the write statement.`);
  }
  const accounts = probeAccounts(report);
  const results = accounts.map((accountId) => ({ accountId, result: evaluate(estate.bucketPolicy, aclCheckRequest(input, accountId)) }));
  const refused = (decision: Evaluation['decision']) => results.filter((r) => r.result.decision === decision);
  const addFix = `Let cloudtrail.amazonaws.com call s3:GetBucketAcl on ${bucketArn(targets.key.partition, targets.bucketName)} without organization conditions (the documented AWSCloudTrailAclCheck20131101 statement), narrowed if you like by an aws:SourceArn pattern that covers every member's trails.`;

  const denied = refused('explicitly-denied');
  if (denied.length > 0) {
    const statements = [...new Set(denied.flatMap((d) => d.result.deniedBy))];
    return failed('acl-check', `Statement ${listed(statements)} of the ${policyName} denies CloudTrail's s3:GetBucketAcl check for trails of ${listed(denied.map((d) => accountLabel(d.accountId)))}, so their trails cannot be created.`, 'Narrow that Deny so it spares cloudtrail.amazonaws.com (its check sends aws:SourceArn and aws:SourceAccount, no organization keys).');
  }
  const shut = refused('implicitly-denied');
  if (shut.length > 0) {
    const unmet = shut.flatMap((s) => s.result.unmet);
    const who = listed(shut.map((s) => accountLabel(s.accountId)));
    if (unmet.length === 0) return failed('acl-check', `No statement of the ${policyName} lets CloudTrail call s3:GetBucketAcl on the bucket, so trails of ${who} cannot be created.`, addFix);
    const first = unmet[0]!;
    return failed('acl-check', `Statement ${first.statement} of the ${policyName} lets CloudTrail call s3:GetBucketAcl only when ${describeConditions(first.conditions)} holds, which CloudTrail's check does not satisfy for trails of ${who}.`, addFix);
  }
  const open = refused('undetermined');
  if (open.length > 0) {
    return warn('acl-check', `Whether CloudTrail's s3:GetBucketAcl check passes depends on statement ${listed([...new Set(open.flatMap((o) => o.result.undecided))])} of the ${policyName}, whose conditions doctor does not evaluate.`, 'Check that statement by hand against a request carrying only aws:SourceArn and aws:SourceAccount of a member trail.');
  }
  return pass('acl-check', `CloudTrail's s3:GetBucketAcl check passes for the trails of the ${accounts.length} accounts asked about (statement ${listed([...new Set(results.flatMap((r) => r.result.allowedBy))])}).`);
}

function safeIndex(input: DoctorInput): number {
  try {
    return findTargetStatement(input.estate.bucketPolicy!, bucketStatementSelector({ bucketName: input.targets.bucketName, sid: input.targets.bucketSid }));
  } catch {
    // bucket-statement reports why; here it only matters that a statement exists.
    return 0;
  }
}
