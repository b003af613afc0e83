// The 1.x -> 2.0 move of one member stack against moto (docs/upgrading.md). The StackSet update to the 2.0 member
// template renames the enrollment (Enrollment -> AccountEnrollment), so CloudFormation creates the new resource
// through the topic (an SNS event) and then, in its cleanup, deletes the old one through the old ServiceToken (a
// direct invoke of the function, the 1.0.0 PhysicalResourceId, the old logical id). The 1.0.0 function had no
// ledger: the member's entries are in both policies and nowhere else when the move starts.
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { join } from 'node:path';
import { Estate } from '../../devtools/estate';
import { stackIdIn } from '../../devtools/events';
import { LEDGER_TABLE } from '../../devtools/ledger-table';
import { motoEnvironment } from '../../devtools/moto';
import { projectRoot } from '../../devtools/project-root';
import { samePolicy } from '../../devtools/semantic';
import { awsLedgerStore } from '../../src/aws/aws-ledger';
import { Harness, only, useHarness } from '../support/harness';
import { runNode } from '../support/run-node';

const OWNER = '111111111111';
const MEMBER = '222222222222';
const STACK = stackIdIn(MEMBER);
const FUNCTION_ARN = `arn:aws:lambda:us-east-1:${OWNER}:function:cloudtrail-enrollment-EnrollmentFunction-AbCdEf123456`;
const TOPIC_ARN = `arn:aws:sns:us-east-1:${OWNER}:cloudtrail-enrollment-EnrollmentTopic-AbCdEfGh1234`;
const OLD_ID = 'Enrollment';
const NEW_ID = 'AccountEnrollment';
const logsOf = (account: string) => `arn:aws:s3:::my-trail-bucket/AWSLogs/${account}/*`;
const patternOf = (account: string) => `arn:aws:cloudtrail:*:${account}:trail/*`;

let h: Harness;
let estate: Estate;
useHarness({ harness: (x) => (h = x), estate: (x) => (estate = x) });

/** 1.0.0's PhysicalResourceId (src/lifecycle/physical-id.ts at 1.0.0): account;bucket=…;prefix=…;key=…;trail=… */
const oldPhysicalId = () => `${MEMBER};bucket=my-trail-bucket;prefix=;key=${estate.keyArn};trail=`;

/** What the 1.0.0 function left: the member in both policies, written as the current code writes it, no ledger. */
async function enrolledBy100(): Promise<void> {
  const bucket = JSON.parse((await estate.readBucketPolicy())!);
  const write = bucket.Statement.find((s: { Sid?: string }) => s.Sid === 'AWSCloudTrailWrite20131101');
  write.Resource = [write.Resource, logsOf(MEMBER)].flat();
  await estate.putBucketPolicy(JSON.stringify(bucket));
  const key = JSON.parse(await estate.readKeyPolicy());
  const encrypt = key.Statement.find((s: { Sid?: string }) => s.Sid === 'Allow CloudTrail to encrypt logs');
  const like = encrypt.Condition.StringLike;
  like['kms:EncryptionContext:aws:cloudtrail:arn'] = [like['kms:EncryptionContext:aws:cloudtrail:arn'], patternOf(MEMBER)].flat();
  await estate.putKeyPolicy(JSON.stringify(key));
  h.proxy.clear();
}

/** A request from the member stack, with the ServiceToken its resource has. */
function request(type: 'Create' | 'Update' | 'Delete', logicalResourceId: string, serviceToken: string, physicalResourceId?: string): CloudFormationCustomResourceEvent {
  const event = h.request(type, { AccountId: MEMBER }, { stackId: STACK, logicalResourceId, ...(physicalResourceId ? { physicalResourceId } : {}) }) as CloudFormationCustomResourceEvent & { OldResourceProperties?: Record<string, string> };
  event.ServiceToken = serviceToken;
  event.ResourceProperties.ServiceToken = serviceToken;
  if (event.OldResourceProperties) event.OldResourceProperties = { ServiceToken: serviceToken, AccountId: MEMBER };
  return event;
}

/** The topic's delivery of a request: one SNS record whose Message is the request. */
const throughTopic = (event: CloudFormationCustomResourceEvent) => ({
  Records: [{ EventSource: 'aws:sns', EventVersion: '1.0', Sns: { Type: 'Notification', TopicArn: TOPIC_ARN, Subject: 'AWS CloudFormation custom resource request', Message: JSON.stringify(event) } }],
});

const ledger = () => awsLedgerStore(LEDGER_TABLE, 'us-east-1').readSnapshot(new AbortController().signal);
const policies = async () => ({ bucket: await estate.readBucketPolicy(), key: await estate.readKeyPolicy() });
const policyWrites = () => h.proxy.count('PutBucketPolicy') + h.proxy.count('PutKeyPolicy') + h.proxy.count('DeleteBucketPolicy');
const countOf = (list: string[], value: string) => list.filter((v) => v === value).length;
const cli = (args: string[]) =>
  runNode(join(projectRoot(), 'dist', 'cli.js'), args, {
    env: { ...process.env, ...motoEnvironment(h.moto.endpoint), TRAIL_BUCKET_NAME: estate.bucket, TRAIL_KEY_ARN: estate.keyArn, LEDGER_TABLE_NAME: LEDGER_TABLE },
  });

async function expectEnrolledOnceHeldOnce(): Promise<void> {
  expect(countOf(await estate.bucketResources(), logsOf(MEMBER))).toBe(1);
  expect(countOf(await estate.keyPatterns(), patternOf(MEMBER))).toBe(1);
  const snapshot = await ledger();
  expect(snapshot.holdings.filter((x) => x.accountId === MEMBER).map((x) => [x.stackId, x.logicalResourceId])).toEqual([[STACK, NEW_ID]]);
}

describe('moving a 1.0.0 member stack to the 2.0 member template', () => {
  it('new-token Create, then old-token Delete: enrolled once, held once by the new resource, nothing written', async () => {
    await enrolledBy100();
    const before = await policies();

    const created = only(await h.invoke(throughTopic(request('Create', NEW_ID, TOPIC_ARN))));
    expect(created).toMatchObject({ Status: 'SUCCESS', LogicalResourceId: NEW_ID, Data: { AccountId: MEMBER } });
    // Ids are deterministic, so the new resource answers 1.0.0's id; the holder (stack and logical id) tells them apart.
    expect(created.PhysicalResourceId).toBe(oldPhysicalId());
    // The cleanup Delete of the old resource, sent to the function's ARN with 1.0.0's id and logical id.
    const deleted = only(await h.invoke(request('Delete', OLD_ID, FUNCTION_ARN, oldPhysicalId())));
    expect(deleted).toMatchObject({ Status: 'SUCCESS', LogicalResourceId: OLD_ID, PhysicalResourceId: oldPhysicalId() });

    await expectEnrolledOnceHeldOnce();
    expect(policyWrites()).toBe(0);
    const after = await policies();
    expect(samePolicy(after.bucket, before.bucket) && samePolicy(after.key, before.key)).toBe(true);
    // Already in the policies before its first holder came: adopted, so a Delete alone would never remove it.
    const snapshot = await ledger();
    expect(snapshot.bucketEntries.filter((e) => e.accountId === MEMBER).map((e) => e.origin)).toEqual(['adopted']);
    expect(snapshot.keyEntries.filter((e) => e.accountId === MEMBER).map((e) => e.origin)).toEqual(['adopted']);
    expect(h.logs.some((line) => line.includes('"level":"WARN"') && line.includes('the ledger knows no holding') && line.includes(`"logicalResourceId":"${OLD_ID}"`))).toBe(true);
  });

  it('the same when the stack was updated through the old token during the window, before it moved', async () => {
    await enrolledBy100();
    // A StackSet operation that still used the 1.x template: an Update through the function's ARN.
    const updated = only(await h.invoke(request('Update', OLD_ID, FUNCTION_ARN, oldPhysicalId())));
    expect(updated).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: oldPhysicalId() });
    expect((await ledger()).holdings.filter((x) => x.accountId === MEMBER).map((x) => x.logicalResourceId)).toEqual([OLD_ID]);

    expect(only(await h.invoke(throughTopic(request('Create', NEW_ID, TOPIC_ARN)))).Status).toBe('SUCCESS');
    expect(only(await h.invoke(request('Delete', OLD_ID, FUNCTION_ARN, oldPhysicalId()))).Status).toBe('SUCCESS');

    await expectEnrolledOnceHeldOnce();
    expect(policyWrites()).toBe(0);
  });

  it('after the handover of the moved account, the new resource\'s Delete removes it from both policies', async () => {
    await enrolledBy100();
    const created = only(await h.invoke(throughTopic(request('Create', NEW_ID, TOPIC_ARN))));
    only(await h.invoke(request('Delete', OLD_ID, FUNCTION_ARN, oldPhysicalId())));

    const handed = await cli(['handover', '--account', MEMBER]);
    expect(handed).toMatchObject({ code: 0, stderr: '' });
    expect(handed.stdout).toContain('2 adopted entries handed over');

    // Later the account leaves: the StackSet instance is deleted, its Delete comes through the topic.
    expect(only(await h.invoke(throughTopic(request('Delete', NEW_ID, TOPIC_ARN, created.PhysicalResourceId)))).Status).toBe('SUCCESS');
    expect(await estate.bucketResources()).toEqual([logsOf(OWNER)]);
    expect(await estate.keyPatterns()).toEqual([patternOf(OWNER)]);
  });

  it('without the handover, the same Delete keeps the adopted entries (what 1.0.0 wrote stays until handed over)', async () => {
    await enrolledBy100();
    const created = only(await h.invoke(throughTopic(request('Create', NEW_ID, TOPIC_ARN))));
    only(await h.invoke(request('Delete', OLD_ID, FUNCTION_ARN, oldPhysicalId())));
    expect(only(await h.invoke(throughTopic(request('Delete', NEW_ID, TOPIC_ARN, created.PhysicalResourceId)))).Status).toBe('SUCCESS');
    expect(await estate.bucketResources()).toContain(logsOf(MEMBER));
    expect(await estate.keyPatterns()).toContain(patternOf(MEMBER));
  });
});
