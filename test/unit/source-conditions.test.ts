import { bucketEnrollmentGaps, enrollInBucketPolicy, removeFromBucketPolicy } from '../../src/core/bucket-policy';
import { enrollInKeyPolicy, keyEnrollmentGaps, managedKeyPatterns, removeFromKeyPolicy } from '../../src/core/key-policy';
import { bucketTarget, consoleKeyPolicy, keyTarget, member, MEMBER, OWNER, seedBucketPolicy, statement } from './helpers';

const WRITE = 'AWSCloudTrailWrite20131101';
const ENCRYPT = 'Allow CloudTrail to encrypt logs';
const OWNER_TRAIL = 'arn:aws:cloudtrail:us-east-1:111111111111:trail/main';
const CONTEXT = 'kms:EncryptionContext:aws:cloudtrail:arn';
const MEMBER_TRAIL = 'arn:aws:cloudtrail:us-east-1:222222222222:trail/org';

function bucketWith(condition: Record<string, Record<string, string | string[]>>) {
  const document = seedBucketPolicy();
  Object.assign(statement(document, WRITE).Condition!, condition);
  return document;
}

describe('confused-deputy conditions (R14)', () => {
  it('adds the account to aws:SourceAccount and the pattern to a StringLike aws:SourceArn', () => {
    const before = bucketWith({ StringLike: { 'aws:SourceArn': `arn:aws:cloudtrail:*:${OWNER}:trail/*` } });
    statement(before, WRITE).Condition!.StringEquals!['aws:SourceAccount'] = OWNER;
    const after = enrollInBucketPolicy(before, bucketTarget(), member());
    const condition = statement(after, WRITE).Condition!;
    expect(condition.StringEquals!['aws:SourceAccount']).toEqual([OWNER, MEMBER]);
    expect(condition.StringLike!['aws:SourceArn']).toEqual([`arn:aws:cloudtrail:*:${OWNER}:trail/*`, `arn:aws:cloudtrail:*:${MEMBER}:trail/*`]);
    expect(condition.StringEquals!['s3:x-amz-acl']).toBe('bucket-owner-full-control');
    expect(bucketEnrollmentGaps(after, bucketTarget(), member())).toEqual([]);
  });

  it('refuses an exact aws:SourceArn list without TrailArn, explaining what to set', () => {
    const before = bucketWith({ ArnEquals: { 'aws:SourceArn': OWNER_TRAIL } });
    expect(() => enrollInBucketPolicy(before, bucketTarget(), member())).toThrow(/set the TrailArn property/);
  });

  it('adds TrailArn to an exact aws:SourceArn list on the key statement', () => {
    const before = consoleKeyPolicy();
    statement(before, ENCRYPT).Condition!.StringEquals = { 'aws:SourceArn': OWNER_TRAIL };
    const after = enrollInKeyPolicy(before, keyTarget(), member(MEMBER, { trailArn: MEMBER_TRAIL }));
    expect(statement(after, ENCRYPT).Condition!.StringEquals!['aws:SourceArn']).toEqual([OWNER_TRAIL, MEMBER_TRAIL]);
    expect(keyEnrollmentGaps(after, keyTarget(), member(MEMBER, { trailArn: MEMBER_TRAIL }))).toEqual([]);
    const removed = removeFromKeyPolicy(after, keyTarget(), member(MEMBER, { trailArn: MEMBER_TRAIL }));
    expect(statement(removed, ENCRYPT).Condition!.StringEquals!['aws:SourceArn']).toEqual([OWNER_TRAIL]);
  });

  it('removes the statement rather than leave an empty condition that would widen access', () => {
    const before = bucketWith({ StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceAccount': [MEMBER] } });
    statement(before, WRITE).Resource = [`arn:aws:s3:::my-trail-bucket/AWSLogs/${OWNER}/*`, `arn:aws:s3:::my-trail-bucket/AWSLogs/${MEMBER}/*`];
    const after = removeFromBucketPolicy(before, bucketTarget(), member());
    expect(after!.Statement.map((s) => s.Sid)).toEqual(['AWSCloudTrailAclCheck20131101']);
  });

  it('refuses a negated condition that excludes the member', () => {
    const before = bucketWith({ StringNotEquals: { 'aws:SourceAccount': MEMBER } });
    expect(() => enrollInBucketPolicy(before, bucketTarget(), member())).toThrow(/excludes 222222222222/);
  });

  it('reports a statement that would still deny a listed member', () => {
    const before = bucketWith({ StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceAccount': OWNER } });
    statement(before, WRITE).Resource = [`arn:aws:s3:::my-trail-bucket/AWSLogs/${MEMBER}/*`];
    expect(bucketEnrollmentGaps(before, bucketTarget(), member())).toEqual(['StringEquals aws:SourceAccount does not list the account']);
  });
});

describe('operator variants and case (R14)', () => {
  const trail = `arn:aws:cloudtrail:us-east-1:${MEMBER}:trail/org`;

  it.each(['ForAnyValue:StringEquals', 'ForAllValues:StringEquals', 'StringEqualsIgnoreCase', 'StringEqualsIfExists', 'StringLikeIfExists'])(
    'adds the account to aws:SourceAccount under %s and removes it again',
    (operator) => {
      const before = bucketWith({ [operator]: { 'aws:sourceaccount': [OWNER] } });
      const after = enrollInBucketPolicy(before, bucketTarget(), member());
      expect(statement(after, WRITE).Condition![operator]!['aws:sourceaccount']).toEqual([OWNER, MEMBER]);
      expect(bucketEnrollmentGaps(after, bucketTarget(), member())).toEqual([]);
      const removed = removeFromBucketPolicy(after, bucketTarget(), member());
      expect(statement(removed, WRITE).Condition![operator]!['aws:sourceaccount']).toEqual([OWNER]);
    },
  );

  it('refuses a negated variant that excludes the member', () => {
    const before = bucketWith({ 'ForAnyValue:StringNotEqualsIgnoreCase': { 'AWS:SourceAccount': MEMBER } });
    expect(() => enrollInBucketPolicy(before, bucketTarget(), member())).toThrow(/excludes 222222222222/);
  });

  it('edits the encryption-context key under every operator that lists it: like gets the pattern, equals gets TrailArn', () => {
    const before = consoleKeyPolicy();
    const condition = statement(before, ENCRYPT).Condition!;
    condition.StringEquals = { [CONTEXT]: OWNER_TRAIL };
    expect(() => enrollInKeyPolicy(before, keyTarget(), member())).toThrow(/set the TrailArn property/);
    const after = enrollInKeyPolicy(before, keyTarget(), member(MEMBER, { trailArn: trail }));
    const written = statement(after, ENCRYPT).Condition!;
    expect(written.StringLike![CONTEXT]).toEqual([`arn:aws:cloudtrail:*:${OWNER}:trail/*`, `arn:aws:cloudtrail:*:${MEMBER}:trail/*`]);
    expect(written.StringEquals![CONTEXT]).toEqual([OWNER_TRAIL, trail]);
    expect(keyEnrollmentGaps(after, keyTarget(), member(MEMBER, { trailArn: trail }))).toEqual([]);
    const removed = statement(removeFromKeyPolicy(after, keyTarget(), member(MEMBER, { trailArn: trail })), ENCRYPT).Condition!;
    expect(removed.StringLike![CONTEXT]).toEqual([`arn:aws:cloudtrail:*:${OWNER}:trail/*`]);
    expect(removed.StringEquals![CONTEXT]).toEqual([OWNER_TRAIL]);
  });

  it('edits the encryption-context key listed twice in different case', () => {
    const before = consoleKeyPolicy();
    const lower = CONTEXT.toLowerCase();
    statement(before, ENCRYPT).Condition!.StringLike![lower] = [`arn:aws:cloudtrail:*:${OWNER}:trail/*`];
    const after = enrollInKeyPolicy(before, keyTarget(), member());
    const like = statement(after, ENCRYPT).Condition!.StringLike!;
    expect(like[CONTEXT]).toContain(`arn:aws:cloudtrail:*:${MEMBER}:trail/*`);
    expect(like[lower]).toContain(`arn:aws:cloudtrail:*:${MEMBER}:trail/*`);
    const removed = statement(removeFromKeyPolicy(after, keyTarget(), member()), ENCRYPT).Condition!.StringLike!;
    expect(removed[CONTEXT]).not.toContain(`arn:aws:cloudtrail:*:${MEMBER}:trail/*`);
    expect(removed[lower]).toEqual([`arn:aws:cloudtrail:*:${OWNER}:trail/*`]);
  });

  it('treats an aws:SourceAccount list on a key statement without encryption context as the list of accounts', () => {
    const before = consoleKeyPolicy();
    statement(before, ENCRYPT).Condition = { StringEquals: { 'aws:SourceAccount': [OWNER] } };
    expect(managedKeyPatterns(before, keyTarget())).toEqual([`arn:aws:cloudtrail:*:${OWNER}:trail/*`]);
    const after = enrollInKeyPolicy(before, keyTarget(), member());
    expect(statement(after, ENCRYPT).Condition!.StringEquals!['aws:SourceAccount']).toEqual([OWNER, MEMBER]);
    expect(managedKeyPatterns(after, keyTarget())).toContain(`arn:aws:cloudtrail:*:${MEMBER}:trail/*`);
    const removed = removeFromKeyPolicy(after, keyTarget(), member());
    expect(statement(removed, ENCRYPT).Condition!.StringEquals!['aws:SourceAccount']).toEqual([OWNER]);
  });
});
