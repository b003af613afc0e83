import { samePolicy } from '../../devtools/semantic';
import { Estate } from '../../devtools/estate';
import { stackIdIn } from '../../devtools/events';
import { Harness, only, useHarness } from '../support/harness';

const MEMBER = '222222222222';
const OTHER = '333333333333';
const OWNER = '111111111111';
const logsOf = (account: string, prefix = '') => `arn:aws:s3:::my-trail-bucket/${prefix ? `${prefix}/` : ''}AWSLogs/${account}/*`;
const patternOf = (account: string) => `arn:aws:cloudtrail:*:${account}:trail/*`;

let h: Harness;
let estate: Estate;

useHarness({ harness: (x) => (h = x), estate: (x) => (estate = x) });

async function policies() {
  return { bucket: await estate.readBucketPolicy(), key: await estate.readKeyPolicy() };
}

const bucketResources = () => estate.bucketResources();

const keyPatterns = () => estate.keyPatterns();

async function create(properties: Record<string, string>, stackAccount?: string) {
  return only(await h.invoke(h.request('Create', properties, stackAccount ? { stackAccount } : {})));
}

describe('Create', () => {
  it('enrolls the member in both policies and answers with Data for the member stack', async () => {
    const response = await create({ AccountId: MEMBER });
    expect(response).toMatchObject({ Status: 'SUCCESS' });
    expect(response.PhysicalResourceId.startsWith(`${MEMBER};`)).toBe(true);
    expect(response.Data).toEqual({
      AccountId: MEMBER,
      BucketName: 'my-trail-bucket',
      KeyArn: estate.keyArn,
      LogFilePrefix: '',
      BucketPolicyResource: logsOf(MEMBER),
      KeyPolicyTrailArn: patternOf(MEMBER),
    });
    expect(await bucketResources()).toEqual([logsOf(OWNER), logsOf(MEMBER)]);
    expect(await keyPatterns()).toEqual([patternOf(OWNER), patternOf(MEMBER)]);
  });

  it('sends exactly one PUT with an empty Content-Type and the byte length, and never logs the ResponseURL', async () => {
    const [received, ...rest] = await h.invoke(h.request('Create', { AccountId: MEMBER }));
    expect(rest).toEqual([]);
    expect(received!.method).toBe('PUT');
    expect(received!.headers['content-type']).toBe('');
    expect(Number(received!.headers['content-length'])).toBe(Buffer.byteLength(received!.rawBody));
    expect(h.logs.join('\n')).not.toContain('X-Amz-Signature');
    expect(h.logs.join('\n')).not.toContain('secret-signature');
  });

  it('writes nothing when the account is already enrolled', async () => {
    await create({ AccountId: MEMBER });
    const before = await policies();
    h.proxy.clear();
    const again = await create({ AccountId: MEMBER });
    expect(again).toMatchObject({ Status: 'SUCCESS' });
    expect(h.proxy.count('PutBucketPolicy') + h.proxy.count('PutKeyPolicy') + h.proxy.count('DeleteBucketPolicy')).toBe(0);
    expect(await policies()).toEqual(before);
  });

  it('defaults the account to the stack account', async () => {
    const response = await create({}, OTHER);
    expect(response).toMatchObject({ Status: 'SUCCESS' });
    expect(response.Data!.AccountId).toBe(OTHER);
    expect(await bucketResources()).toContain(logsOf(OTHER));
  });

  it.each([['*'], ['22222222222'], ['2222222222222'], ['abcdefghijkl'], ['222222 222222'], [' 222222222222'], ['arn:aws:iam::222222222222:root']])(
    'answers FAILED for AccountId %j and writes nothing',
    async (accountId) => {
      const before = await policies();
      const response = await create({ AccountId: accountId }, OWNER);
      expect(response.Status).toBe('FAILED');
      expect(response.Reason).toContain('is not a 12-digit AWS account ID');
      expect(response.Reason).not.toMatch(/\n|\s+at\s/);
      expect(await policies()).toEqual(before);
      expect(h.proxy.count()).toBe(0);
    },
  );

  it('refuses to enroll another account from a member stack (R24) and writes nothing', async () => {
    const before = await policies();
    const response = await create({ AccountId: OTHER }, MEMBER);
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain(`runs in account ${MEMBER} and may enroll only that account, not ${OTHER}`);
    expect(await policies()).toEqual(before);
  });

  it('creates a bucket policy when the bucket has none', async () => {
    estate = await h.estate({ bucketPolicy: null });
    expect(await create({ AccountId: MEMBER })).toMatchObject({ Status: 'SUCCESS' });
    expect(await bucketResources()).toEqual([logsOf(MEMBER)]);
  });
});

describe('Delete', () => {
  it('removes the member and returns both policies to what they meant before', async () => {
    const before = await policies();
    const created = await create({ AccountId: MEMBER });
    const deleted = only(await h.invoke(h.request('Delete', { AccountId: MEMBER }, { physicalResourceId: created.PhysicalResourceId })));
    expect(deleted).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: created.PhysicalResourceId });
    const after = await policies();
    expect(samePolicy(after.bucket, before.bucket)).toBe(true);
    expect(samePolicy(after.key, before.key)).toBe(true);
  });

  it('acts on the physical id, not on the properties it carries', async () => {
    const created = await create({ AccountId: MEMBER });
    const deleted = only(await h.invoke(h.request('Delete', { AccountId: '*', BucketName: 'NOT A BUCKET' }, { stackAccount: MEMBER, physicalResourceId: created.PhysicalResourceId })));
    expect(deleted).toMatchObject({ Status: 'SUCCESS' });
    expect(await bucketResources()).toEqual([logsOf(OWNER)]);
    expect(await keyPatterns()).toEqual([patternOf(OWNER)]);
  });

  it('never removes the owner or a protected account, and writes neither policy', async () => {
    h.configure({ TRAIL_BUCKET_NAME: estate.bucket, TRAIL_KEY_ARN: estate.keyArn, PROTECTED_ACCOUNT_IDS: MEMBER });
    const owner = await create({ AccountId: OWNER }, OWNER);
    const member = await create({ AccountId: MEMBER });
    const before = await policies();
    h.proxy.clear();
    for (const [account, id] of [[OWNER, owner.PhysicalResourceId], [MEMBER, member.PhysicalResourceId]] as const) {
      const response = only(await h.invoke(h.request('Delete', { AccountId: account }, { stackAccount: account, physicalResourceId: id })));
      expect(response).toMatchObject({ Status: 'SUCCESS' });
    }
    expect(h.proxy.count('PutBucketPolicy') + h.proxy.count('PutKeyPolicy') + h.proxy.count('DeleteBucketPolicy') + h.proxy.count('GetBucketPolicy')).toBe(0);
    expect(await policies()).toEqual(before);
  });

  it('after a failed Create, the rollback Delete succeeds and keeps an account that was there before', async () => {
    await create({ AccountId: MEMBER });
    const before = await policies();
    const failed = await create({ AccountId: MEMBER, BucketName: 'other-bucket' });
    expect(failed.Status).toBe('FAILED');
    h.proxy.clear();
    const rollback = only(await h.invoke(h.request('Delete', { AccountId: MEMBER, BucketName: 'other-bucket' }, { physicalResourceId: failed.PhysicalResourceId })));
    expect(rollback).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: failed.PhysicalResourceId });
    expect(h.proxy.count()).toBe(0);
    expect(await policies()).toEqual(before);
  });

  it('of another account from a member stack writes nothing and succeeds (R24)', async () => {
    const created = await create({ AccountId: OTHER }, OWNER);
    const before = await policies();
    const response = only(await h.invoke(h.request('Delete', {}, { stackAccount: MEMBER, physicalResourceId: created.PhysicalResourceId })));
    expect(response).toMatchObject({ Status: 'SUCCESS' });
    expect(await policies()).toEqual(before);
    expect(h.logs.some((l) => l.includes('"level":"WARN"') && l.includes('may remove only its own account'))).toBe(true);
  });

  it('of an account that is not enrolled writes nothing', async () => {
    const created = await create({ AccountId: MEMBER });
    await h.invoke(h.request('Delete', {}, { physicalResourceId: created.PhysicalResourceId }));
    h.proxy.clear();
    const again = only(await h.invoke(h.request('Delete', {}, { physicalResourceId: created.PhysicalResourceId })));
    expect(again).toMatchObject({ Status: 'SUCCESS' });
    expect(h.proxy.count('PutBucketPolicy') + h.proxy.count('PutKeyPolicy') + h.proxy.count('DeleteBucketPolicy')).toBe(0);
  });
});

describe('Update', () => {
  it('with the same account and target re-asserts (heals drift) and keeps the physical id', async () => {
    const created = await create({ AccountId: MEMBER });
    await estate.putKeyPolicy(JSON.stringify(JSON.parse(await estate.readKeyPolicy())).replace(`,"${patternOf(MEMBER)}"`, ''));
    expect(await keyPatterns()).toEqual([patternOf(OWNER)]);
    const updated = only(await h.invoke(h.request('Update', { AccountId: MEMBER }, { physicalResourceId: created.PhysicalResourceId })));
    expect(updated).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: created.PhysicalResourceId });
    expect(await keyPatterns()).toEqual([patternOf(OWNER), patternOf(MEMBER)]);
  });

  it('moving to another account enrolls the new one first; the cleanup Delete of the old id removes the old one', async () => {
    const created = await create({ AccountId: MEMBER }, OWNER);
    const moved = only(await h.invoke(h.request('Update', { AccountId: OTHER }, { stackAccount: OWNER, physicalResourceId: created.PhysicalResourceId })));
    expect(moved).toMatchObject({ Status: 'SUCCESS' });
    expect(moved.PhysicalResourceId).not.toBe(created.PhysicalResourceId);
    expect(await bucketResources()).toEqual([logsOf(OWNER), logsOf(MEMBER), logsOf(OTHER)]);
    // CloudFormation's cleanup Delete carries the new properties but the old id.
    const cleanup = only(await h.invoke(h.request('Delete', { AccountId: OTHER }, { stackAccount: OWNER, physicalResourceId: created.PhysicalResourceId })));
    expect(cleanup).toMatchObject({ Status: 'SUCCESS' });
    expect(await bucketResources()).toEqual([logsOf(OWNER), logsOf(OTHER)]);
    expect(await keyPatterns()).toEqual([patternOf(OWNER), patternOf(OTHER)]);
  });

  it('moving to another prefix keeps the shared key entry through the cleanup Delete', async () => {
    h.configure({ TRAIL_BUCKET_NAME: estate.bucket, TRAIL_KEY_ARN: estate.keyArn });
    const created = await create({ AccountId: MEMBER, LogFilePrefix: 'old' });
    const moved = only(await h.invoke(h.request('Update', { AccountId: MEMBER, LogFilePrefix: 'new' }, { physicalResourceId: created.PhysicalResourceId })));
    expect(moved).toMatchObject({ Status: 'SUCCESS' });
    only(await h.invoke(h.request('Delete', { AccountId: MEMBER, LogFilePrefix: 'new' }, { physicalResourceId: created.PhysicalResourceId })));
    expect(await bucketResources()).toEqual([logsOf(OWNER), logsOf(MEMBER, 'new')]);
    expect(await keyPatterns()).toEqual([patternOf(OWNER), patternOf(MEMBER)]);
  });

  it('that fails keeps the old physical id and the old enrollment', async () => {
    const created = await create({ AccountId: MEMBER });
    const before = await policies();
    const failed = only(await h.invoke(h.request('Update', { AccountId: 'nope' }, { physicalResourceId: created.PhysicalResourceId })));
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: created.PhysicalResourceId });
    expect(await policies()).toEqual(before);
  });
});

describe('shared entries (R25, R27)', () => {
  it('two stacks of one account share the entry; it goes only with the last holder', async () => {
    const east = stackIdIn(MEMBER, 'StackSet-enrollment-east');
    const west = stackIdIn(MEMBER, 'StackSet-enrollment-west');
    const first = only(await h.invoke(h.request('Create', { AccountId: MEMBER }, { stackId: east })));
    const second = only(await h.invoke(h.request('Create', { AccountId: MEMBER }, { stackId: west })));
    expect(second.PhysicalResourceId).toBe(first.PhysicalResourceId);
    expect((await bucketResources()).filter((r) => r === logsOf(MEMBER))).toHaveLength(1);
    only(await h.invoke(h.request('Delete', {}, { stackId: east, physicalResourceId: first.PhysicalResourceId })));
    expect(await bucketResources()).toEqual([logsOf(OWNER), logsOf(MEMBER)]);
    expect(await keyPatterns()).toEqual([patternOf(OWNER), patternOf(MEMBER)]);
    only(await h.invoke(h.request('Delete', {}, { stackId: west, physicalResourceId: second.PhysicalResourceId })));
    expect(await bucketResources()).toEqual([logsOf(OWNER)]);
    expect(await keyPatterns()).toEqual([patternOf(OWNER)]);
  });

  it('one stack creating twice (a retried invocation) holds the entry once', async () => {
    const first = await create({ AccountId: MEMBER });
    await create({ AccountId: MEMBER });
    only(await h.invoke(h.request('Delete', {}, { physicalResourceId: first.PhysicalResourceId })));
    expect(await bucketResources()).toEqual([logsOf(OWNER)]);
  });
});

describe('request routing (R3, R18)', () => {
  it('answers each request inside an SNS event', async () => {
    const a = h.request('Create', { AccountId: MEMBER });
    const b = h.request('Create', { AccountId: OTHER }, { stackAccount: OWNER });
    const received = await h.invoke({ Records: [a, b].map((r) => ({ EventSource: 'aws:sns', Sns: { Message: JSON.stringify(r) } })) });
    expect(received.map((r) => [r.body.RequestId, r.body.Status])).toEqual([[a.RequestId, 'SUCCESS'], [b.RequestId, 'SUCCESS']]);
    expect(await bucketResources()).toEqual([logsOf(OWNER), logsOf(MEMBER), logsOf(OTHER)]);
  });

  it('ignores a request whose ResponseURL is not CloudFormation’s: no write, no response, host logged only', async () => {
    const event = { ...h.request('Create', { AccountId: MEMBER }), ResponseURL: 'https://attacker.example/collect?token=secret-signature' };
    const received = await h.invoke(event);
    expect(received).toEqual([]);
    expect(h.proxy.count()).toBe(0);
    const log = h.logs.join('\n');
    expect(log).toContain('attacker.example');
    expect(log).not.toContain('secret-signature');
  });

  it.each([
    'https://cloudformation-custom-resource-response-euwest1.s3.eu-west-1.amazonaws.com/arn%3Aaws/abc?X-Amz-Signature=secret-signature',
    'https://cloudformation-custom-resource-response-zznorth9.s3.amazonaws.com/arn%3Aaws/abc?X-Amz-Signature=secret-signature',
  ])('ignores a response bucket of another region than the stack\'s (us-east-1) like a foreign host: %s', async (responseUrl) => {
    const before = h.logs.length;
    const received = await h.invoke({ ...h.request('Create', { AccountId: MEMBER }), ResponseURL: responseUrl }, 5_000);
    expect(received).toEqual([]);
    expect(h.proxy.count()).toBe(0);
    const lines = h.logs.slice(before).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([expect.objectContaining({ level: 'WARN', responseHost: new URL(responseUrl).host })]);
    expect(h.logs.join('\n')).not.toContain('secret-signature');
  });

  describe('a request whose presigned ResponseURL has expired (late retry or duplicate)', () => {
    const amzDate = (at: Date) => at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const withQuery = (event: ReturnType<Harness['request']>, query: string) => ({ ...event, ResponseURL: `${event.ResponseURL}&${query}` });
    const twoHoursAgo = () => new Date(Date.now() - 2 * 3600_000 - 60_000);

    it.each([
      ['SigV4', () => `X-Amz-Date=${amzDate(twoHoursAgo())}&X-Amz-Expires=7200`],
      ['SigV2', () => `Expires=${Math.floor(twoHoursAgo().getTime() / 1000) + 60}`],
    ])('%s: is logged as a warning with the host only and not acted on (no AWS call, no response)', async (_, query) => {
      const before = h.logs.length;
      const received = await h.invoke(withQuery(h.request('Create', { AccountId: MEMBER }), query()));
      expect(received).toEqual([]);
      expect(h.proxy.count()).toBe(0);
      const lines = h.logs.slice(before).map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines).toEqual([expect.objectContaining({ level: 'WARN', responseHost: expect.stringMatching(/^127\.0\.0\.1:\d+$/) })]);
      expect(String(lines[0]!.message)).toMatch(/expired/);
      expect(h.logs.join('\n')).not.toContain('secret-signature');
      expect(await bucketResources()).toEqual([logsOf(OWNER)]);
    });

    it('is acted on and answered while its URL is still valid', async () => {
      const received = await h.invoke(withQuery(h.request('Create', { AccountId: MEMBER }), `X-Amz-Date=${amzDate(new Date(Date.now() - 60_000))}&X-Amz-Expires=7200`));
      expect(only(received).Status).toBe('SUCCESS');
      expect(await bucketResources()).toContain(logsOf(MEMBER));
    });
  });

  it('logs the response of a FAILED request as an error and of a successful one as information', async () => {
    const responseLines = () => h.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((l) => l.message === 'response sent');
    const failed = h.request('Create', { AccountId: '*' }, { stackAccount: OWNER });
    const succeeded = h.request('Create', { AccountId: MEMBER });
    expect(only(await h.invoke(failed)).Status).toBe('FAILED');
    expect(only(await h.invoke(succeeded)).Status).toBe('SUCCESS');
    expect(responseLines().filter((l) => l.requestId === failed.RequestId)).toEqual([expect.objectContaining({ level: 'ERROR', status: 'FAILED' })]);
    expect(responseLines().filter((l) => l.requestId === succeeded.RequestId)).toEqual([expect.objectContaining({ level: 'INFO', status: 'SUCCESS' })]);
  });

  it('retries the response PUT when the response bucket answers 5xx', async () => {
    h.responses.failNext(503, 500);
    const received = await h.invoke(h.request('Create', { AccountId: MEMBER }));
    expect(only(received).Status).toBe('SUCCESS');
  });
});

describe('Update of TrailArn only', () => {
  it('keeps the physical id, so no cleanup Delete can remove the live enrollment', async () => {
    const created = await create({ AccountId: MEMBER, TrailArn: 'arn:aws:cloudtrail:us-east-1:222222222222:trail/old' });
    const updated = only(await h.invoke(h.request('Update', { AccountId: MEMBER, TrailArn: 'arn:aws:cloudtrail:us-east-1:222222222222:trail/new' }, { physicalResourceId: created.PhysicalResourceId })));
    expect(updated).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: created.PhysicalResourceId });
    expect(await bucketResources()).toContain(logsOf(MEMBER));
  });
});

describe('a bucket that requires SSE-KMS under the trail key (R14)', () => {
  it('enrolls the member: CloudTrail sends aws:kms and the trail key, so the Deny cannot refuse its delivery', async () => {
    const policy = JSON.parse((await estate.readBucketPolicy())!);
    policy.Statement.push({
      Sid: 'DenyOtherEncryption',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:PutObject',
      Resource: `arn:aws:s3:::${estate.bucket}/*`,
      Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': estate.keyArn } },
    });
    await estate.putBucketPolicy(JSON.stringify(policy));
    expect(await create({ AccountId: MEMBER })).toMatchObject({ Status: 'SUCCESS' });
  });
});
