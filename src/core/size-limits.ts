import { fail } from './errors';
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
