import { BucketTarget, bucketPolicyName, managedBucketResources } from './bucket-policy';
import { fail } from './errors';
import { KeyTarget, keyPolicyName, managedKeyPatterns } from './key-policy';
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

function distinctAccounts(entries: string[], pattern: RegExp): number {
  return new Set(entries.flatMap((e) => pattern.exec(e)?.[1] ?? [])).size;
}

export function assertBucketPolicyFits(document: PolicyDocument | undefined, target: BucketTarget): void {
  if (!document) return;
  const accounts = distinctAccounts(managedBucketResources(document, target), /\/AWSLogs\/([0-9]{12})\/\*$/);
  assertPolicyFits(bucketPolicyName(target.bucketName), document, BUCKET_POLICY_LIMIT_BYTES, accounts, 'S3 bucket policy');
}

export function assertKeyPolicyFits(document: PolicyDocument, target: KeyTarget): void {
  const accounts = distinctAccounts(managedKeyPatterns(document, target) ?? [], /:([0-9]{12}):trail\//);
  assertPolicyFits(keyPolicyName(target.keyArn), document, KEY_POLICY_LIMIT_BYTES, accounts, 'KMS key policy');
}
