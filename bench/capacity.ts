/**
 * Section 4: capacity (pure, no AWS). How many member accounts the bucket policy and the key policy hold before
 * their compact JSON passes the AWS limits, per policy layout (SPEC R34), starting from the fixtures (seed bucket
 * policy listing the owner, CloudTrail's console key policy) and adding accounts one at a time with the pure core.
 */
import { fixture, seedBucketPolicy } from '../devtools/estate';
import { enrollInAccountListBucket, enrollInAccountListKey } from '../src/core/account-list';
import { Fill, fillToLimit } from '../src/core/capacity';
import { enrollInBucketPolicy } from '../src/core/bucket-policy';
import { enrollInKeyPolicy } from '../src/core/key-policy';
import { PolicyLayoutName, POLICY_LAYOUTS } from '../src/core/layout-names';
import { parsePolicy, PolicyDocument } from '../src/core/policy-document';
import { BUCKET_POLICY_LIMIT_BYTES, KEY_POLICY_LIMIT_BYTES } from '../src/core/size-limits';
import { heading, printTable, Problems } from './report';

const KEY_ARN = 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
/** Bucket names of 10, 20 and 40 characters. */
export const BUCKET_NAMES = ['ct-logs-01', 'org-cloudtrail-logs1', 'org-cloudtrail-logs-111111111111-useast1'];
/** SPEC R34: the account-list layout holds at least this many accounts in each policy for a 20-character bucket name. */
export const ACCOUNT_LIST_FLOOR = 1_000;
export const PREFIXES = ['', 'cloudtrail'];

export interface CapacityRow {
  layout: PolicyLayoutName;
  bucketName: string;
  bucketNameLength: number;
  logFilePrefix: string;
  bucket: Fill;
  key: Fill;
}

/** fillToLimit, with a stalled fill (an account that did not grow the policy) reported as a problem. */
function fill(start: PolicyDocument, limit: number, add: (doc: PolicyDocument, account: string) => PolicyDocument, problems: Problems, what: string): Fill {
  const result = fillToLimit(start, limit, add);
  if (result.stalled) problems.check(false, `${what}: adding account ${result.stalled.accountId} did not grow the policy (${result.bytesAtCapacity} -> ${result.stalled.bytes} bytes)`);
  return result;
}

function seedFor(bucketName: string, prefix: string): PolicyDocument {
  // The owner is listed under the same prefix its own trail would use.
  const text = seedBucketPolicy(bucketName).replaceAll(`:::${bucketName}/AWSLogs/`, `:::${bucketName}/${prefix ? `${prefix}/` : ''}AWSLogs/`);
  return parsePolicy(text, 'seed bucket policy');
}

export function measureCapacity(problems: Problems): CapacityRow[] {
  heading('4. Capacity (pure core, no AWS): member accounts that fit before the policy size limits');
  const keySeed = parsePolicy(fixture('cloudtrail-console-key-policy.json'), 'console key policy');
  const keyTarget = { keyArn: KEY_ARN, sid: 'Allow CloudTrail to encrypt logs' };
  const rows: CapacityRow[] = [];
  for (const layout of POLICY_LAYOUTS) {
    const enrollKey = layout === 'account-list' ? enrollInAccountListKey : enrollInKeyPolicy;
    const enrollBucket = layout === 'account-list' ? enrollInAccountListBucket : enrollInBucketPolicy;
    // The key policy does not depend on the bucket or the prefix: fill it once per layout.
    const key = fill(keySeed, KEY_POLICY_LIMIT_BYTES, (doc, accountId) => enrollKey(doc, keyTarget, { partition: 'aws', accountId }), problems, `key policy (${layout})`);
    for (const bucketName of BUCKET_NAMES) {
      for (const logFilePrefix of PREFIXES) {
        const target = { partition: 'aws' as const, bucketName, logFilePrefix, sid: 'AWSCloudTrailWrite20131101' };
        const bucket = fill(seedFor(bucketName, logFilePrefix), BUCKET_POLICY_LIMIT_BYTES, (doc, accountId) => enrollBucket(doc, target, { partition: 'aws', accountId }), problems, `bucket policy of ${bucketName} (${layout})`);
        rows.push({ layout, bucketName, bucketNameLength: bucketName.length, logFilePrefix, bucket, key });
      }
    }
  }
  for (const row of rows.filter((r) => r.layout === 'account-list' && r.bucketNameLength === 20 && r.logFilePrefix === '')) {
    problems.check(
      row.bucket.accounts >= ACCOUNT_LIST_FLOOR && row.key.accounts >= ACCOUNT_LIST_FLOOR,
      `the account-list layout holds ${row.bucket.accounts} accounts in the bucket policy and ${row.key.accounts} in the key policy for a 20-character bucket name, fewer than the ${ACCOUNT_LIST_FLOOR.toLocaleString('en-US')} it must hold`,
    );
  }
  console.log(`limits: bucket policy ${BUCKET_POLICY_LIMIT_BYTES.toLocaleString('en-US')} bytes, key policy ${KEY_POLICY_LIMIT_BYTES.toLocaleString('en-US')} bytes (compact JSON); owner already listed, not counted`);
  printTable(
    ['layout', 'bucket name (length)', 'prefix', 'bucket: accounts', 'bytes at capacity', 'bytes/account', 'key: accounts', 'bytes at capacity', 'bytes/account', 'fleet limit'],
    rows.map((r) => [
      r.layout,
      `${r.bucketName} (${r.bucketNameLength})`,
      r.logFilePrefix || '(none)',
      r.bucket.accounts,
      r.bucket.bytesAtCapacity.toLocaleString('en-US'),
      r.bucket.bytesPerAccount.toFixed(1),
      r.key.accounts,
      r.key.bytesAtCapacity.toLocaleString('en-US'),
      r.key.bytesPerAccount.toFixed(1),
      `${Math.min(r.bucket.accounts, r.key.accounts)} (${r.bucket.accounts <= r.key.accounts ? 'bucket' : 'key'})`,
    ]),
  );
  return rows;
}
