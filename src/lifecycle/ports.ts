import { KeyRef } from '../core/arns';

/** The AWS calls the lifecycle needs; policies travel as the raw text AWS returned, so a rollback restores it exactly. */
export interface PolicyStore {
  /** undefined when the bucket has no policy yet (a normal state). */
  getBucketPolicy(bucketName: string, signal: AbortSignal): Promise<string | undefined>;
  putBucketPolicy(bucketName: string, policy: string, signal: AbortSignal): Promise<void>;
  deleteBucketPolicy(bucketName: string, signal: AbortSignal): Promise<void>;
  getBucketRegion(bucketName: string, signal: AbortSignal): Promise<string>;
  getKeyPolicy(key: KeyRef, signal: AbortSignal): Promise<string>;
  putKeyPolicy(key: KeyRef, policy: string, signal: AbortSignal): Promise<void>;
}

export interface OrganizationMembership {
  /** undefined when the account is not in the caller's organization. */
  describeAccount(accountId: string, signal: AbortSignal): Promise<{ status: string; arn: string } | undefined>;
}
