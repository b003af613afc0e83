// Hardening 2 (SPEC R39) against moto: what a failed, retried, late or hand-made request may never do. Each test
// reproduces a finding of the adversarial review that version 2 (before R39) failed.
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { AttributeValue, DeleteItemCommand, DynamoDBClient, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { createEstate, Estate, fixture } from '../../devtools/estate';
import { stackIdIn } from '../../devtools/events';
import { LEDGER_TABLE } from '../../devtools/ledger-table';
import { Harness, only, useHarness } from '../support/harness';

const MEMBER = '222222222222';
const OTHER = '333333333333';
const SCHEDULED = { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} };
const logsOf = (account: string, prefix = '', bucket = 'my-trail-bucket') => `arn:aws:s3:::${bucket}/${prefix ? `${prefix}/` : ''}AWSLogs/${account}/*`;
const patternOf = (account: string) => `arn:aws:cloudtrail:*:${account}:trail/*`;
/** The ledger's change counter: one UpdateItem per registered change. */
const COUNT_CHANGE = 'ADD generation';

let h: Harness;
let estate: Estate;
useHarness({ harness: (x) => (h = x), estate: (x) => (estate = x) });

const create = async (properties: Record<string, string>, options = {}) => only(await h.invoke(h.request('Create', properties, options)));
const remove = async (physicalResourceId: string, options = {}) => only(await h.invoke(h.request('Delete', {}, { physicalResourceId, ...options })));
const reconcile = () => h.invoke(SCHEDULED);
const policyWrites = () => h.proxy.count('PutBucketPolicy') + h.proxy.count('PutKeyPolicy') + h.proxy.count('DeleteBucketPolicy');

function dynamo(): DynamoDBClient {
  return new DynamoDBClient({ region: 'us-east-1', endpoint: h.moto.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
}
async function ledgerItems(pk = 'ledger'): Promise<Array<Record<string, AttributeValue>>> {
  const out = await dynamo().send(new QueryCommand({ TableName: LEDGER_TABLE, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: pk } }, ConsistentRead: true }));
  return out.Items ?? [];
}
const holdingsOf = async (account: string) => (await ledgerItems()).filter((i) => i.kind?.S === 'holding' && i.accountId?.S === account);
type LogLine = { level: string; message: string } & Record<string, unknown>;
const logLines = (): LogLine[] =>
  h.logs.flatMap((line) => {
    try {
      return [JSON.parse(line) as LogLine];
    } catch {
      return [];
    }
  });

describe('a failed Create answers the id whose Delete releases what it may have left (R39)', () => {
  it('when counting the change fails after the holding was written: the rollback Delete releases it and no reconcile enrolls the account (version 2 answered not-enrolled, and the next reconcile enrolled it for good)', async () => {
    h.proxy.inject({ operation: 'UpdateItem', bodyIncludes: COUNT_CHANGE, status: 400, code: 'ThrottlingException', times: 5 });
    const failed = await create({ AccountId: MEMBER });
    h.proxy.heal();
    expect(failed.Status).toBe('FAILED');
    expect(failed.PhysicalResourceId.startsWith(`${MEMBER};bucket=`)).toBe(true);
    expect(await remove(failed.PhysicalResourceId)).toMatchObject({ Status: 'SUCCESS' });
    await reconcile();
    expect(await estate.bucketResources()).not.toContain(logsOf(MEMBER));
    expect(await estate.keyPatterns()).not.toContain(patternOf(MEMBER));
    expect(await holdingsOf(MEMBER)).toEqual([]);
  });

  it('when Lambda retries a Create whose first attempt recorded and projected it: the retry that fails answers the enrollment id, and the rollback removes the account (version 2 kept it enrolled forever)', async () => {
    const event = h.request('Create', { AccountId: MEMBER });
    // Attempt 1 enrolls, then dies before its answer is recorded (the record is refused here).
    h.proxy.inject({ operation: 'PutItem', bodyIncludes: '"answer"', status: 400, code: 'AccessDeniedException', times: 1 });
    expect(only(await h.invoke(event)).Status).toBe('SUCCESS');
    // Lambda's retry of the same event fails on a read.
    h.proxy.inject({ operation: 'GetBucketLocation', status: 403, code: 'AccessDenied', times: 1 });
    const retried = only(await h.invoke(event));
    h.proxy.heal();
    expect(retried.Status).toBe('FAILED');
    expect(retried.PhysicalResourceId.startsWith(`${MEMBER};bucket=`)).toBe(true);
    expect(await remove(retried.PhysicalResourceId)).toMatchObject({ Status: 'SUCCESS' });
    expect(await estate.bucketResources()).not.toContain(logsOf(MEMBER));
    expect(await estate.keyPatterns()).not.toContain(patternOf(MEMBER));
  });

  it('still answers not-enrolled when nothing of it reached the ledger', async () => {
    h.proxy.inject({ operation: 'GetBucketLocation', status: 403, code: 'AccessDenied', times: 1 });
    const failed = await create({ AccountId: MEMBER });
    expect(failed.PhysicalResourceId).toMatch(new RegExp(`^${MEMBER};not-enrolled;`));
  });
});

describe('a Delete whose holding is already gone (R39)', () => {
  it('when counting its change failed, its retry waits for a projection and never answers SUCCESS while the policies list the account (version 2 did)', async () => {
    const created = await create({ AccountId: MEMBER });
    h.proxy.inject({ operation: 'UpdateItem', bodyIncludes: COUNT_CHANGE, status: 400, code: 'ThrottlingException', times: 5 });
    expect((await remove(created.PhysicalResourceId)).Status).toBe('FAILED');
    h.proxy.heal();
    expect(await estate.bucketResources()).toContain(logsOf(MEMBER));
    expect(await remove(created.PhysicalResourceId)).toMatchObject({ Status: 'SUCCESS' });
    expect(await estate.bucketResources()).not.toContain(logsOf(MEMBER));
    expect(await estate.keyPatterns()).not.toContain(patternOf(MEMBER));
  });

  it('after a double fault (key write refused, bucket restore refused, the undo refused too) the rollback Delete finishes the undo (version 2 left it half-enrolled)', async () => {
    h.proxy.inject({ operation: 'PutKeyPolicy', status: 400, code: 'AccessDeniedException' });
    h.proxy.inject({ operation: 'PutBucketPolicy', times: 1 });
    h.proxy.inject({ operation: 'PutBucketPolicy', status: 403, code: 'AccessDenied' });
    const failed = await create({ AccountId: MEMBER });
    expect(failed.Status).toBe('FAILED');
    expect(failed.Reason).toContain('undoing the change failed too');
    expect(await estate.bucketResources()).toContain(logsOf(MEMBER));
    h.proxy.heal();
    expect(await remove(failed.PhysicalResourceId)).toMatchObject({ Status: 'SUCCESS' });
    expect(await estate.bucketResources()).not.toContain(logsOf(MEMBER));
    expect(await estate.keyPatterns()).not.toContain(patternOf(MEMBER));
  });
});

describe('the owner stack re-pinned to another key or prefix (R39 "Pins")', () => {
  async function secondKey(): Promise<string> {
    const key = await estate.kms.send(new CreateKeyCommand({ Policy: fixture('cloudtrail-console-key-policy.json') }));
    return key.KeyMetadata!.Arn!;
  }

  it('projects only the pinned pair: requests and reconcile go on while the old key is out of reach, and a Delete of an old id releases its holding without touching a policy (version 2 failed every request with AccessDenied on the old key)', async () => {
    const old = await create({ AccountId: MEMBER });
    const newKey = await secondKey();
    const oldKeyId = estate.keyArn.split('/')[1]!;
    h.configure({ TRAIL_BUCKET_NAME: estate.bucket, TRAIL_KEY_ARN: newKey });
    h.proxy.inject({ operation: '*', bodyIncludes: oldKeyId, status: 400, code: 'AccessDeniedException' });
    expect(await create({ AccountId: OTHER })).toMatchObject({ Status: 'SUCCESS' });
    h.logs.length = 0;
    await reconcile();
    const reconciled = logLines().find((l) => l.message === 'reconciled');
    expect(reconciled).toMatchObject({ otherTargets: 1 });
    expect(logLines().some((l) => l.message.startsWith('holdings of targets this function is no longer pinned to'))).toBe(true);
    h.proxy.clear();
    expect(await remove(old.PhysicalResourceId)).toMatchObject({ Status: 'SUCCESS' });
    expect(policyWrites()).toBe(0);
    expect(await holdingsOf(MEMBER)).toEqual([]);
    // The old stacks' trails still write to the shared bucket: their entry stays as found.
    expect(await estate.bucketResources()).toContain(logsOf(MEMBER));
  });

  it('never puts back an old-prefix entry removed by hand (version 2 re-added it at every reconcile)', async () => {
    await create({ AccountId: MEMBER });
    h.configure({ TRAIL_BUCKET_NAME: estate.bucket, TRAIL_KEY_ARN: estate.keyArn, TRAIL_LOG_FILE_PREFIX: 'org' });
    const bucket = JSON.parse((await estate.readBucketPolicy())!);
    const write = bucket.Statement.find((s: { Sid?: string }) => s.Sid === 'AWSCloudTrailWrite20131101');
    write.Resource = [write.Resource].flat().filter((r: string) => r !== logsOf(MEMBER));
    await estate.putBucketPolicy(JSON.stringify(bucket));
    await reconcile();
    expect(await estate.bucketResources()).not.toContain(logsOf(MEMBER));
  });
});

describe('one pair of policies failing (R39, unpinned)', () => {
  it('fails only the requests of that pair, also when one projection covers both (version 2 failed every request while one pair could not be read)', async () => {
    const second = await createEstate({ endpoint: h.moto.endpoint, bucket: 'second-trail-bucket' });
    h.configure({});
    const inSecond = { AccountId: OTHER, BucketName: second.bucket, KeyArn: second.keyArn };
    const created = await create(inSecond);
    expect(created.Status).toBe('SUCCESS');
    h.proxy.inject({ operation: 'GetKeyPolicy', bodyIncludes: second.keyArn.split('/')[1]!, status: 400, code: 'AccessDeniedException' });
    // A change of the second pair that cannot be projected (nor undone) stays pending...
    const reasserted = only(await h.invoke(h.request('Update', inSecond, { physicalResourceId: created.PhysicalResourceId, oldProperties: inSecond })));
    expect(reasserted.Status).toBe('FAILED');
    // ...so the next projection covers both pairs: the first pair's request still succeeds.
    const enrolled = await create({ AccountId: MEMBER, BucketName: estate.bucket, KeyArn: estate.keyArn });
    expect(enrolled.Status).toBe('SUCCESS');
    expect(await estate.bucketResources()).toContain(logsOf(MEMBER));
    expect(await estate.keyPatterns()).toContain(patternOf(MEMBER));
    h.proxy.heal();
    await reconcile();
    expect(await second.bucketResources()).toContain(logsOf(OTHER, '', second.bucket));
  });
});

describe('the lease (R39)', () => {
  it('is given back despite a DynamoDB blip, so the next request does not wait out the failed one\'s deadline; the Reason names the first cause (version 2 held it 58 s and named the release error)', async () => {
    h.proxy.inject({ operation: 'PutKeyPolicy', status: 400, code: 'AccessDeniedException', times: 1 });
    h.proxy.inject({ operation: 'UpdateItem', bodyIncludes: 'REMOVE leaseOwner', status: 500, code: 'InternalServerError', times: 6 });
    const failed = await create({ AccountId: MEMBER });
    expect(failed.Status).toBe('FAILED');
    expect(failed.Reason).toMatch(/^Writing the key policy failed/);
    h.proxy.heal();
    const started = Date.now();
    expect(await create({ AccountId: OTHER })).toMatchObject({ Status: 'SUCCESS' });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('expiring implausibly far ahead is treated as lapsed (version 2 waited forever)', async () => {
    await dynamo().send(new PutItemCommand({ TableName: LEDGER_TABLE, Item: { pk: { S: 'ledger' }, sk: { S: 'state' }, generation: { N: '3' }, applied: { N: '3' }, leaseOwner: { S: 'ghost' }, leaseExpiresAt: { N: String(Date.now() + 10 * 365 * 86_400_000) } } }));
    const started = Date.now();
    expect(await create({ AccountId: MEMBER })).toMatchObject({ Status: 'SUCCESS' });
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe('the state item (R39: ledger items are input)', () => {
  it('deleted while a request waits: the request registers its change again and answers SUCCESS after one projection (version 2 ran hundreds of projections and answered FAILED for an applied change)', async () => {
    let deleted = false;
    h.proxy.inject({
      operation: 'GetItem',
      bodyIncludes: '"state"',
      times: 1,
      before: async () => {
        await dynamo().send(new DeleteItemCommand({ TableName: LEDGER_TABLE, Key: { pk: { S: 'ledger' }, sk: { S: 'state' } } }));
        deleted = true;
      },
    });
    const created = await create({ AccountId: MEMBER });
    expect(deleted).toBe(true);
    expect(created.Status).toBe('SUCCESS');
    expect(h.proxy.calls.filter((c) => c.body.includes('SET leaseOwner')).length).toBeLessThanOrEqual(2);
    expect(await estate.bucketResources()).toContain(logsOf(MEMBER));
  });

  it('with a generation that is not a number is repaired, and the Create succeeds (version 2 failed every Create)', async () => {
    await dynamo().send(new PutItemCommand({ TableName: LEDGER_TABLE, Item: { pk: { S: 'ledger' }, sk: { S: 'state' }, generation: { S: '57' } } }));
    expect(await create({ AccountId: MEMBER })).toMatchObject({ Status: 'SUCCESS' });
    expect(await estate.bucketResources()).toContain(logsOf(MEMBER));
    expect(logLines().some((l) => l.level === 'ERROR' && l.message.includes('wrong type'))).toBe(true);
  });
});

describe('ledger items are input (R39)', () => {
  const holdingItem = (sk: string, accountId: string, keyArn: string): Record<string, AttributeValue> => ({
    pk: { S: 'ledger' },
    sk: { S: sk },
    kind: { S: 'holding' },
    stackId: { S: stackIdIn(MEMBER) },
    logicalResourceId: { S: 'Enrollment' },
    accountId: { S: accountId },
    bucketName: { S: 'my-trail-bucket' },
    logFilePrefix: { S: '' },
    keyArn: { S: keyArn },
  });

  it('a holding naming every account is skipped and logged, never projected (version 2 wrote AWSLogs/*/* and trail/* for every AWS account)', async () => {
    await dynamo().send(new PutItemCommand({ TableName: LEDGER_TABLE, Item: holdingItem('*|holding|forged', '*', estate.keyArn) }));
    await dynamo().send(new PutItemCommand({ TableName: LEDGER_TABLE, Item: holdingItem(`${MEMBER}|holding|forged`, '*', estate.keyArn) }));
    await reconcile();
    await create({ AccountId: MEMBER });
    const bucket = (await estate.readBucketPolicy())!;
    const key = await estate.readKeyPolicy();
    expect(bucket).not.toContain('AWSLogs/*');
    expect(key).not.toContain('cloudtrail:*:*:trail');
    expect(logLines().some((l) => l.level === 'ERROR' && l.message.startsWith('ledger items failed validation'))).toBe(true);
  });

  it('a malformed holding of the account does not fail its requests (version 2 failed every request)', async () => {
    await dynamo().send(new PutItemCommand({ TableName: LEDGER_TABLE, Item: holdingItem(`${MEMBER}|holding|garbage`, MEMBER, 'not-a-key-arn') }));
    expect(await create({ AccountId: MEMBER })).toMatchObject({ Status: 'SUCCESS' });
    await reconcile();
    expect(await estate.bucketResources()).toContain(logsOf(MEMBER));
  });
});

describe('retries and duplicates (R39)', () => {
  it('a late duplicate of a Create whose stack is gone gets the recorded answer and enrolls nothing (version 2 re-enrolled the account)', async () => {
    const event = h.request('Create', { AccountId: MEMBER });
    const created = only(await h.invoke(event));
    expect((await remove(created.PhysicalResourceId)).Status).toBe('SUCCESS');
    h.proxy.clear();
    expect(only(await h.invoke(event))).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: created.PhysicalResourceId, RequestId: event.RequestId });
    expect(policyWrites()).toBe(0);
    expect(await estate.bucketResources()).not.toContain(logsOf(MEMBER));
  });

  it('a late duplicate of an old cleanup Delete does not remove the live resource\'s entry (version 2 did: ids are deterministic)', async () => {
    const first = await create({ AccountId: MEMBER });
    const cleanup = h.request('Delete', {}, { physicalResourceId: first.PhysicalResourceId });
    expect(only(await h.invoke(cleanup)).Status).toBe('SUCCESS');
    // The stack is created again: the same id, a live holding.
    expect((await create({ AccountId: MEMBER })).PhysicalResourceId).toBe(first.PhysicalResourceId);
    expect(only(await h.invoke(cleanup)).Status).toBe('SUCCESS');
    expect(await estate.bucketResources()).toContain(logsOf(MEMBER));
    expect(await holdingsOf(MEMBER)).toHaveLength(1);
  });
});

describe('an id-changing Update whose cleanup Delete failed (R39)', () => {
  it('releases the superseded holding with the resource\'s last Delete (version 2 leaked it for good)', async () => {
    const created = await create({ AccountId: MEMBER });
    const moved = only(await h.invoke(h.request('Update', { AccountId: MEMBER, LogFilePrefix: 'org' }, { physicalResourceId: created.PhysicalResourceId, oldProperties: { AccountId: MEMBER } })));
    expect(moved.PhysicalResourceId).not.toBe(created.PhysicalResourceId);
    h.proxy.inject({ operation: 'DeleteItem', status: 400, code: 'AccessDeniedException', times: 1 });
    expect((await remove(created.PhysicalResourceId)).Status).toBe('FAILED');
    h.proxy.heal();
    // CloudFormation does not retry it; the stack lives on, then is deleted.
    expect((await remove(moved.PhysicalResourceId)).Status).toBe('SUCCESS');
    expect(await holdingsOf(MEMBER)).toEqual([]);
    expect(await estate.bucketResources()).not.toContain(logsOf(MEMBER));
    expect(await estate.bucketResources()).not.toContain(logsOf(MEMBER, 'org'));
  });

  it('a cleanup Delete of the old id releases only that holding', async () => {
    const created = await create({ AccountId: MEMBER });
    const moved = only(await h.invoke(h.request('Update', { AccountId: MEMBER, LogFilePrefix: 'org' }, { physicalResourceId: created.PhysicalResourceId, oldProperties: { AccountId: MEMBER } })));
    expect((await remove(created.PhysicalResourceId)).Status).toBe('SUCCESS');
    expect(await holdingsOf(MEMBER)).toHaveLength(1);
    expect(await estate.bucketResources()).toContain(logsOf(MEMBER, 'org'));
    expect(moved.Status).toBe('SUCCESS');
  });
});

describe('read volume (R39)', () => {
  it('a request reads only its own account\'s items, and a same-id Update reads no ledger partition (version 2 read the whole ledger for both)', async () => {
    for (let i = 0; i < 20; i++) await create({ AccountId: String(400_000_000_000 + i) });
    const wholeLedger = (await ledgerItems()).reduce((bytes, item) => bytes + JSON.stringify(item).length, 0);
    h.proxy.clear();
    const created = await create({ AccountId: MEMBER });
    const queries = h.proxy.calls.filter((c) => c.operation === 'Query');
    expect(queries.length).toBeGreaterThan(0);
    for (const query of queries) expect(query.body).toContain(`"${MEMBER}|"`);
    const read = queries.reduce((bytes, c) => bytes + c.responseBytes, 0);
    expect(read * 5).toBeLessThan(wholeLedger);
    h.proxy.clear();
    await h.invoke(h.request('Update', { AccountId: MEMBER }, { physicalResourceId: created.PhysicalResourceId, oldProperties: { AccountId: MEMBER } }));
    expect(h.proxy.calls.filter((c) => c.operation === 'Query' && !c.body.includes(`"${MEMBER}|"`))).toEqual([]);
  });
});

describe('reconcile reports (R39)', () => {
  it('says that entries no stack holds once per change, not every hour (version 2 warned forever about the owner\'s own entry)', async () => {
    const warnings = () => logLines().filter((l) => l.level === 'WARN' && l.message.startsWith('policy entries that no stack holds'));
    await create({ AccountId: MEMBER });
    await reconcile();
    h.logs.length = 0;
    await reconcile();
    await reconcile();
    expect(warnings()).toHaveLength(0);
    const bucket = JSON.parse((await estate.readBucketPolicy())!);
    bucket.Statement.find((s: { Sid?: string }) => s.Sid === 'AWSCloudTrailWrite20131101').Resource.push(logsOf('555555555555'));
    await estate.putBucketPolicy(JSON.stringify(bucket));
    await reconcile();
    await reconcile();
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatchObject({ entries: expect.arrayContaining([logsOf('555555555555')]) });
  });
});

