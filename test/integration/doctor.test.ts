// cloudtrail-enrollment doctor (SPEC R37): the built CLI (dist/cli.js) as a child process against moto, through the
// loopback proxy that records every AWS call. Each test seeds one misconfiguration of a sound deployment and expects
// its check to fail (or warn) with a fix; the sound deployment passes every check with exit 0 and makes no write call.
import { CreateTopicCommand, SetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { join } from 'node:path';
import { AwsProxy, startAwsProxy } from '../../devtools/aws-proxy';
import { createEstate, Estate, EstateOptions, fixture, seedBucketPolicy } from '../../devtools/estate';
import { createLedgerTable, LEDGER_TABLE } from '../../devtools/ledger-table';
import { motoEnvironment, MotoServer, OWNER_ACCOUNT_ID, startMoto } from '../../devtools/moto';
import { projectRoot } from '../../devtools/project-root';
import type { Check } from '../../src/doctor/check';
import { loadTemplate, resolveIntrinsics, TOPIC_ARN } from '../support/cfn-template';
import { ProcessRun, runNode } from '../support/run-node';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const CLI = join(projectRoot(), 'dist', 'cli.js');
const ORG = 'o-a1b2c3d4e5';
const MEMBER = '222222222222';
const EXEC_ROLE = `arn:aws:iam::${MEMBER}:role/stacksets-exec-1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d`;
const CONTROL_TOWER_ROLE = `arn:aws:iam::${MEMBER}:role/AWSControlTowerExecution`;
const WRITE_SID = 'AWSCloudTrailWrite20131101';
const ACL_SID = 'AWSCloudTrailAclCheck20131101';
const KEY_SID = 'Allow CloudTrail to encrypt logs';
const CONTEXT = 'kms:EncryptionContext:aws:cloudtrail:arn';
const OTHER_KEY = 'arn:aws:kms:us-east-1:111111111111:key/0000aaaa-00aa-00aa-00aa-000000aaaaaa';
/** What doctor may call: reads only. */
const READS = new Set(['GetBucketPolicy', 'GetBucketLocation', 'GetKeyPolicy', 'DescribeTable', 'DescribeContinuousBackups', 'Query', 'GetTopicAttributes']);

let moto: MotoServer;
let proxy: AwsProxy;

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startAwsProxy(moto.endpoint);
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await moto?.stop();
});

beforeEach(async () => {
  await moto.reset();
  proxy.clear();
});

const documentOf = (text: string): Json => JSON.parse(text);
const statementOf = (document: Json, sid: string): Json => document.Statement.find((s: Json) => s.Sid === sid);

/** The ServiceToken topic with template.yaml's topic policy for an organization (default publisher roles). */
async function createTopic(): Promise<string> {
  const sns = new SNSClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: TOPIC_ARN.split(':').pop()! }));
  const template = loadTemplate('template.yaml');
  const [, topicPolicy] = Object.entries(template.Resources as Record<string, Json>).find(([, r]) => r.Type === 'AWS::SNS::TopicPolicy')!;
  const policy = resolveIntrinsics(template, topicPolicy.Properties.PolicyDocument, { OrganizationId: ORG });
  await sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: 'Policy', AttributeValue: JSON.stringify(policy) }));
  sns.destroy();
  return TopicArn!;
}

/** A sound owner account: the seed bucket policy, CloudTrail's console key policy, the ledger table as template.yaml creates it. */
async function deployment(options: Omit<EstateOptions, 'endpoint'> = {}, { ledger = true } = {}): Promise<Estate> {
  const estate = await createEstate({ endpoint: moto.endpoint, ...options });
  if (ledger) await createLedgerTable(moto.endpoint);
  return estate;
}

interface Doctor {
  run: ProcessRun;
  checks: Check[];
  check(id: Check['id']): Check;
}

async function doctor(estate: Estate, args: string[] = []): Promise<Doctor> {
  proxy.clear();
  const env = { ...process.env, ...motoEnvironment(proxy.endpoint), TRAIL_BUCKET_NAME: estate.bucket, TRAIL_KEY_ARN: estate.keyArn, LEDGER_TABLE_NAME: LEDGER_TABLE };
  const run = await runNode(CLI, ['doctor', '--json', ...args], { env });
  const checks = run.code === 2 ? [] : (JSON.parse(run.stdout) as { checks: Check[] }).checks;
  return { run, checks, check: (id) => checks.find((c) => c.id === id)! };
}

const topicArgs = (topic: string, role = EXEC_ROLE) => ['--topic', topic, '--publisher-role', role, '--organization', ORG];

function expectFailure(result: Doctor, id: Check['id'], status: 'fail' | 'warn', message: RegExp): void {
  expect(result.check(id)).toEqual({ id, status, message: expect.stringMatching(message), fix: expect.stringMatching(/^[A-Z].+\.$/) });
  expect(result.run.code).toBe(status === 'fail' ? 1 : 0);
}

describe('cloudtrail-enrollment doctor', () => {
  it('passes a sound deployment with exit 0, and makes read calls only', async () => {
    const estate = await deployment();
    const topic = await createTopic();
    const result = await doctor(estate, topicArgs(topic));
    expect(result.run.stderr).toBe('');
    expect(result.run.code).toBe(0);
    expect(result.checks.map((c) => [c.id, c.status])).toEqual(
      ['bucket-region', 'key-lockout', 'bucket-statement', 'key-statement', 'acl-check', 'bucket-deny', 'key-deny', 'capacity', 'ledger-table', 'topic-policy', 'drift'].map((id) => [id, 'pass']),
    );
    for (const check of result.checks) expect(check).toEqual({ id: check.id, status: 'pass', message: expect.stringMatching(/^[A-Z0-9].+\.$/), fix: '' });
    const operations = new Set(proxy.calls.map((c) => c.operation));
    expect([...operations].filter((o) => !READS.has(o))).toEqual([]);
    expect(operations).toEqual(READS);
  });

  it('prints one line per check, then a count', async () => {
    const estate = await deployment();
    const run = await runNode(CLI, ['doctor'], { env: { ...process.env, ...motoEnvironment(moto.endpoint), TRAIL_BUCKET_NAME: estate.bucket, TRAIL_KEY_ARN: estate.keyArn, LEDGER_TABLE_NAME: LEDGER_TABLE } });
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(13);
    expect(lines[0]).toMatch(/^PASS  bucket-region +The bucket my-trail-bucket and the key are both in us-east-1\.$/);
    expect(lines[9]).toMatch(/^WARN  topic-policy +Skipped: no --topic was given, .* Fix: Pass --topic with the stack's ServiceToken output, /);
    expect(lines[12]).toBe('11 checks: 10 passed, 1 warned, 0 failed.');
    expect(run.code).toBe(0);
  });

  it('bucket-region: fails a bucket in eu-west-1 with the key in us-east-1', async () => {
    const estate = await deployment({ bucketRegion: 'eu-west-1' });
    expectFailure(await doctor(estate), 'bucket-region', 'fail', /^The bucket my-trail-bucket is in eu-west-1 but the key is in us-east-1, /);
  });

  it('key-lockout: fails a key policy without its account-root statement', async () => {
    const keyPolicy = documentOf(fixture('cloudtrail-console-key-policy.json'));
    keyPolicy.Statement = keyPolicy.Statement.filter((s: Json) => s.Sid !== 'Enable IAM User Permissions');
    const estate = await deployment({ keyPolicy: JSON.stringify(keyPolicy) });
    const result = await doctor(estate);
    expectFailure(result, 'key-lockout', 'fail', /does not let account 111111111111's IAM policies call kms:GetKeyPolicy or kms:PutKeyPolicy \(its account-root statement is gone\)/);
    expect(result.check('key-lockout').fix).toMatch(/arn:aws:iam::111111111111:root kms:\*/);
  });

  it('bucket-statement: fails two statements with the managed Sid', async () => {
    const bucketPolicy = documentOf(seedBucketPolicy());
    bucketPolicy.Statement.push({ ...statementOf(bucketPolicy, WRITE_SID), Resource: ['arn:aws:s3:::my-trail-bucket/other/AWSLogs/111111111111/*'] });
    const estate = await deployment({ bucketPolicy: JSON.stringify(bucketPolicy) });
    const result = await doctor(estate);
    expectFailure(result, 'bucket-statement', 'fail', /has 2 statements with Sid "AWSCloudTrailWrite20131101"\.$/);
    expect(result.check('bucket-statement').fix).toBe('Merge them into one by hand so there is a single statement to edit.');
  });

  it('key-statement: fails a managed key statement written with NotResource', async () => {
    const keyPolicy = documentOf(fixture('cloudtrail-console-key-policy.json'));
    const encrypt = statementOf(keyPolicy, KEY_SID);
    delete encrypt.Resource;
    encrypt.NotResource = OTHER_KEY;
    const estate = await deployment({ keyPolicy: JSON.stringify(keyPolicy) });
    expectFailure(await doctor(estate), 'key-statement', 'fail', /uses NotResource, which this function does not edit/);
  });

  it('acl-check: fails when no statement grants CloudTrail s3:GetBucketAcl', async () => {
    const bucketPolicy = documentOf(seedBucketPolicy());
    bucketPolicy.Statement = bucketPolicy.Statement.filter((s: Json) => s.Sid !== ACL_SID);
    const estate = await deployment({ bucketPolicy: JSON.stringify(bucketPolicy) });
    expectFailure(await doctor(estate), 'acl-check', 'fail', /^No statement of the bucket policy of my-trail-bucket lets CloudTrail call s3:GetBucketAcl on the bucket, /);
  });

  it('acl-check: fails a GetBucketAcl grant conditioned on aws:SourceOrgID, which CloudTrail\'s check does not send', async () => {
    const bucketPolicy = documentOf(seedBucketPolicy());
    statementOf(bucketPolicy, ACL_SID).Condition = { StringEquals: { 'aws:SourceOrgID': ORG } };
    const estate = await deployment({ bucketPolicy: JSON.stringify(bucketPolicy) });
    expectFailure(await doctor(estate), 'acl-check', 'fail', /^Statement "AWSCloudTrailAclCheck20131101" of the bucket policy of my-trail-bucket lets CloudTrail call s3:GetBucketAcl only when StringEquals aws:SourceOrgID holds, which CloudTrail's check does not satisfy for trails of 111111111111 and a member not enrolled yet\.$/);
  });

  it('acl-check: passes a grant narrowed to the members\' trails by aws:SourceArn', async () => {
    const bucketPolicy = documentOf(seedBucketPolicy());
    statementOf(bucketPolicy, ACL_SID).Condition = { ArnLike: { 'aws:SourceArn': 'arn:aws:cloudtrail:*:*:trail/*' } };
    const estate = await deployment({ bucketPolicy: JSON.stringify(bucketPolicy) });
    expect((await doctor(estate)).check('acl-check').status).toBe('pass');
  });

  it('bucket-deny: fails a Deny that requires another SSE-KMS key', async () => {
    const bucketPolicy = documentOf(seedBucketPolicy());
    bucketPolicy.Statement.push({
      Sid: 'DenyOtherKeys',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:PutObject',
      Resource: 'arn:aws:s3:::my-trail-bucket/*',
      Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': OTHER_KEY } },
    });
    const estate = await deployment({ bucketPolicy: JSON.stringify(bucketPolicy) });
    expectFailure(await doctor(estate), 'bucket-deny', 'fail', /^Statement "DenyOtherKeys" of the bucket policy of my-trail-bucket would refuse CloudTrail's s3:PutObject of the AWSLogs objects of 111111111111 and a member not enrolled yet, /);
  });

  it('bucket-deny: passes a Deny that requires SSE-KMS under the trail key itself, which CloudTrail sends', async () => {
    const estate = await deployment({});
    const bucketPolicy = documentOf(seedBucketPolicy());
    bucketPolicy.Statement.push({
      Sid: 'DenyOtherKeys',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:PutObject',
      Resource: 'arn:aws:s3:::my-trail-bucket/*',
      Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': estate.keyArn, 's3:x-amz-server-side-encryption': 'aws:kms' } },
    });
    await estate.putBucketPolicy(JSON.stringify(bucketPolicy));
    expect((await doctor(estate)).check('bucket-deny').status).toBe('pass');
  });

  it('bucket-deny: passes an aws:SecureTransport Deny, which never blocks CloudTrail', async () => {
    const bucketPolicy = documentOf(seedBucketPolicy());
    bucketPolicy.Statement.push({
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: ['arn:aws:s3:::my-trail-bucket', 'arn:aws:s3:::my-trail-bucket/*'],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
    const estate = await deployment({ bucketPolicy: JSON.stringify(bucketPolicy) });
    const result = await doctor(estate);
    expect(result.checks.filter((c) => c.status !== 'pass').map((c) => c.id)).toEqual(['topic-policy']);
    expect(result.run.code).toBe(0);
  });

  it('key-deny: fails a key Deny of kms:GenerateDataKey* outside the organization', async () => {
    const keyPolicy = documentOf(fixture('cloudtrail-console-key-policy.json'));
    keyPolicy.Statement.push({ Sid: 'DenyOutsideOrg', Effect: 'Deny', Principal: '*', Action: 'kms:GenerateDataKey*', Resource: '*', Condition: { StringNotEquals: { 'aws:PrincipalOrgID': ORG } } });
    const estate = await deployment({ keyPolicy: JSON.stringify(keyPolicy) });
    expectFailure(await doctor(estate), 'key-deny', 'fail', /^Statement "DenyOutsideOrg" of the key policy of arn:aws:kms:.* would refuse CloudTrail's kms:GenerateDataKey for the trails of 111111111111 and a member not enrolled yet, /);
  });

  it('capacity: warns with a policy at 85% of its limit, naming how many accounts still fit in each layout', async () => {
    const bucketPolicy = documentOf(seedBucketPolicy());
    const write = statementOf(bucketPolicy, WRITE_SID);
    const keyPolicy = documentOf(fixture('cloudtrail-console-key-policy.json'));
    const patterns = statementOf(keyPolicy, KEY_SID).Condition.StringLike;
    patterns[CONTEXT] = [patterns[CONTEXT]];
    for (let i = 0; JSON.stringify(bucketPolicy).length < 0.85 * 20_480; i++) {
      write.Resource.push(`arn:aws:s3:::my-trail-bucket/AWSLogs/${300_000_000_000 + i}/*`);
      patterns[CONTEXT].push(`arn:aws:cloudtrail:*:${300_000_000_000 + i}:trail/*`);
    }
    const estate = await deployment({ bucketPolicy: JSON.stringify(bucketPolicy), keyPolicy: JSON.stringify(keyPolicy) });
    const result = await doctor(estate);
    expectFailure(result, 'capacity', 'warn', /^The bucket policy of my-trail-bucket is 17,[0-9]{3} of 20,480 bytes \(85%\) and the key policy of .* \([0-9]+%\); [0-9]+ more accounts fit in the resource-list layout the statements use, 1,[0-9]{3} in the account-list layout\.$/);
    expect(result.check('capacity').fix).toMatch(/set PolicyLayout to account-list/);
  });

  it('ledger-table: fails a missing table, and drift then warns that the ledger was not compared', async () => {
    const estate = await deployment({}, { ledger: false });
    const result = await doctor(estate);
    expectFailure(result, 'ledger-table', 'fail', /^The ledger table cloudtrail-enrollment-ledger does not exist in us-east-1, /);
    expect(result.check('drift')).toMatchObject({ status: 'warn', message: expect.stringMatching(/the ledger was not read/) });
  });

  it('ledger-table: warns when point-in-time recovery is off', async () => {
    const estate = await deployment({}, { ledger: false });
    const { CreateTableCommand, DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
    const dynamo = new DynamoDBClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    await dynamo.send(
      new CreateTableCommand({
        TableName: LEDGER_TABLE,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      }),
    );
    dynamo.destroy();
    expectFailure(await doctor(estate), 'ledger-table', 'warn', /has point-in-time recovery off/);
  });

  it('topic-policy: a topic that admits stacksets-exec-* refuses AWSControlTowerExecution and admits a stacksets-exec role', async () => {
    const estate = await deployment();
    const topic = await createTopic();
    const controlTower = await doctor(estate, topicArgs(topic, CONTROL_TOWER_ROLE));
    expectFailure(controlTower, 'topic-policy', 'fail', /does not let arn:aws:iam::222222222222:role\/AWSControlTowerExecution in o-a1b2c3d4e5 publish: statement "StackSetExecutionRolesPublish" requires ArnLike aws:PrincipalArn, /);
    expect(controlTower.check('topic-policy').fix).toMatch(/PublisherRoleArns parameter \(for Customizations for AWS Control Tower arn:<partition>:iam::\*:role\/AWSControlTowerExecution\)/);
    const exec = await doctor(estate, topicArgs(topic));
    expect(exec.check('topic-policy')).toEqual({ id: 'topic-policy', status: 'pass', message: expect.stringMatching(/lets arn:aws:iam::222222222222:role\/stacksets-exec-\S+ in o-a1b2c3d4e5 publish \(statement "StackSetExecutionRolesPublish"\)\.$/), fix: '' });
    expect(exec.run.code).toBe(0);
  });

  it('topic-policy: warns that it was skipped without --topic', async () => {
    const estate = await deployment();
    expectFailure(await doctor(estate), 'topic-policy', 'warn', /^Skipped: no --topic was given/);
  });

  it('drift: fails an account half-enrolled by hand', async () => {
    const bucketPolicy = documentOf(seedBucketPolicy());
    statementOf(bucketPolicy, WRITE_SID).Resource.push(`arn:aws:s3:::my-trail-bucket/AWSLogs/${MEMBER}/*`);
    const estate = await deployment({ bucketPolicy: JSON.stringify(bucketPolicy) });
    expectFailure(await doctor(estate), 'drift', 'fail', /^1 of 2 accounts disagree between the policies and the ledger: 222222222222 \(half-enrolled: in the bucket policy but not in the key policy\)\.$/);
  });

  it('exits 2 with one line on stderr for a usage error or an AWS error, before any check', async () => {
    const estate = await deployment();
    const usage = await doctor(estate, ['--topic', TOPIC_ARN]);
    expect(usage.run).toMatchObject({ code: 2, stdout: '', stderr: expect.stringMatching(/^cloudtrail-enrollment: --topic needs --publisher-role: .*\n$/) });
    const missing = await doctor(estate, ['--bucket', 'no-such-trail-bucket']);
    expect(missing.run).toMatchObject({ code: 2, stdout: '', stderr: expect.stringMatching(/^cloudtrail-enrollment: The bucket no-such-trail-bucket does not exist or is not visible to your credentials; check --bucket\.\n$/) });
  });

  it('names the owner account the key policy administers (sanity of the probe)', async () => {
    const estate = await deployment();
    expect((await doctor(estate)).check('key-lockout').message).toContain(`account ${OWNER_ACCOUNT_ID}'s IAM policies administer the key`);
  });
});
