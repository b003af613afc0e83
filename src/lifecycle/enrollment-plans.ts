import { bucketLogsResource, trailArnPattern } from '../core/arns';
import { BucketTarget, bucketPolicyListsAccount, bucketPolicyName, enrollInBucketPolicy, managedBucketResources, removeFromBucketPolicy } from '../core/bucket-policy';
import { enrollInKeyPolicy, KeyTarget, keyPolicyName, managedKeyPatterns, removeFromKeyPolicy } from '../core/key-policy';
import { PolicyDocument } from '../core/policy-document';
import { assertPolicyFits, BUCKET_POLICY_LIMIT_BYTES, KEY_POLICY_LIMIT_BYTES } from '../core/size-limits';
import { MemberTrail } from '../core/source-conditions';
import { Enrollment } from '../config/enrollment';
import { Settings } from '../config/settings';
import { PolicyCheck, PolicyPlan } from './apply-policies';

/** The pure pieces one enrollment needs: targets, member, plans and size checks. */
export interface EnrollmentTargets {
  bucket: BucketTarget;
  key: KeyTarget;
  member: MemberTrail;
}

export function targetsOf(enrollment: Enrollment, settings: Settings): EnrollmentTargets {
  const partition = enrollment.key.partition;
  return {
    bucket: { partition, bucketName: enrollment.bucketName, logFilePrefix: enrollment.logFilePrefix, sid: settings.bucketPolicySid },
    key: { keyArn: enrollment.key.arn, sid: settings.keyPolicySid },
    member: { partition, accountId: enrollment.accountId, ...(enrollment.trailArn ? { trailArn: enrollment.trailArn } : {}) },
  };
}

export function enrollPlan(t: EnrollmentTargets): PolicyPlan {
  return (bucket, key) => ({
    bucket: enrollInBucketPolicy(bucket, t.bucket, t.member),
    key: enrollInKeyPolicy(key, t.key, t.member),
  });
}

/**
 * Removes the bucket entry; removes the key entry only when no bucket entry of the account is left, in this
 * bucket or in the other bucket the current properties name (SPEC R16: one key entry serves every prefix).
 */
export function removePlan(t: EnrollmentTargets, otherBucketListsAccount: boolean): PolicyPlan {
  return (bucket, key) => {
    const bucketAfter = removeFromBucketPolicy(bucket, t.bucket, t.member);
    const keyStillNeeded = otherBucketListsAccount || bucketPolicyListsAccount(bucketAfter, t.bucket, t.member.accountId);
    return { bucket: bucketAfter, key: keyStillNeeded ? key : removeFromKeyPolicy(key, t.key, t.member) };
  };
}

function distinctAccounts(entries: string[], pattern: RegExp): number {
  return new Set(entries.flatMap((e) => pattern.exec(e)?.[1] ?? [])).size;
}

export function sizeCheck(t: EnrollmentTargets): PolicyCheck {
  return (bucket: PolicyDocument | undefined, key: PolicyDocument) => {
    if (bucket) {
      const accounts = distinctAccounts(managedBucketResources(bucket, t.bucket), /\/AWSLogs\/([0-9]{12})\/\*$/);
      assertPolicyFits(bucketPolicyName(t.bucket.bucketName), bucket, BUCKET_POLICY_LIMIT_BYTES, accounts, 'S3 bucket policy');
    }
    const accounts = distinctAccounts(managedKeyPatterns(key, t.key) ?? [], /:([0-9]{12}):trail\//);
    assertPolicyFits(keyPolicyName(t.key.keyArn), key, KEY_POLICY_LIMIT_BYTES, accounts, 'KMS key policy');
  };
}

/** Response Data (SPEC R21). */
export function responseData(enrollment: Enrollment): Record<string, string> {
  return {
    AccountId: enrollment.accountId,
    BucketName: enrollment.bucketName,
    KeyArn: enrollment.key.arn,
    LogFilePrefix: enrollment.logFilePrefix,
    BucketPolicyResource: bucketLogsResource(enrollment.key.partition, enrollment.bucketName, enrollment.logFilePrefix, enrollment.accountId),
    KeyPolicyTrailArn: trailArnPattern(enrollment.key.partition, enrollment.accountId),
  };
}
