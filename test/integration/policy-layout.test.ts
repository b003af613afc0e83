// POLICY_LAYOUT (SPEC R34) against moto: enroll and remove in the account-list layout, and a 300-account pair
// converted to account-list and back by reconcile. The resulting bucket policies are evaluated by an IAM policy
// simulator (@cloud-copilot/iam-simulate) for CloudTrail's delivery: s3:PutObject by the cloudtrail.amazonaws.com
// service principal with the aws:SourceAccount CloudTrail sends. The key policies are checked by their listing only:
// the simulator ignores the context key kms:EncryptionContext:aws:cloudtrail:arn (it reports it under
// ignoredContextKeys, presumably because the encryption-context key itself contains colons), so every
// kms:GenerateDataKey it evaluates is denied, whatever the policy.
import { runSimulation } from '@cloud-copilot/iam-simulate';
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

/** CloudTrail delivering a log file for `source` (the trail's account) under `folder`'s AWSLogs path. */
async function putObject(bucketPolicy: Json, source: string, folder = source, prefix = ''): Promise<string> {
  const trail = `arn:aws:cloudtrail:us-east-1:${source}:trail/t`;
  const key = `${prefix ? `${prefix}/` : ''}AWSLogs/${folder}/CloudTrail/us-east-1/2025/01/01/${folder}_CloudTrail_us-east-1_20250101T0000Z_abc.json.gz`;
  return simulate(bucketPolicy, 's3:PutObject', `arn:aws:s3:::${estate.bucket}/${key}`, { 'aws:SourceAccount': source, 'aws:SourceArn': trail, 's3:x-amz-acl': 'bucket-owner-full-control' });
}


async function simulate(resourcePolicy: Json, action: string, resource: string, contextVariables: Record<string, string>): Promise<string> {
  const result = await runSimulation(
    {
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy,
      request: { action, principal: 'cloudtrail.amazonaws.com', resource: { accountId: OWNER, resource }, contextVariables },
    },
    {},
  );
  if (result.resultType !== 'single') throw new Error(`unexpected simulation result: ${JSON.stringify(result).slice(0, 500)}`);
  return result.overallResult;
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

    expect(await putObject(bucket, MEMBER)).toBe('Allowed');
    expect(await putObject(bucket, OTHER)).not.toBe('Allowed');
    // A trail of an account that is not enrolled, writing under the member's folder (its prefix AWSLogs/<member>).
    expect(await putObject(bucket, STRANGER, MEMBER)).not.toBe('Allowed');
  });

  it('removes: the account leaves both lists, the owner stays', async () => {
    const created = only(await h.invoke(h.request('Create', { AccountId: MEMBER })));
    expect(only(await h.invoke(h.request('Create', { AccountId: OTHER }))).Status).toBe('SUCCESS');
    expect(only(await h.invoke(h.request('Delete', { AccountId: MEMBER }, { physicalResourceId: created.PhysicalResourceId }))).Status).toBe('SUCCESS');
    const { bucket, key } = await policies();
    expect(statementOf(bucket, BUCKET_SID).Condition.StringEquals['aws:SourceAccount']).toEqual([OWNER, OTHER]);
    expect(statementOf(key, KEY_SID).Condition.StringEquals['aws:SourceAccount']).toEqual([OWNER, OTHER]);
    expect(await putObject(bucket, MEMBER)).not.toBe('Allowed');
    expect(await putObject(bucket, OTHER)).toBe('Allowed');
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
      for (const pair of [before, listed, back]) expect([account, await putObject(pair.bucket, account)]).toEqual([account, 'Allowed']);
      expect(listedAccounts(listed.key)).toContain(account);
      expect(statementOf(back.key, KEY_SID).Condition.StringLike[CONTEXT]).toContain(`arn:aws:cloudtrail:*:${account}:trail/*`);
    }
    expect(await putObject(listed.bucket, STRANGER)).not.toBe('Allowed');
    expect(listedAccounts(listed.key)).not.toContain(STRANGER);
    // The resource-list layout's known gap: any account's trail may pick the prefix AWSLogs/<member>.
    expect(await putObject(before.bucket, STRANGER, MEMBER)).toBe('Allowed');
    expect(await putObject(listed.bucket, STRANGER, MEMBER)).not.toBe('Allowed');
  }, 120_000);
});
