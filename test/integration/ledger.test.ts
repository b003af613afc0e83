// The enrollment ledger against moto (SPEC R17, R26–R31): the losses version 1 had, each reproduced as a
// test, plus rollbacks after a failure at every step, reconcile, and the handover of adopted entries.
import { join } from 'node:path';
import { Estate, seedBucketPolicy } from '../../devtools/estate';
import { stackIdIn } from '../../devtools/events';
import { LEDGER_TABLE } from '../../devtools/ledger-table';
import { motoEnvironment } from '../../devtools/moto';
import { projectRoot } from '../../devtools/project-root';
import { samePolicy } from '../../devtools/semantic';
import { Harness, only, useHarness } from '../support/harness';
import { runNode } from '../support/run-node';

const MEMBER = '222222222222';
const OTHER = '333333333333';
const OWNER = '111111111111';
const logsOf = (account: string, prefix = '') => `arn:aws:s3:::my-trail-bucket/${prefix ? `${prefix}/` : ''}AWSLogs/${account}/*`;
const patternOf = (account: string) => `arn:aws:cloudtrail:*:${account}:trail/*`;
const SCHEDULED = { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} };

let h: Harness;
let estate: Estate;
useHarness({ harness: (x) => (h = x), estate: (x) => (estate = x) });

async function policies() {
  return { bucket: await estate.readBucketPolicy(), key: await estate.readKeyPolicy() };
}
function expectSamePolicies(after: { bucket?: string; key: string }, before: { bucket?: string; key: string }) {
  expect(samePolicy(after.bucket, before.bucket)).toBe(true);
  expect(samePolicy(after.key, before.key)).toBe(true);
}
const bucketResources = () => estate.bucketResources();
const keyPatterns = () => estate.keyPatterns();
/** Lists the member by hand, as the manual procedure did. */
async function enrollByHand(account: string) {
  const bucket = JSON.parse((await estate.readBucketPolicy())!);
  const write = bucket.Statement.find((s: { Sid?: string }) => s.Sid === 'AWSCloudTrailWrite20131101');
  write.Resource = [write.Resource, logsOf(account)].flat();
  await estate.putBucketPolicy(JSON.stringify(bucket));
  const key = JSON.parse(await estate.readKeyPolicy());
  const encrypt = key.Statement.find((s: { Sid?: string }) => s.Sid === 'Allow CloudTrail to encrypt logs');
  encrypt.Condition.StringLike['kms:EncryptionContext:aws:cloudtrail:arn'] = [encrypt.Condition.StringLike['kms:EncryptionContext:aws:cloudtrail:arn'], patternOf(account)].flat();
  await estate.putKeyPolicy(JSON.stringify(key));
}
const create = async (properties: Record<string, string>, options = {}) => only(await h.invoke(h.request('Create', properties, options)));
const remove = async (physicalResourceId: string, options = {}) => only(await h.invoke(h.request('Delete', {}, { physicalResourceId, ...options })));
const policyWrites = () => h.proxy.count('PutBucketPolicy') + h.proxy.count('PutKeyPolicy') + h.proxy.count('DeleteBucketPolicy');

const cli = (args: string[]) =>
  runNode(join(projectRoot(), 'dist', 'cli.js'), args, {
    env: { ...process.env, ...motoEnvironment(h.moto.endpoint), TRAIL_BUCKET_NAME: estate.bucket, TRAIL_KEY_ARN: estate.keyArn, LEDGER_TABLE_NAME: LEDGER_TABLE },
  });

describe('an entry made by hand before any stack enrolled it (adopted, R17, R28)', () => {
  it('survives the rollback of a Create that found it (version 1 removed it)', async () => {
    await enrollByHand(MEMBER);
    const before = await policies();
    const created = await create({ AccountId: MEMBER });
    expect(created.Status).toBe('SUCCESS');
    // The stack's trail fails, CloudFormation rolls back: Delete of the id the Create answered.
    expect((await remove(created.PhysicalResourceId)).Status).toBe('SUCCESS');
    expectSamePolicies(await policies(), before);
    expect(await bucketResources()).toContain(logsOf(MEMBER));
  });

  it('is removed by the last holder\'s Delete once handed over with the CLI', async () => {
    await enrollByHand(MEMBER);
    const created = await create({ AccountId: MEMBER });
    const handed = await cli(['handover', '--account', MEMBER]);
    expect(handed).toMatchObject({ code: 0, stderr: '' });
    expect(handed.stdout).toContain(`handed over  ${MEMBER}  bucket my-trail-bucket`);
    expect(handed.stdout).toContain('2 adopted entries handed over');
    await remove(created.PhysicalResourceId);
    expect(await bucketResources()).toEqual([logsOf(OWNER)]);
    expect(await keyPatterns()).toEqual([patternOf(OWNER)]);
  });

  it('that no stack holds any more is kept adopted by the handover', async () => {
    await enrollByHand(MEMBER);
    const member = await create({ AccountId: MEMBER });
    await remove(member.PhysicalResourceId);
    await enrollByHand(OTHER);
    await create({ AccountId: OTHER });
    const handed = await cli(['handover', '--all']);
    expect(handed.code).toBe(0);
    expect(handed.stdout).toContain(`kept adopted ${MEMBER}`);
    expect(handed.stdout).toContain('2 adopted entries handed over');
    await h.invoke(SCHEDULED);
    expect(await bucketResources()).toEqual([logsOf(OWNER), logsOf(MEMBER), logsOf(OTHER)]);
  });
});

describe('a Create that fails after writing, then its rollback Delete (R29)', () => {
  const cases: Array<[string, () => void, RegExp]> = [
    ['the bucket write fails', () => h.proxy.inject({ operation: 'PutBucketPolicy', status: 400, code: 'AccessDenied' }), /denied s3:PutBucketPolicy/],
    ['the key write fails', () => h.proxy.inject({ operation: 'PutKeyPolicy', status: 400, code: 'AccessDeniedException' }), /restored to what it was/],
    ['another writer always wins (verify gives up)', () => h.proxy.inject({ operation: 'GetBucketPolicy', before: () => estate.putBucketPolicy(seedBucketPolicy()) }), /did not stick/],
  ];
  it.each(cases)('leaves both policies as before when %s', async (_, fault, reason) => {
    const before = await policies();
    fault();
    const failed = await create({ AccountId: MEMBER });
    h.proxy.heal();
    expect(failed).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(reason) });
    expect((await remove(failed.PhysicalResourceId)).Status).toBe('SUCCESS');
    await h.invoke(SCHEDULED);
    expectSamePolicies(await policies(), before);
  });

  it('leaves both policies as before when the timeout guard fires between the two writes (version 1 stayed half-enrolled)', async () => {
    const before = await policies();
    h.proxy.inject({ operation: 'PutKeyPolicy', delayMs: 4000, times: 1 });
    const failed = await h.invoke(h.request('Create', { AccountId: MEMBER }), 3000);
    h.proxy.heal();
    expect(only(failed)).toMatchObject({ Status: 'FAILED', Reason: expect.stringContaining('ran out of time') });
    // The id names the enrollment, so the rollback Delete removes whatever the late write applied.
    expect(only(failed).PhysicalResourceId.startsWith(`${MEMBER};bucket=`)).toBe(true);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await remove(only(failed).PhysicalResourceId)).Status).toBe('SUCCESS');
    expectSamePolicies(await policies(), before);
  });

  it('a refused Create (a Deny names the entry) writes nothing and its rollback Delete writes nothing', async () => {
    const bucket = JSON.parse(seedBucketPolicy());
    bucket.Statement.push({ Sid: 'Quarantine', Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: logsOf(MEMBER) });
    await estate.putBucketPolicy(JSON.stringify(bucket));
    const before = await policies();
    h.proxy.clear();
    const failed = await create({ AccountId: MEMBER });
    expect(failed).toMatchObject({ Status: 'FAILED', Reason: expect.stringContaining('Quarantine') });
    expect(policyWrites()).toBe(0);
    await remove(failed.PhysicalResourceId);
    expect(policyWrites()).toBe(0);
    expectSamePolicies(await policies(), before);
  });
});

describe('a lease holder whose release fails (R29, R30)', () => {
  it('takes its own lease again to undo its change, answers FAILED at once, and leaves both policies as before', async () => {
    const before = await policies();
    // A Create's ledger updates: count the change, take the lease, give it back. The third one is refused.
    h.proxy.inject({ operation: 'UpdateItem', times: 2 });
    h.proxy.inject({ operation: 'UpdateItem', times: 1, status: 400, code: 'AccessDeniedException' });
    const started = Date.now();
    const failed = await create({ AccountId: MEMBER });
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: expect.stringMatching(/^222222222222;not-enrolled;/), Reason: expect.stringContaining('dynamodb:UpdateItem') });
    expect(Date.now() - started).toBeLessThan(5000);
    expectSamePolicies(await policies(), before);
  });
});

describe('an Update that fails (R29: CloudFormation rolls it back with another Update)', () => {
  // An administrator's stack (in the owner account) moving its enrollment from MEMBER to OTHER: both policies change.
  const admin = { stackAccount: OWNER };
  const move = (physicalResourceId: string, remainingMs?: number) => h.invoke(h.request('Update', { AccountId: OTHER }, { ...admin, physicalResourceId }), remainingMs);
  const rollBack = (physicalResourceId: string) => h.invoke(h.request('Update', { AccountId: MEMBER }, { ...admin, physicalResourceId }));

  it('undoes its own writes before answering, keeps the old id, and the rollback Update changes nothing', async () => {
    const created = await create({ AccountId: MEMBER }, admin);
    const before = await policies();
    // Another writer resets the bucket policy before each verification read, so the move never sticks.
    h.proxy.inject({ operation: 'GetBucketPolicy', times: 4, before: () => estate.putBucketPolicy(seedBucketPolicy()) });
    const failed = only(await move(created.PhysicalResourceId));
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: created.PhysicalResourceId, Reason: expect.stringContaining('did not stick') });
    expect(h.proxy.count('PutKeyPolicy')).toBeGreaterThan(0);
    // Its own writes are undone. The member entry the other writer removed is put back by the rollback Update (or
    // the next reconcile): a request projects only the accounts it changes.
    expect(await bucketResources()).not.toContain(logsOf(OTHER));
    expect(await keyPatterns()).not.toContain(patternOf(OTHER));
    const rollback = only(await rollBack(created.PhysicalResourceId));
    expect(rollback).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: created.PhysicalResourceId });
    expectSamePolicies(await policies(), before);
  });

  it('whose guard fired before it could undo is cleaned up by the rollback Update', async () => {
    const created = await create({ AccountId: MEMBER }, admin);
    const before = await policies();
    h.proxy.inject({ operation: 'PutKeyPolicy', delayMs: 4000, times: 1 });
    const failed = only(await move(created.PhysicalResourceId, 3000));
    expect(failed).toMatchObject({ Status: 'FAILED', PhysicalResourceId: created.PhysicalResourceId, Reason: expect.stringContaining('ran out of time') });
    expect(await bucketResources()).toContain(logsOf(OTHER));
    await new Promise((r) => setTimeout(r, 1500));
    const rollback = only(await rollBack(created.PhysicalResourceId));
    expect(rollback.Status).toBe('SUCCESS');
    expectSamePolicies(await policies(), before);
  });
});

describe('holders (R27)', () => {
  it('a Delete naming a stack that never enrolled the account writes nothing and succeeds, with a warning', async () => {
    const created = await create({ AccountId: MEMBER });
    const before = await policies();
    h.proxy.clear();
    const forged = await remove(created.PhysicalResourceId, { stackId: stackIdIn(MEMBER, 'Forged') });
    expect(forged.Status).toBe('SUCCESS');
    expect(policyWrites()).toBe(0);
    expect(await policies()).toEqual(before);
    expect(h.logs.join('\n')).toContain('the ledger knows no holding of this stack for this enrollment');
  });

  it('a TrailArn-only Update replaces the old trail ARN where R14 listed it (R16)', async () => {
    const bucket = JSON.parse(seedBucketPolicy());
    bucket.Statement.find((s: { Sid?: string }) => s.Sid === 'AWSCloudTrailWrite20131101').Condition.StringEquals['aws:SourceArn'] = ['arn:aws:cloudtrail:us-east-1:111111111111:trail/owner'];
    await estate.putBucketPolicy(JSON.stringify(bucket));
    const oldTrail = `arn:aws:cloudtrail:us-east-1:${MEMBER}:trail/old`;
    const newTrail = `arn:aws:cloudtrail:us-east-1:${MEMBER}:trail/new`;
    const created = await create({ AccountId: MEMBER, TrailArn: oldTrail });
    const updated = only(await h.invoke(h.request('Update', { AccountId: MEMBER, TrailArn: newTrail }, { physicalResourceId: created.PhysicalResourceId })));
    expect(updated).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: created.PhysicalResourceId });
    const text = (await estate.readBucketPolicy())!;
    expect(text).toContain(newTrail);
    expect(text).not.toContain(oldTrail);
    await remove(created.PhysicalResourceId);
    expect(await estate.readBucketPolicy()).not.toContain(MEMBER);
  });
});

describe('reconcile (R31)', () => {
  it('re-adds a held entry another writer removed, keeps a hand-made one, and does not put back an adopted one removed by hand', async () => {
    await create({ AccountId: MEMBER });
    await enrollByHand(OTHER);
    await estate.putBucketPolicy(JSON.stringify({ ...JSON.parse(seedBucketPolicy()) }));
    await enrollByHand(OTHER);
    const logged = h.logs.length;
    await h.invoke(SCHEDULED);
    expect(await bucketResources()).toEqual([logsOf(OWNER), logsOf(OTHER), logsOf(MEMBER)]);
    expect(await keyPatterns()).toEqual(expect.arrayContaining([patternOf(OWNER), patternOf(MEMBER), patternOf(OTHER)]));
    const lines = h.logs.slice(logged).map((l) => JSON.parse(l));
    expect(lines).toContainEqual(expect.objectContaining({ message: expect.stringContaining('no stack holds'), entries: expect.arrayContaining([logsOf(OTHER), logsOf(OWNER)]) }));
    expect(lines).toContainEqual(expect.objectContaining({ message: 'reconciled', added: [logsOf(MEMBER)] }));
  });

  it('writes nothing when the policies already are the projection', async () => {
    await create({ AccountId: MEMBER });
    h.proxy.clear();
    await h.invoke(SCHEDULED);
    expect(policyWrites()).toBe(0);
  });

  it('status shows the holders (stack ARNs) next to what the policies say', async () => {
    const created = await create({ AccountId: MEMBER });
    await enrollByHand(OTHER);
    const run = await cli(['status', '--json']);
    const report = JSON.parse(run.stdout);
    expect(report.accounts).toEqual([
      expect.objectContaining({ accountId: OWNER, holders: [], ledger: 'not held' }),
      expect.objectContaining({ accountId: MEMBER, holders: [stackIdIn(MEMBER)], ledger: 'held', problems: [] }),
      expect.objectContaining({ accountId: OTHER, holders: [], ledger: 'not held' }),
    ]);
    expect(created.Status).toBe('SUCCESS');
    await estate.putBucketPolicy(seedBucketPolicy());
    const drifted = await cli(['status']);
    expect(drifted.code).toBe(1);
    expect(drifted.stdout).toContain('held by a stack without a prefix but missing from the bucket policy');
    expect(drifted.stdout).toContain(stackIdIn(MEMBER));
  });
});

describe('logs and settings (R20, R2)', () => {
  it('logs each change with the request, the stack, the resource, the account and the values it holds', async () => {
    const event = h.request('Create', { AccountId: MEMBER });
    only(await h.invoke(event));
    const line = h.logs.map((l) => JSON.parse(l)).find((l) => l.message === 'enrolled' && l.requestId === event.RequestId);
    expect(line).toMatchObject({
      level: 'INFO',
      stackId: event.StackId,
      logicalResourceId: 'Enrollment',
      accountId: MEMBER,
      bucketPolicyResource: logsOf(MEMBER),
      keyPolicyTrailArn: patternOf(MEMBER),
      appliedBy: 'this invocation',
      added: [logsOf(MEMBER), patternOf(MEMBER)],
      removed: [],
    });
  });

  it('fails a Delete too when a setting is malformed, naming the variable', async () => {
    h.configure({ TRAIL_BUCKET_NAME: estate.bucket, TRAIL_KEY_ARN: estate.keyArn, PROTECTED_ACCOUNT_IDS: 'not-an-account' });
    const response = await remove('my-custom-id');
    expect(response).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'my-custom-id', Reason: expect.stringContaining('PROTECTED_ACCOUNT_IDS') });
  });
});

describe('releasing holdings by hand (R39: closed accounts, retained enrollments)', () => {
  it('release --account lets the next reconcile remove a closed account from both policies, and keeps the others', async () => {
    await create({ AccountId: MEMBER });
    await create({ AccountId: MEMBER }, { stackId: stackIdIn(MEMBER, 'StackSet-second') });
    await create({ AccountId: OTHER });
    const released = await cli(['release', '--account', MEMBER]);
    expect(released).toMatchObject({ code: 0, stderr: '' });
    expect(released.stdout).toContain('2 holdings released');
    expect(released.stdout).toContain('aws lambda invoke');
    await h.invoke(SCHEDULED);
    expect(await bucketResources()).toEqual([logsOf(OWNER), logsOf(OTHER)]);
    expect(await keyPatterns()).toEqual([patternOf(OWNER), patternOf(OTHER)]);
  });

  it('release --holder releases one stack\'s holding; the entry stays while another stack holds it', async () => {
    await create({ AccountId: MEMBER });
    const second = stackIdIn(MEMBER, 'StackSet-second');
    await create({ AccountId: MEMBER }, { stackId: second });
    const released = await cli(['release', '--holder', second]);
    expect(released.stdout).toContain('1 holding released');
    await h.invoke(SCHEDULED);
    expect(await bucketResources()).toContain(logsOf(MEMBER));
    const status = await cli(['status', '--json']);
    const member = (JSON.parse(status.stdout) as { accounts: Array<{ accountId: string; holders?: string[] }> }).accounts.find((a) => a.accountId === MEMBER)!;
    expect(member.holders).toEqual([stackIdIn(MEMBER)]);
  });

  it('refuses a holder that is not a stack ARN, naming the flag', async () => {
    const refused = await cli(['release', '--holder', 'StackSet-second']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("--holder 'StackSet-second' is not a CloudFormation stack ARN");
  });
});
