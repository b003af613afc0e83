import { GetKeyPolicyCommand, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { DeleteBucketPolicyCommand, GetBucketLocationCommand, GetBucketPolicyCommand, PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { KeyRef } from '../core/arns';
import { PolicyStore } from '../lifecycle/ports';
import { explainAwsError } from './aws-errors';
import { kmsClient, s3Client } from './clients';
import { withRetries } from './retry';

async function call<T>(action: string, resource: string, signal: AbortSignal, operation: () => Promise<T>): Promise<T> {
  try {
    return await withRetries(operation, signal);
  } catch (error) {
    throw explainAwsError(error, action, resource);
  }
}

/** S3 GetBucketLocation's legacy answers: empty is us-east-1, "EU" is eu-west-1. */
export function regionOfLocationConstraint(constraint: string | undefined): string {
  if (!constraint) return 'us-east-1';
  if (constraint === 'EU') return 'eu-west-1';
  return constraint;
}

/**
 * S3 and KMS calls for the policy store; region is the key's, which the bucket must share (SPEC R12).
 * forcePathStyle is the validated S3_FORCE_PATH_STYLE setting; callers without settings at hand get it validated
 * from the process environment.
 */
export function awsPolicyStore(region: string, forcePathStyle: boolean): PolicyStore {
  const s3 = () => s3Client(region, forcePathStyle);
  const kms = (key: KeyRef) => kmsClient(key.region);
  return {
    async getBucketPolicy(bucketName, signal) {
      try {
        const out = await withRetries(() => s3().send(new GetBucketPolicyCommand({ Bucket: bucketName }), { abortSignal: signal }), signal);
        return out.Policy || undefined;
      } catch (error) {
        if ((error as { name?: string }).name === 'NoSuchBucketPolicy') return undefined;
        throw explainAwsError(error, 's3:GetBucketPolicy', bucketName);
      }
    },
    putBucketPolicy: (bucketName, policy, signal) =>
      call('s3:PutBucketPolicy', bucketName, signal, async () => {
        await s3().send(new PutBucketPolicyCommand({ Bucket: bucketName, Policy: policy }), { abortSignal: signal });
      }),
    deleteBucketPolicy: (bucketName, signal) =>
      call('s3:DeleteBucketPolicy', bucketName, signal, async () => {
        await s3().send(new DeleteBucketPolicyCommand({ Bucket: bucketName }), { abortSignal: signal });
      }),
    getBucketRegion: (bucketName, signal) =>
      call('s3:GetBucketLocation', bucketName, signal, async () => {
        const out = await s3().send(new GetBucketLocationCommand({ Bucket: bucketName }), { abortSignal: signal });
        return regionOfLocationConstraint(out.LocationConstraint);
      }),
    getKeyPolicy: (key, signal) =>
      call('kms:GetKeyPolicy', key.arn, signal, async () => {
        const out = await kms(key).send(new GetKeyPolicyCommand({ KeyId: key.arn, PolicyName: 'default' }), { abortSignal: signal });
        if (!out.Policy) throw new Error('empty key policy');
        return out.Policy;
      }),
    putKeyPolicy: (key, policy, signal) =>
      call('kms:PutKeyPolicy', key.arn, signal, async () => {
        // The lockout safety check stays on: a policy that would lock the owner out is refused by KMS.
        await kms(key).send(new PutKeyPolicyCommand({ KeyId: key.arn, PolicyName: 'default', Policy: policy, BypassPolicyLockoutSafetyCheck: false }), { abortSignal: signal });
      }),
  };
}
