import { bucketListedAccounts, keyListedAccounts } from './account-list';
import { BucketTarget, bucketPolicyName } from './bucket-policy';
import { fail } from './errors';
import { KeyTarget, keyPolicyName } from './key-policy';
import { compactByteLength, PolicyDocument } from './policy-document';

/** AWS limits on the compact JSON of each policy (SPEC R11). */
export const BUCKET_POLICY_LIMIT_BYTES = 20_480;
export const KEY_POLICY_LIMIT_BYTES = 32_768;

export function assertPolicyFits(policyName: string, document: PolicyDocument, limitBytes: number, accounts: number, service: string): void {
  const size = compactByteLength(document);
  if (size > limitBytes) {
    fail(`The ${policyName} would be ${size.toLocaleString('en-US')} bytes with ${accounts} accounts, over the ${service} limit of ${limitBytes.toLocaleString('en-US')} bytes; move some accounts to another bucket and key, shorten the log file prefix, or use an organization trail.`);
  }
}

export function assertBucketPolicyFits(document: PolicyDocument | undefined, target: BucketTarget): void {
  if (!document) return;
  // Both layouts (SPEC R34): AWSLogs/<account>/* entries and the aws:SourceAccount list of an account-list statement.
  const accounts = bucketListedAccounts(document, target).length;
  assertPolicyFits(bucketPolicyName(target.bucketName), document, BUCKET_POLICY_LIMIT_BYTES, accounts, 'S3 bucket policy');
}

export function assertKeyPolicyFits(document: PolicyDocument, target: KeyTarget): void {
  const accounts = keyListedAccounts(document, target).length;
  assertPolicyFits(keyPolicyName(target.keyArn), document, KEY_POLICY_LIMIT_BYTES, accounts, 'KMS key policy');
}
