import { bucketAdmission, bucketLayoutOf, keyAdmission, keyLayoutOf } from '../../src/core/account-list';
import { PolicyLayoutName } from '../../src/core/layout-names';
import { PolicyDocument } from '../../src/core/policy-document';
import { BucketEntry, Holding, KeyEntry, LedgerSnapshot } from '../../src/ledger/model';
import { projectPair, Projection, ProjectionSettings } from '../../src/ledger/projection';
import { bucketTarget, consoleKeyPolicy, KEY_ARN, keyTarget, MEMBER, OTHER, OWNER, seedBucketPolicy, statement } from './helpers';

const BUCKET = 'my-trail-bucket';
const BUCKET_SID = 'AWSCloudTrailWrite20131101';
const pair = { bucketName: BUCKET, keyArn: KEY_ARN };
const rules = (policyLayout: PolicyLayoutName): ProjectionSettings => ({
  bucketPolicySid: BUCKET_SID,
  keyPolicySid: 'Allow CloudTrail to encrypt logs',
  policyLayout,
  isProtected: (accountId) => accountId === OWNER,
});
const holding = (accountId: string, logFilePrefix = '', stack = 'member'): Holding => ({
  stackId: `arn:aws:cloudformation:us-east-1:${accountId}:stack/${stack}/1`,
  logicalResourceId: 'Enrollment',
  accountId,
  bucketName: BUCKET,
  logFilePrefix,
  keyArn: KEY_ARN,
});
const bucketEntry = (accountId: string, logFilePrefix = '', origin: 'adopted' | 'written' = 'written'): BucketEntry => ({ accountId, bucketName: BUCKET, logFilePrefix, keyArn: KEY_ARN, origin });
const keyEntry = (accountId: string, origin: 'adopted' | 'written' = 'written'): KeyEntry => ({ accountId, keyArn: KEY_ARN, bucketName: BUCKET, origin });
const snapshot = (holdings: Holding[], bucketEntries: BucketEntry[] = [], keyEntries: KeyEntry[] = []): LedgerSnapshot => ({ holdings, bucketEntries, keyEntries });

/** The ledger after a projection: what it recorded and released. */
function settle(ledger: LedgerSnapshot, projection: Projection): LedgerSnapshot {
  const released = (e: { accountId: string; logFilePrefix?: string }, list: Array<{ accountId: string; logFilePrefix?: string }>) => list.some((r) => r.accountId === e.accountId && r.logFilePrefix === e.logFilePrefix);
  return {
    holdings: ledger.holdings,
    bucketEntries: [...ledger.bucketEntries, ...projection.newBucketEntries].filter((e) => !released(e, projection.releasedBucketEntries)),
    keyEntries: [...ledger.keyEntries, ...projection.newKeyEntries].filter((e) => !projection.releasedKeyEntries.some((r) => r.accountId === e.accountId)),
  };
}

const admittedInBucket = (document: PolicyDocument | undefined, accountId: string, prefix = '') => bucketAdmission(document, bucketTarget())(accountId, prefix);
const admittedInKey = (document: PolicyDocument, accountId: string) => keyAdmission(document, keyTarget())(accountId);
const accountsNumbered = (count: number) => Array.from({ length: count }, (_, i) => String(400_000_000_000 + i));

describe('projection in the account-list layout (R34)', () => {
  it('enrolls a holder: converts the seed statements and lists the account once in each policy', () => {
    const ledger = snapshot([holding(MEMBER)]);
    const projection = projectPair(pair, seedBucketPolicy(), consoleKeyPolicy(), ledger, rules('account-list'));
    expect(projection.rejections).toEqual([]);
    expect(bucketLayoutOf(projection.bucket, bucketTarget())).toBe('account-list');
    expect(keyLayoutOf(projection.key, keyTarget())).toBe('account-list');
    expect(statement(projection.bucket, BUCKET_SID).Condition!.StringEquals!['aws:SourceAccount']).toEqual([OWNER, MEMBER]);
    expect(projection.newBucketEntries).toEqual([bucketEntry(MEMBER)]);
    expect(projection.newKeyEntries).toEqual([keyEntry(MEMBER)]);
    // The owner was there before (unknown to the ledger): kept, never adopted on its own.
    expect(admittedInBucket(projection.bucket, OWNER)).toBe(true);
  });

  it('removes a released written entry and keeps the owner and an adopted account', () => {
    const enrolled = projectPair(pair, seedBucketPolicy(), consoleKeyPolicy(), snapshot([holding(MEMBER), holding(OTHER)]), rules('account-list'));
    const ledger = snapshot([], [bucketEntry(MEMBER), bucketEntry(OTHER, '', 'adopted')], [keyEntry(MEMBER), keyEntry(OTHER, 'adopted')]);
    const removed = projectPair(pair, enrolled.bucket, enrolled.key, ledger, rules('account-list'));
    expect(removed.releasedBucketEntries).toEqual([bucketEntry(MEMBER)]);
    expect(statement(removed.bucket, BUCKET_SID).Condition!.StringEquals!['aws:SourceAccount']).toEqual([OWNER, OTHER]);
    expect(admittedInKey(removed.key, MEMBER)).toBe(false);
    expect(admittedInKey(removed.key, OTHER)).toBe(true);
  });

  it('a new prefix of an account the function wrote is written, not adopted, and goes with its holder', () => {
    const first = snapshot([holding(MEMBER, 'a')]);
    const p1 = projectPair(pair, seedBucketPolicy(), consoleKeyPolicy(), first, rules('account-list'));
    const second = settle(snapshot([holding(MEMBER, 'a'), holding(OTHER, 'b'), holding(MEMBER, 'b', 'other')]), p1);
    const p2 = projectPair(pair, p1.bucket, p1.key, second, rules('account-list'));
    expect(p2.newBucketEntries).toEqual([bucketEntry(MEMBER, 'b'), bucketEntry(OTHER, 'b')]);
    // Both holders of MEMBER leave; OTHER still uses prefix b, the owner (unknown) keeps every prefix.
    const third = settle(snapshot([holding(OTHER, 'b')], second.bucketEntries, second.keyEntries), p2);
    const p3 = projectPair(pair, p2.bucket, p2.key, third, rules('account-list'));
    expect(p3.releasedBucketEntries.map((e) => e.logFilePrefix).sort()).toEqual(['a', 'b']);
    expect(admittedInBucket(p3.bucket, MEMBER, 'a')).toBe(false);
    expect(admittedInBucket(p3.bucket, OTHER, 'b')).toBe(true);
    expect(statement(p3.bucket, BUCKET_SID).Resource).toEqual([`arn:aws:s3:::${BUCKET}/AWSLogs/*`, `arn:aws:s3:::${BUCKET}/a/AWSLogs/*`, `arn:aws:s3:::${BUCKET}/b/AWSLogs/*`]);
  });

  it('removes a prefix path once no staying entry and no unknown account can use it', () => {
    // No owner in the statement: every listed account is known to the ledger.
    const ledger = snapshot([holding(MEMBER, 'a'), holding(OTHER, 'b')]);
    const p1 = projectPair(pair, undefined, consoleKeyPolicy(), ledger, rules('account-list'));
    const second = settle(snapshot([holding(OTHER, 'b')]), p1);
    const p2 = projectPair(pair, p1.bucket, p1.key, second, rules('account-list'));
    expect(statement(p2.bucket, BUCKET_SID).Resource).toEqual([`arn:aws:s3:::${BUCKET}/b/AWSLogs/*`]);
    expect(statement(p2.bucket, BUCKET_SID).Condition!.StringEquals!['aws:SourceAccount']).toEqual([OTHER]);
    // The last account removes the statement (R7).
    const third = settle(snapshot([], second.bucketEntries, second.keyEntries), p2);
    const p3 = projectPair(pair, p2.bucket, p2.key, third, rules('account-list'));
    expect(p3.releasedBucketEntries).toEqual([bucketEntry(OTHER, 'b')]);
    expect(p3.bucket?.Statement.some((s) => s.Sid === BUCKET_SID) ?? false).toBe(false);
  });
});

describe('conversion through the projection (R34)', () => {
  /** 300 accounts listed by hand in the resource-list layout (nobody holds them) plus one held member. */
  function handListed(count: number): { bucket: PolicyDocument; key: PolicyDocument; accounts: string[] } {
    const accounts = accountsNumbered(count);
    const bucket = seedBucketPolicy();
    statement(bucket, BUCKET_SID).Resource = [OWNER, ...accounts].map((a) => `arn:aws:s3:::${BUCKET}/AWSLogs/${a}/*`);
    const key = consoleKeyPolicy();
    statement(key, 'Allow CloudTrail to encrypt logs').Condition!.StringLike!['kms:EncryptionContext:aws:cloudtrail:arn'] = [OWNER, ...accounts].map((a) => `arn:aws:cloudtrail:*:${a}:trail/*`);
    return { bucket, key, accounts };
  }

  it('resource-list -> account-list -> resource-list keeps held accounts and carries unheld entries', () => {
    const { bucket, key, accounts } = handListed(300);
    const ledger = snapshot([holding(MEMBER)]);
    const toList = projectPair(pair, bucket, key, ledger, rules('account-list'));
    expect(toList.layoutProblems).toEqual([]);
    expect(bucketLayoutOf(toList.bucket, bucketTarget())).toBe('account-list');
    for (const a of [OWNER, MEMBER, ...accounts]) {
      expect(admittedInBucket(toList.bucket, a)).toBe(true);
      expect(admittedInKey(toList.key, a)).toBe(true);
    }
    const back = projectPair(pair, toList.bucket, toList.key, settle(ledger, toList), rules('resource-list'));
    expect(back.layoutProblems).toEqual([]);
    expect(bucketLayoutOf(back.bucket, bucketTarget())).toBe('resource-list');
    expect(keyLayoutOf(back.key, keyTarget())).toBe('resource-list');
    expect(statement(back.bucket, BUCKET_SID).Resource).toEqual([OWNER, ...accounts, MEMBER].map((a) => `arn:aws:s3:::${BUCKET}/AWSLogs/${a}/*`));
    expect(statement(back.bucket, BUCKET_SID).Condition).toEqual(statement(seedBucketPolicy(), BUCKET_SID).Condition);
    for (const a of [OWNER, MEMBER, ...accounts]) expect(admittedInKey(back.key, a)).toBe(true);
  });

  it('refuses a conversion back that would not fit (R11): the policy keeps the account-list layout and enrollments go on', () => {
    const accounts = accountsNumbered(600);
    const ledger = snapshot(accounts.map((a) => holding(a)));
    const listed = projectPair(pair, seedBucketPolicy(), consoleKeyPolicy(), ledger, rules('account-list'));
    expect(listed.rejections).toEqual([]);
    const back = projectPair(pair, listed.bucket, listed.key, snapshot([...ledger.holdings, holding(MEMBER)], listed.newBucketEntries, listed.newKeyEntries), rules('resource-list'));
    expect(back.layoutProblems).toEqual([expect.stringMatching(/^The bucket policy of my-trail-bucket would be [0-9,]+ bytes with 601 accounts, over the S3 bucket policy limit/)]);
    expect(bucketLayoutOf(back.bucket, bucketTarget())).toBe('account-list');
    expect(admittedInBucket(back.bucket, MEMBER)).toBe(true);
    // The key policy has room for 600 trail patterns: it converts on its own.
    expect(keyLayoutOf(back.key, keyTarget())).toBe('resource-list');
    expect(admittedInKey(back.key, MEMBER)).toBe(true);
  });
});
