import { bucketLogsResource, trailArnPattern } from '../core/arns';
import { Enrollment } from '../config/enrollment';

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
