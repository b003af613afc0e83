// POLICY_LAYOUT (SPEC R34) against moto: enroll and remove in the account-list layout, and a 300-account pair
// converted to account-list and back by reconcile. The resulting policies are evaluated by the project's
// resource-policy evaluator (src/iam) for CloudTrail's delivery: s3:PutObject on the bucket and kms:GenerateDataKey on
// the key by the cloudtrail.amazonaws.com service principal, with the aws:SourceAccount, aws:SourceArn and (for the
// key) kms:EncryptionContext:aws:cloudtrail:arn that CloudTrail sends for the trail.
import { evaluate } from '../../src/iam/evaluate';
import { Estate } from '../../devtools/estate';
import { Harness, only, useHarness } from '../support/harness';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const MEMBER = '222222222222';
const OTHER = '333333333333';
const OWNER = '111111111111';
const STRANGER = '999999999999';
const BUCKET_SID = 'AWSCloudTrailWrite20131101';
const KEY_SID = 'Allow CloudTrail to encrypt logs';
const CONTEXT = 'kms:EncryptionContext:aws:cloudtrail:arn';
const RECONCILE = { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} };
const numbered = (count: number) => Array.from({ length: count }, (_, i) => String(500_000_000_000 + i));

let h: Harness;
let estate: Estate;

useHarness({ harness: (x) => (h = x) });

const env = (layout: string) => ({ TRAIL_BUCKET_NAME: estate.bucket, TRAIL_KEY_ARN: estate.keyArn, POLICY_LAYOUT: layout });

async function policies(): Promise<{ bucket: Json; key: Json; bucketBytes: number; keyBytes: number }> {
  const bucketText = (await estate.readBucketPolicy()) ?? '{"Statement":[]}';
  const keyText = await estate.readKeyPolicy();
  return { bucket: JSON.parse(bucketText), key: JSON.parse(keyText), bucketBytes: Buffer.byteLength(bucketText), keyBytes: Buffer.byteLength(keyText) };
}

const statementOf = (document: Json, sid: string): Json => document.Statement.find((s: Json) => s.Sid === sid);
const listedAccounts = (keyPolicy: Json): string[] => statementOf(keyPolicy, KEY_SID).Condition.StringEquals['aws:SourceAccount'];

const CLOUDTRAIL = { kind: 'service', service: 'cloudtrail.amazonaws.com' } as const;
const trailOf = (account: string) => `arn:aws:cloudtrail:us-east-1:${account}:trail/t`;

/** CloudTrail delivering a log file for `source` (the trail's account) under `folder`'s AWSLogs path. */
function putObject(bucketPolicy: Json, source: string, folder = source, prefix = ''): string {
  const key = `${prefix ? `${prefix}/` : ''}AWSLogs/${folder}/CloudTrail/us-east-1/2025/01/01/${folder}_CloudTrail_us-east-1_20250101T0000Z_abc.json.gz`;
  const context = { 'aws:SourceAccount': source, 'aws:SourceArn': trailOf(source), 's3:x-amz-acl': 'bucket-owner-full-control' };
  return evaluate(bucketPolicy, { caller: CLOUDTRAIL, action: 's3:PutObject', resource: `arn:aws:s3:::${estate.bucket}/${key}`, context }).decision;
}

/** CloudTrail asking the key for a data key to encrypt a log file of `source`'s trail. */
function generateDataKey(keyPolicy: Json, source: string): string {
  const context = { 'aws:SourceAccount': source, 'aws:SourceArn': trailOf(source), [CONTEXT]: trailOf(source) };
  return evaluate(keyPolicy, { caller: CLOUDTRAIL, action: 'kms:GenerateDataKey', resource: estate.keyArn, context }).decision;
}

describe('POLICY_LAYOUT=account-list against moto (R34)', () => {
  beforeEach(async () => {
    estate = await h.estate();
    h.configure(env('account-list'));
  });

  it('enrolls: one AWSLogs/* path, the account once in aws:SourceAccount of each policy; the member\'s CloudTrail delivery is let in, others are not', async () => {
    expect(only(await h.invoke(h.request('Create', { AccountId: MEMBER }))).Status).toBe('SUCCESS');
    const { bucket, key } = await policies();
    expect(statementOf(bucket, BUCKET_SID).Resource).toEqual([`arn:aws:s3:::${estate.bucket}/AWSLogs/*`]);
    expect(statementOf(bucket, BUCKET_SID).Condition.StringEquals['aws:SourceAccount']).toEqual([OWNER, MEMBER]);
    expect(statementOf(key, KEY_SID).Condition).toEqual({ StringLike: { [CONTEXT]: ['arn:aws:cloudtrail:*:*:trail/*'] }, StringEquals: { 'aws:SourceAccount': [OWNER, MEMBER] } });

    expect(putObject(bucket, MEMBER)).toBe('allowed');
    expect(putObject(bucket, OTHER)).toBe('implicitly-denied');
    // A trail of an account that is not enrolled, writing under the member's folder (its prefix AWSLogs/<member>).
    expect(putObject(bucket, STRANGER, MEMBER)).toBe('implicitly-denied');
    expect(generateDataKey(key, MEMBER)).toBe('allowed');
    expect(generateDataKey(key, OTHER)).toBe('implicitly-denied');
  });

  it('removes: the account leaves both lists, the owner stays', async () => {
    const created = only(await h.invoke(h.request('Create', { AccountId: MEMBER })));
    expect(only(await h.invoke(h.request('Create', { AccountId: OTHER }))).Status).toBe('SUCCESS');
    expect(only(await h.invoke(h.request('Delete', { AccountId: MEMBER }, { physicalResourceId: created.PhysicalResourceId }))).Status).toBe('SUCCESS');
    const { bucket, key } = await policies();
    expect(statementOf(bucket, BUCKET_SID).Condition.StringEquals['aws:SourceAccount']).toEqual([OWNER, OTHER]);
    expect(statementOf(key, KEY_SID).Condition.StringEquals['aws:SourceAccount']).toEqual([OWNER, OTHER]);
    expect(putObject(bucket, MEMBER)).toBe('implicitly-denied');
    expect(putObject(bucket, OTHER)).toBe('allowed');
    expect(generateDataKey(key, MEMBER)).toBe('implicitly-denied');
    expect(generateDataKey(key, OTHER)).toBe('allowed');
  });
});

describe('converting a 300-account pair by reconcile (R31, R34)', () => {
  it('resource-list -> account-list -> resource-list: every account still admitted, sizes printed', async () => {
    estate = await h.estate();
    h.configure(env('resource-list'));
    expect(only(await h.invoke(h.request('Create', { AccountId: MEMBER }))).Status).toBe('SUCCESS');
    // 300 accounts nobody holds, listed by hand in today's layout.
    const accounts = numbered(300);
    const seeded = await policies();
    statementOf(seeded.bucket, BUCKET_SID).Resource.push(...accounts.map((a) => `arn:aws:s3:::${estate.bucket}/AWSLogs/${a}/*`));
    statementOf(seeded.key, KEY_SID).Condition.StringLike[CONTEXT].push(...accounts.map((a) => `arn:aws:cloudtrail:*:${a}:trail/*`));
    await estate.putBucketPolicy(JSON.stringify(seeded.bucket));
    await estate.putKeyPolicy(JSON.stringify(seeded.key));
    const before = await policies();

    h.configure(env('account-list'));
    h.proxy.clear();
    await h.invoke(RECONCILE);
    const listed = await policies();
    expect(statementOf(listed.bucket, BUCKET_SID).Resource).toEqual([`arn:aws:s3:::${estate.bucket}/AWSLogs/*`]);
    expect(statementOf(listed.bucket, BUCKET_SID).Condition.StringEquals['aws:SourceAccount']).toEqual([OWNER, MEMBER, ...accounts]);
    expect(statementOf(listed.key, KEY_SID).Condition.StringEquals['aws:SourceAccount']).toEqual([OWNER, MEMBER, ...accounts]);

    h.configure(env('resource-list'));
    await h.invoke(RECONCILE);
    const back = await policies();
    expect(new Set(statementOf(back.bucket, BUCKET_SID).Resource)).toEqual(new Set(statementOf(before.bucket, BUCKET_SID).Resource));
    expect(new Set(statementOf(back.key, KEY_SID).Condition.StringLike[CONTEXT])).toEqual(new Set(statementOf(before.key, KEY_SID).Condition.StringLike[CONTEXT]));
    expect(statementOf(back.bucket, BUCKET_SID).Condition).toEqual(statementOf(before.bucket, BUCKET_SID).Condition);

    process.stdout.write(
      `policy sizes with 302 accounts (owner, one held member, 300 unheld), compact JSON bytes:\n` +
        `  resource-list: bucket ${before.bucketBytes}, key ${before.keyBytes}\n` +
        `  account-list:  bucket ${listed.bucketBytes}, key ${listed.keyBytes}\n` +
        `  back to resource-list: bucket ${back.bucketBytes}, key ${back.keyBytes}\n`,
    );
    expect(listed.bucketBytes).toBeLessThan(before.bucketBytes / 3);
    expect(listed.keyBytes).toBeLessThan(before.keyBytes);

    for (const account of [OWNER, MEMBER, ...accounts]) {
      for (const pair of [before, listed, back]) {
        expect([account, putObject(pair.bucket, account), generateDataKey(pair.key, account)]).toEqual([account, 'allowed', 'allowed']);
      }
      expect(listedAccounts(listed.key)).toContain(account);
      expect(statementOf(back.key, KEY_SID).Condition.StringLike[CONTEXT]).toContain(`arn:aws:cloudtrail:*:${account}:trail/*`);
    }
    expect(putObject(listed.bucket, STRANGER)).toBe('implicitly-denied');
    expect(listedAccounts(listed.key)).not.toContain(STRANGER);
    for (const pair of [before, listed, back]) expect(generateDataKey(pair.key, STRANGER)).toBe('implicitly-denied');
    // The resource-list layout's known gap: any account's trail may pick the prefix AWSLogs/<member>.
    expect(putObject(before.bucket, STRANGER, MEMBER)).toBe('allowed');
    expect(putObject(listed.bucket, STRANGER, MEMBER)).toBe('implicitly-denied');
  }, 120_000);
});
