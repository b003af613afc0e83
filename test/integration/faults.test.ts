import { CreateAccountCommand, CreateOrganizationCommand, DescribeCreateAccountStatusCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { CreateBucketCommand, PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { Estate, seedBucketPolicy } from '../../devtools/estate';
import { deleteLedgerTable } from '../../devtools/ledger-table';
import { Harness, only, useHarness } from '../support/harness';

const MEMBER = '222222222222';
const OWNER = '111111111111';
const WRITE = 'AWSCloudTrailWrite20131101';
const ENCRYPT = 'Allow CloudTrail to encrypt logs';

let h: Harness;
let estate: Estate;

useHarness({ harness: (x) => (h = x), estate: (x) => (estate = x) });

const snapshot = async () => ({ bucket: await estate.readBucketPolicy(), key: await estate.readKeyPolicy() });
const writes = () => h.proxy.count('PutBucketPolicy') + h.proxy.count('PutKeyPolicy') + h.proxy.count('DeleteBucketPolicy');
const create = async (properties: Record<string, string> = { AccountId: MEMBER }, remainingMs?: number) => only(await h.invoke(h.request('Create', properties), remainingMs));
const bucketListsMember = async () => ((await estate.readBucketPolicy()) ?? '').includes(`AWSLogs/${MEMBER}/*`);
const keyListsMember = async () => (await estate.readKeyPolicy()).includes(`:${MEMBER}:trail/*`);

describe('both policies or neither (R9)', () => {
  it('a key policy write that keeps failing leaves the bucket policy exactly as it was read', async () => {
    const before = await snapshot();
    h.proxy.inject({ operation: 'PutKeyPolicy', status: 500, code: 'KMSInternalException' });
    const response = await create();
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/^Writing the key policy failed \(kms:PutKeyPolicy on arn:aws:kms:.* failed with KMSInternalException.*\); the bucket policy of my-trail-bucket was restored to what it was, so neither policy changed\.$/);
    expect(await snapshot()).toEqual(before);
    expect(h.proxy.count('PutKeyPolicy')).toBe(5);
    expect(h.proxy.count('PutBucketPolicy')).toBe(2);
  });

  it('restores "no bucket policy" by deleting the one it created', async () => {
    estate = await h.estate({ bucketPolicy: null });
    h.proxy.inject({ operation: 'PutKeyPolicy', status: 400, code: 'AccessDeniedException' });
    const response = await create();
    expect(response.Reason).toContain("The function's role was denied kms:PutKeyPolicy");
    expect(response.Reason).toContain('restored');
    expect(await estate.readBucketPolicy()).toBeUndefined();
    expect(h.proxy.count('PutKeyPolicy')).toBe(1); // AccessDenied cannot succeed: not retried
  });

  it('says so when the restore fails too', async () => {
    h.proxy.inject({ operation: 'PutKeyPolicy', status: 400, code: 'AccessDeniedException' });
    h.proxy.inject({ operation: 'PutBucketPolicy', times: 1 }); // the enrollment write goes through
    h.proxy.inject({ operation: 'PutBucketPolicy', status: 400, code: 'AccessDenied' }); // the restore does not
    const response = await create();
    expect(response.Reason).toMatch(/^Writing the key policy failed \(The function's role was denied kms:PutKeyPolicy.*\) and restoring the bucket policy of my-trail-bucket failed too \(The function's role was denied s3:PutBucketPolicy.*\), so the bucket policy holds the change but the key policy does not; retry/);
    expect(await bucketListsMember()).toBe(true);
    expect(await keyListsMember()).toBe(false);
  });
});

describe('transient errors are retried (R10)', () => {
  it.each([
    ['PutBucketPolicy', 503, 'SlowDown'],
    ['PutBucketPolicy', 409, 'OperationAborted'],
    ['PutKeyPolicy', 400, 'ThrottlingException'],
    ['PutKeyPolicy', 503, 'ServiceUnavailableException'],
    ['GetBucketPolicy', 500, 'InternalError'],
  ])('one %s answered %i %s still ends in SUCCESS', async (operation, status, code) => {
    h.proxy.inject({ operation, status, code, times: 1 });
    const response = await create();
    expect(response).toMatchObject({ Status: 'SUCCESS' });
    expect(await bucketListsMember()).toBe(true);
    expect(await keyListsMember()).toBe(true);
  });

  it('a throttle on each write still ends in SUCCESS', async () => {
    h.proxy.inject({ operation: 'PutBucketPolicy', status: 503, code: 'SlowDown', times: 1 });
    h.proxy.inject({ operation: 'PutKeyPolicy', status: 400, code: 'ThrottlingException', times: 1 });
    expect(await create()).toMatchObject({ Status: 'SUCCESS' });
    expect(h.proxy.count('PutBucketPolicy')).toBe(2);
    expect(h.proxy.count('PutKeyPolicy')).toBe(2);
  });
});

describe('verify after write (R10)', () => {
  it('re-applies the entry when another writer overwrites the bucket policy before verification', async () => {
    h.proxy.inject({ operation: 'PutKeyPolicy', times: 1, before: () => estate.putBucketPolicy(seedBucketPolicy()) });
    const response = await create();
    expect(response).toMatchObject({ Status: 'SUCCESS' });
    expect(h.proxy.count('PutBucketPolicy')).toBe(2);
    expect(await bucketListsMember()).toBe(true);
    expect(await keyListsMember()).toBe(true);
  });

  it('gives up after three applications against a writer that always wins', async () => {
    h.proxy.inject({ operation: 'GetBucketPolicy', before: () => estate.putBucketPolicy(seedBucketPolicy()) });
    const response = await create();
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain('Another writer changed the bucket policy of my-trail-bucket after each of 3 writes');
    expect(h.proxy.count('PutBucketPolicy')).toBe(3);
  });
});

describe('timeout guard (R19)', () => {
  it('answers FAILED naming the slow step before the deadline and writes nothing after it', async () => {
    h.proxy.inject({ operation: 'GetBucketPolicy', delayMs: 4000 });
    const started = Date.now();
    const response = await create({ AccountId: MEMBER }, 3000);
    const elapsed = Date.now() - started;
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toBe('The function ran out of time while reading the bucket policy; this request had written no policy, so retry the stack operation and raise the function timeout if it happens again.');
    expect(elapsed).toBeLessThan(3000);
    await new Promise((r) => setTimeout(r, 2500));
    expect(writes()).toBe(0);
    expect(await bucketListsMember()).toBe(false);
  });

  it('says which policy was already written, and which write was in flight, when the key write is the slow step', async () => {
    h.proxy.inject({ operation: 'PutKeyPolicy', delayMs: 4000 });
    const response = await create({ AccountId: MEMBER }, 3000);
    expect(response.Reason).toMatch(/^The function ran out of time while writing the key policy; the bucket policy of my-trail-bucket had already been written and was not restored, and the write of the key policy of arn:aws:kms:[^ ]+ was in flight and may have been applied, so retry/);
  });

  it('never says that no policy was changed while a write was in flight (version 2 did)', async () => {
    h.proxy.inject({ operation: 'PutBucketPolicy', delayMs: 4000 });
    const response = await create({ AccountId: MEMBER }, 3000);
    expect(response.Reason).toMatch(/^The function ran out of time while writing the bucket policy; the write of the bucket policy of my-trail-bucket was in flight and may have been applied, so retry/);
    expect(response.Reason).not.toContain('no policy');
  });
});

describe('size limits (R11)', () => {
  it('refuses the account that would push the bucket policy over 20,480 bytes, with the numbers', async () => {
    const policy = JSON.parse(seedBucketPolicy());
    const write = policy.Statement.find((s: { Sid: string }) => s.Sid === WRITE);
    for (let i = 0; JSON.stringify(policy).length < 20_480 - 60; i++) write.Resource.push(`arn:aws:s3:::my-trail-bucket/AWSLogs/${String(300000000000 + i)}/*`);
    const accounts = write.Resource.length;
    await estate.putBucketPolicy(JSON.stringify(policy));
    h.proxy.clear();
    const response = await create();
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(new RegExp(`^The bucket policy of my-trail-bucket would be 20,[0-9]{3} bytes with ${accounts + 1} accounts, over the S3 bucket policy limit of 20,480 bytes;`));
    expect(writes()).toBe(0);
  });
});

describe('region and partition (R12, R13)', () => {
  it('refuses a bucket in another region than the key, writing nothing', async () => {
    await estate.s3.send(new CreateBucketCommand({ Bucket: 'eu-trail-bucket', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    await estate.s3.send(new PutBucketPolicyCommand({ Bucket: 'eu-trail-bucket', Policy: seedBucketPolicy('eu-trail-bucket') }));
    h.configure({ TRAIL_BUCKET_NAME: 'eu-trail-bucket', TRAIL_KEY_ARN: estate.keyArn });
    const response = await create();
    expect(response.Reason).toBe(`The bucket eu-trail-bucket is in eu-west-1 but the key ${estate.keyArn} is in us-east-1, and CloudTrail needs both in one region; use a key in eu-west-1 or a bucket in us-east-1.`);
    expect(writes()).toBe(0);
  });
});

describe('confused-deputy conditions (R14)', () => {
  beforeEach(async () => {
    const key = JSON.parse(await estate.readKeyPolicy());
    key.Statement.find((s: { Sid: string }) => s.Sid === ENCRYPT).Condition.StringEquals = { 'aws:SourceArn': `arn:aws:cloudtrail:us-east-1:${OWNER}:trail/main` };
    await estate.putKeyPolicy(JSON.stringify(key));
    h.proxy.clear();
  });

  it('refuses StringEquals aws:SourceArn without TrailArn, writing nothing', async () => {
    const response = await create();
    expect(response.Reason).toContain('allows only exact trail ARNs (StringEquals aws:SourceArn), so the member\'s trail would be denied; set the TrailArn property');
    expect(writes()).toBe(0);
  });

  it('adds TrailArn when given, and removal takes it out again', async () => {
    const trail = `arn:aws:cloudtrail:us-east-1:${MEMBER}:trail/org-trail`;
    const response = await create({ AccountId: MEMBER, TrailArn: trail });
    expect(response).toMatchObject({ Status: 'SUCCESS' });
    const encrypt = JSON.parse(await estate.readKeyPolicy()).Statement.find((s: { Sid: string }) => s.Sid === ENCRYPT);
    expect(encrypt.Condition.StringEquals['aws:SourceArn']).toEqual([`arn:aws:cloudtrail:us-east-1:${OWNER}:trail/main`, trail]);
    only(await h.invoke(h.request('Delete', {}, { physicalResourceId: response.PhysicalResourceId })));
    const after = JSON.parse(await estate.readKeyPolicy()).Statement.find((s: { Sid: string }) => s.Sid === ENCRYPT);
    expect(after.Condition.StringEquals['aws:SourceArn']).toEqual([`arn:aws:cloudtrail:us-east-1:${OWNER}:trail/main`]);
  });
});

describe('policies we do not understand are refused with nothing written', () => {
  it.each([
    ['an unparseable bucket policy', async () => estate.putBucketPolicy('{"Version": "2012-10-17", "Statement": [')],
    ['an unparseable key policy', async () => estate.putKeyPolicy('{"Version": "2012-10-17", "Statement": [')],
    ['a Deny on the member entry', async () => {
      const p = JSON.parse(seedBucketPolicy());
      p.Statement.push({ Sid: 'Block', Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: `arn:aws:s3:::my-trail-bucket/AWSLogs/${MEMBER}/*` });
      await estate.putBucketPolicy(JSON.stringify(p));
    }],
    ['a NotPrincipal on the statement', async () => {
      const p = JSON.parse(seedBucketPolicy());
      delete p.Statement[1].Principal;
      p.Statement[1].NotPrincipal = { AWS: `arn:aws:iam::${OWNER}:root` };
      await estate.putBucketPolicy(JSON.stringify(p));
    }],
    ['conflicting duplicate Sids', async () => {
      const p = JSON.parse(seedBucketPolicy());
      p.Statement.push({ ...p.Statement[1], Resource: 'arn:aws:s3:::my-trail-bucket/other/*' });
      await estate.putBucketPolicy(JSON.stringify(p));
    }],
  ])('%s', async (_name, arrange) => {
    await arrange();
    const before = await snapshot();
    h.proxy.clear();
    const response = await create();
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/^The .*; .*\.$/);
    expect(writes()).toBe(0);
    expect(await snapshot()).toEqual(before);
  });
});

describe('a missing ledger table (R26)', () => {
  const names = /LEDGER_TABLE_NAME.*LedgerTableName output/;

  const expectNamed = (reason: string | undefined) => {
    expect(reason).toMatch(names);
    expect(reason).toContain('cloudtrail-enrollment-ledger');
    expect(reason).not.toMatch(/retry the stack operation/);
    expect(reason!.trim().split(/(?<=\.)\s+(?=[A-Z])/)).toHaveLength(1);
  };

  it('fails a Create in an estate without the table with one sentence that names LEDGER_TABLE_NAME and the owner stack\'s LedgerTableName output, writing nothing', async () => {
    estate = await h.estate({}, {}, { ledgerTable: false });
    const before = await snapshot();
    const response = await create();
    expect(response.Status).toBe('FAILED');
    expectNamed(response.Reason);
    expect(writes()).toBe(0);
    expect(await snapshot()).toEqual(before);
  });

  it('fails a Delete after the table was deleted the same way, and removes nothing', async () => {
    const created = await create();
    await deleteLedgerTable(h.moto.endpoint);
    const before = await snapshot();
    h.proxy.clear();
    const response = only(await h.invoke(h.request('Delete', {}, { physicalResourceId: created.PhysicalResourceId })));
    expect(response.Status).toBe('FAILED');
    expectNamed(response.Reason);
    expect(writes()).toBe(0);
    expect(await snapshot()).toEqual(before);
  });

  it('says the same in the log line of a scheduled reconcile', async () => {
    estate = await h.estate({}, {}, { ledgerTable: false });
    const logged = h.logs.length;
    await h.invoke({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} });
    const failures = h.logs.slice(logged).map((line) => JSON.parse(line)).filter((l) => l.level === 'ERROR');
    expect(failures).toEqual([expect.objectContaining({ reason: expect.stringMatching(names) })]);
  });
});

describe('organization membership (ORGANIZATION_ID)', () => {
  it('enrolls ACTIVE members and refuses outsiders, writing nothing for them', async () => {
    const organizations = new OrganizationsClient({ region: 'us-east-1', endpoint: h.moto.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    const organization = await organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const created = await organizations.send(new CreateAccountCommand({ AccountName: 'member', Email: 'member@example.com' }));
    const status = await organizations.send(new DescribeCreateAccountStatusCommand({ CreateAccountRequestId: created.CreateAccountStatus!.Id! }));
    const insider = status.CreateAccountStatus!.AccountId!;
    h.configure({ TRAIL_BUCKET_NAME: estate.bucket, TRAIL_KEY_ARN: estate.keyArn, ORGANIZATION_ID: organization.Organization!.Id! });

    const outsider = only(await h.invoke(h.request('Create', { AccountId: '999999999999' })));
    expect(outsider.Reason).toBe(`Account 999999999999 is not a member of organization ${organization.Organization!.Id}, so it is not enrolled; invite it to the organization first or check ORGANIZATION_ID.`);
    expect(writes()).toBe(0);

    const member = only(await h.invoke(h.request('Create', { AccountId: insider })));
    expect(member).toMatchObject({ Status: 'SUCCESS' });
    expect(h.proxy.count('DescribeAccount')).toBe(2);
  });
});
