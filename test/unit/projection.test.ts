// The pure projection of the enrollment ledger onto both policies (SPEC R16, R17, R25–R29, R11).
import { BucketEntry, Holding, KeyEntry, LedgerSnapshot } from '../../src/ledger/model';
import { projectPair, ProjectionSettings } from '../../src/ledger/projection';
import { PolicyDocument } from '../../src/core/policy-document';
import { consoleKeyPolicy, KEY_ARN, MEMBER, OTHER, OWNER, others, seedBucketPolicy, statement } from './helpers';

const BUCKET_SID = 'AWSCloudTrailWrite20131101';
const KEY_SID = 'Allow CloudTrail to encrypt logs';
const PAIR = { bucketName: 'my-trail-bucket', keyArn: KEY_ARN };
const settings: ProjectionSettings = { bucketPolicySid: BUCKET_SID, keyPolicySid: KEY_SID, policyLayout: 'resource-list', isProtected: (a) => a === OWNER };

const logsOf = (account: string, prefix = '') => `arn:aws:s3:::my-trail-bucket/${prefix ? `${prefix}/` : ''}AWSLogs/${account}/*`;
const patternOf = (account: string) => `arn:aws:cloudtrail:*:${account}:trail/*`;

function holding(accountId: string, overrides: Partial<Holding> = {}): Holding {
  return { stackId: `arn:aws:cloudformation:us-east-1:${accountId}:stack/s/1`, logicalResourceId: 'Enrollment', accountId, bucketName: PAIR.bucketName, logFilePrefix: '', keyArn: KEY_ARN, ...overrides };
}
function bucketEntry(accountId: string, origin: BucketEntry['origin'], logFilePrefix = ''): BucketEntry {
  return { accountId, bucketName: PAIR.bucketName, logFilePrefix, keyArn: KEY_ARN, origin };
}
function keyEntry(accountId: string, origin: KeyEntry['origin']): KeyEntry {
  return { accountId, keyArn: KEY_ARN, bucketName: PAIR.bucketName, origin };
}
function ledger(parts: Partial<LedgerSnapshot>): LedgerSnapshot {
  return { holdings: [], bucketEntries: [], keyEntries: [], ...parts };
}
const resources = (d: PolicyDocument | undefined): string[] => [statement(d, BUCKET_SID).Resource ?? []].flat();
const patterns = (d: PolicyDocument): string[] => [statement(d, KEY_SID).Condition!.StringLike!['kms:EncryptionContext:aws:cloudtrail:arn'] ?? []].flat();
function withMember(bucket: PolicyDocument, key: PolicyDocument, account: string): [PolicyDocument, PolicyDocument] {
  statement(bucket, BUCKET_SID).Resource = [...resources(bucket), logsOf(account)];
  statement(key, KEY_SID).Condition!.StringLike!['kms:EncryptionContext:aws:cloudtrail:arn'] = [...patterns(key), patternOf(account)];
  return [bucket, key];
}

describe('a new holding', () => {
  it('adds the entry to both policies and records it as written by the function', () => {
    const p = projectPair(PAIR, seedBucketPolicy(), consoleKeyPolicy(), ledger({ holdings: [holding(MEMBER)] }), settings);
    expect(resources(p.bucket)).toEqual([logsOf(OWNER), logsOf(MEMBER)]);
    expect(patterns(p.key)).toEqual([patternOf(OWNER), patternOf(MEMBER)]);
    expect(p.newBucketEntries).toEqual([bucketEntry(MEMBER, 'written')]);
    expect(p.newKeyEntries).toEqual([keyEntry(MEMBER, 'written')]);
    expect(others(p.bucket, BUCKET_SID)).toEqual(others(seedBucketPolicy(), BUCKET_SID));
    expect(others(p.key, KEY_SID)).toEqual(others(consoleKeyPolicy(), KEY_SID));
  });

  it('of an entry the policies already list (made by hand) adopts it and writes nothing (R17, R26)', () => {
    const [bucket, key] = withMember(seedBucketPolicy(), consoleKeyPolicy(), MEMBER);
    const p = projectPair(PAIR, bucket, key, ledger({ holdings: [holding(MEMBER)] }), settings);
    expect(p.bucket).toEqual(bucket);
    expect(p.key).toEqual(key);
    expect(p.newBucketEntries).toEqual([bucketEntry(MEMBER, 'adopted')]);
    expect(p.newKeyEntries).toEqual([keyEntry(MEMBER, 'adopted')]);
  });

  it('whose entry a Deny refuses is rejected in both policies, and the others still go in (R9, R30)', () => {
    const bucket = seedBucketPolicy();
    bucket.Statement.push({ Sid: 'NoMember', Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: logsOf(MEMBER) });
    const refused = holding(MEMBER);
    const p = projectPair(PAIR, bucket, consoleKeyPolicy(), ledger({ holdings: [refused, holding(OTHER)] }), settings);
    expect(p.rejections).toEqual([{ holding: refused, reason: expect.stringContaining('denies') }]);
    expect(resources(p.bucket)).toEqual([logsOf(OWNER), logsOf(OTHER)]);
    expect(patterns(p.key)).toEqual([patternOf(OWNER), patternOf(OTHER)]);
    expect(p.newBucketEntries.map((e) => e.accountId)).toEqual([OTHER]);
  });

  it('refused by the key policy stays out of the bucket policy too (both or neither)', () => {
    const key = consoleKeyPolicy();
    key.Statement.push({ Sid: 'NoMemberTrails', Effect: 'Deny', Principal: '*', Action: 'kms:*', Resource: '*', Condition: { StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': patternOf(MEMBER) } } });
    const p = projectPair(PAIR, seedBucketPolicy(), key, ledger({ holdings: [holding(MEMBER), holding(OTHER)] }), settings);
    expect(p.rejections.map((r) => r.holding.accountId)).toEqual([MEMBER]);
    expect(resources(p.bucket)).toEqual([logsOf(OWNER), logsOf(OTHER)]);
    expect(p.newBucketEntries.map((e) => e.accountId)).toEqual([OTHER]);
  });

  it('that would push a policy over its size limit is rejected; the ones before it fit (R11)', () => {
    const filled = (n: number) => {
      const bucket = seedBucketPolicy();
      statement(bucket, BUCKET_SID).Resource = [logsOf(OWNER), ...Array.from({ length: n }, (_, i) => logsOf(String(400_000_000_000 + i)))];
      return bucket;
    };
    let capacity = 0;
    while (JSON.stringify(filled(capacity + 1)).length <= 20_480) capacity++;
    const [first, second, third] = ['500000000001', '500000000002', '500000000003'].map((a) => holding(a));
    const p = projectPair(PAIR, filled(capacity - 1), consoleKeyPolicy(), ledger({ holdings: [third!, first!, second!] }), settings);
    expect(resources(p.bucket)).toContain(logsOf('500000000001'));
    expect(JSON.stringify(p.bucket).length).toBeLessThanOrEqual(20_480);
    expect(p.rejections.map((r) => r.holding.accountId)).toEqual(['500000000002', '500000000003']);
    expect(p.rejections[0]!.reason).toContain('over the S3 bucket policy limit of 20,480 bytes');
    expect(patterns(p.key)).toEqual([patternOf(OWNER), patternOf('500000000001')]);
  });
});

describe('the last holding gone', () => {
  it('removes an entry the function wrote from both policies and releases it (R27)', () => {
    const [bucket, key] = withMember(seedBucketPolicy(), consoleKeyPolicy(), MEMBER);
    const p = projectPair(PAIR, bucket, key, ledger({ bucketEntries: [bucketEntry(MEMBER, 'written')], keyEntries: [keyEntry(MEMBER, 'written')] }), settings);
    expect(resources(p.bucket)).toEqual([logsOf(OWNER)]);
    expect(patterns(p.key)).toEqual([patternOf(OWNER)]);
    expect(p.releasedBucketEntries).toEqual([bucketEntry(MEMBER, 'written')]);
    expect(p.releasedKeyEntries).toEqual([keyEntry(MEMBER, 'written')]);
  });

  it('keeps an adopted entry in both policies (R17, R28)', () => {
    const [bucket, key] = withMember(seedBucketPolicy(), consoleKeyPolicy(), MEMBER);
    const p = projectPair(PAIR, bucket, key, ledger({ bucketEntries: [bucketEntry(MEMBER, 'adopted')], keyEntries: [keyEntry(MEMBER, 'adopted')] }), settings);
    expect(p.bucket).toEqual(bucket);
    expect(p.key).toEqual(key);
    expect(p.releasedBucketEntries).toEqual([]);
  });

  it('forgets an adopted entry someone removed by hand, and does not put it back (R31)', () => {
    const p = projectPair(PAIR, seedBucketPolicy(), consoleKeyPolicy(), ledger({ bucketEntries: [bucketEntry(MEMBER, 'adopted')], keyEntries: [keyEntry(MEMBER, 'adopted')] }), settings);
    expect(resources(p.bucket)).toEqual([logsOf(OWNER)]);
    expect(p.releasedBucketEntries).toEqual([bucketEntry(MEMBER, 'adopted')]);
    expect(p.releasedKeyEntries).toEqual([keyEntry(MEMBER, 'adopted')]);
  });

  it('never removes a protected account, even one the function wrote', () => {
    const p = projectPair(PAIR, seedBucketPolicy(), consoleKeyPolicy(), ledger({ bucketEntries: [bucketEntry(OWNER, 'written')], keyEntries: [keyEntry(OWNER, 'written')] }), settings);
    expect(resources(p.bucket)).toEqual([logsOf(OWNER)]);
    expect(patterns(p.key)).toEqual([patternOf(OWNER)]);
  });

  it('keeps entries nobody holds and the ledger does not know (hand-made) as found (R26)', () => {
    const [bucket, key] = withMember(seedBucketPolicy(), consoleKeyPolicy(), OTHER);
    const p = projectPair(PAIR, bucket, key, ledger({}), settings);
    expect(p.bucket).toEqual(bucket);
    expect(p.key).toEqual(key);
  });
});

describe('shared entries', () => {
  it('keep an entry while any of its holders remains (R25, R27)', () => {
    const [bucket, key] = withMember(seedBucketPolicy(), consoleKeyPolicy(), MEMBER);
    const west = holding(MEMBER, { stackId: `arn:aws:cloudformation:us-west-2:${MEMBER}:stack/s/2` });
    const p = projectPair(PAIR, bucket, key, ledger({ holdings: [west], bucketEntries: [bucketEntry(MEMBER, 'written')], keyEntries: [keyEntry(MEMBER, 'written')] }), settings);
    expect(p.bucket).toEqual(bucket);
    expect(p.key).toEqual(key);
  });

  it('keep the key entry while the account holds any prefix, and drop the prefix nobody holds (R16)', () => {
    const [bucket, key] = withMember(seedBucketPolicy(), consoleKeyPolicy(), MEMBER);
    statement(bucket, BUCKET_SID).Resource = [...resources(bucket), logsOf(MEMBER, 'new')];
    const moved = holding(MEMBER, { logFilePrefix: 'new' });
    const p = projectPair(PAIR, bucket, key, ledger({ holdings: [moved], bucketEntries: [bucketEntry(MEMBER, 'written'), bucketEntry(MEMBER, 'written', 'new')], keyEntries: [keyEntry(MEMBER, 'written')] }), settings);
    expect(resources(p.bucket)).toEqual([logsOf(OWNER), logsOf(MEMBER, 'new')]);
    expect(patterns(p.key)).toEqual([patternOf(OWNER), patternOf(MEMBER)]);
  });

  it('keep the bucket entry while a holding under any key names it (R25)', () => {
    const otherKey = 'arn:aws:kms:us-east-1:111111111111:key/11111111-2222-3333-4444-555555555555';
    const [bucket, key] = withMember(seedBucketPolicy(), consoleKeyPolicy(), MEMBER);
    const p = projectPair(PAIR, bucket, key, ledger({ holdings: [holding(MEMBER, { keyArn: otherKey })], bucketEntries: [bucketEntry(MEMBER, 'written')], keyEntries: [keyEntry(MEMBER, 'written')] }), settings);
    expect(resources(p.bucket)).toContain(logsOf(MEMBER));
    expect(patterns(p.key)).not.toContain(patternOf(MEMBER));
  });
});

describe('exact trail ARNs (R14, R16)', () => {
  const exact = () => {
    const bucket = seedBucketPolicy();
    statement(bucket, BUCKET_SID).Condition = { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': ['arn:aws:cloudtrail:us-east-1:111111111111:trail/owner'] } };
    return bucket;
  };

  it('lists each holding\'s TrailArn and takes out the one an Update retired', () => {
    const oldTrail = `arn:aws:cloudtrail:us-east-1:${MEMBER}:trail/old`;
    const newTrail = `arn:aws:cloudtrail:us-east-1:${MEMBER}:trail/new`;
    const first = projectPair(PAIR, exact(), consoleKeyPolicy(), ledger({ holdings: [holding(MEMBER, { trailArn: oldTrail })] }), settings);
    expect(statement(first.bucket, BUCKET_SID).Condition!.StringEquals!['aws:SourceArn']).toContain(oldTrail);
    const updated = holding(MEMBER, { trailArn: newTrail, retiredTrailArns: [oldTrail] });
    const second = projectPair(PAIR, first.bucket, first.key, ledger({ holdings: [updated], bucketEntries: first.newBucketEntries, keyEntries: first.newKeyEntries }), settings);
    expect(statement(second.bucket, BUCKET_SID).Condition!.StringEquals!['aws:SourceArn']).toEqual(['arn:aws:cloudtrail:us-east-1:111111111111:trail/owner', newTrail]);
  });

  it('rejects a holding without TrailArn where the statement pins exact trail ARNs', () => {
    const p = projectPair(PAIR, exact(), consoleKeyPolicy(), ledger({ holdings: [holding(MEMBER)] }), settings);
    expect(p.rejections).toEqual([{ holding: holding(MEMBER), reason: expect.stringContaining('set the TrailArn property') }]);
    expect(resources(p.bucket)).toEqual([logsOf(OWNER)]);
    expect(patterns(p.key)).toEqual([patternOf(OWNER)]);
  });
});
