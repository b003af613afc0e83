import {
  bucketAdmission,
  bucketLayoutOf,
  bucketListedAccounts,
  bucketToAccountList,
  bucketToResourceList,
  enrollInAccountListBucket,
  enrollInAccountListKey,
  keyAdmission,
  keyLayoutOf,
  keyToAccountList,
  keyToResourceList,
  removeFromAccountListBucket,
  removeFromAccountListKey,
} from '../../src/core/account-list';
import { enrollInBucketPolicy } from '../../src/core/bucket-policy';
import { OperatorError } from '../../src/core/errors';
import { enrollInKeyPolicy } from '../../src/core/key-policy';
import { PolicyDocument, toCompactJson } from '../../src/core/policy-document';
import { assertBucketPolicyFits } from '../../src/core/size-limits';
import { bucketTarget, consoleKeyPolicy, keyTarget, member, MEMBER, OTHER, others, OWNER, seedBucketPolicy, statement } from './helpers';

const BUCKET_SID = 'AWSCloudTrailWrite20131101';
const KEY_SID = 'Allow CloudTrail to encrypt logs';
const CONTEXT = 'kms:EncryptionContext:aws:cloudtrail:arn';
const logs = (account: string, prefix = '') => `arn:aws:s3:::my-trail-bucket/${prefix ? `${prefix}/` : ''}AWSLogs/${account}/*`;
const all = (prefix = '') => `arn:aws:s3:::my-trail-bucket/${prefix ? `${prefix}/` : ''}AWSLogs/*`;
const ANY_TRAIL = 'arn:aws:cloudtrail:*:*:trail/*';
const none = { account: false, prefix: false };

describe('account-list layout, bucket policy (R34)', () => {
  it('enrolls into the seed policy by converting it: one AWSLogs/* per prefix, the accounts in StringEquals aws:SourceAccount', () => {
    const after = enrollInAccountListBucket(seedBucketPolicy(), bucketTarget(), member());
    expect(statement(after, BUCKET_SID).Resource).toEqual([all()]);
    expect(statement(after, BUCKET_SID).Condition).toEqual({ StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceAccount': [OWNER, MEMBER] } });
    expect(others(after, BUCKET_SID)).toEqual(others(seedBucketPolicy(), BUCKET_SID));
    expect(bucketLayoutOf(after, bucketTarget())).toBe('account-list');
  });

  it('is idempotent and adds a prefix path once', () => {
    const once = enrollInAccountListBucket(seedBucketPolicy(), bucketTarget(), member());
    expect(toCompactJson(enrollInAccountListBucket(once, bucketTarget(), member()))).toBe(toCompactJson(once));
    const prefixed = enrollInAccountListBucket(once, bucketTarget({ logFilePrefix: 'org' }), member(OTHER));
    expect(statement(prefixed, BUCKET_SID).Resource).toEqual([all(), all('org')]);
    expect(statement(prefixed, BUCKET_SID).Condition!.StringEquals!['aws:SourceAccount']).toEqual([OWNER, MEMBER, OTHER]);
  });

  it('creates the documented statements in the account-list shape when the bucket has no policy', () => {
    const after = enrollInAccountListBucket(undefined, bucketTarget(), member());
    expect(after.Statement.map((s) => s.Sid)).toEqual(['AWSCloudTrailAclCheck20131101', BUCKET_SID]);
    expect(statement(after, BUCKET_SID).Resource).toEqual([all()]);
    expect(statement(after, BUCKET_SID).Condition!.StringEquals!['aws:SourceAccount']).toEqual([MEMBER]);
  });

  it('admits (account, prefix) only when the prefix path is there and the account is listed', () => {
    const document = enrollInAccountListBucket(seedBucketPolicy(), bucketTarget(), member());
    const admits = bucketAdmission(document, bucketTarget());
    expect(admits(MEMBER, '')).toBe(true);
    expect(admits(OTHER, '')).toBe(false);
    expect(admits(MEMBER, 'org')).toBe(false);
  });

  it('removes the account, keeps a prefix another account uses, and keeps the account while another prefix needs it', () => {
    let document: PolicyDocument | undefined = enrollInAccountListBucket(seedBucketPolicy(), bucketTarget(), member());
    document = removeFromAccountListBucket(document, bucketTarget(), member(), { account: true, prefix: true });
    expect(statement(document, BUCKET_SID).Condition!.StringEquals!['aws:SourceAccount']).toEqual([OWNER, MEMBER]);
    document = removeFromAccountListBucket(document, bucketTarget(), member(), { account: false, prefix: true });
    expect(statement(document, BUCKET_SID).Resource).toEqual([all()]);
    expect(statement(document, BUCKET_SID).Condition!.StringEquals!['aws:SourceAccount']).toEqual([OWNER]);
  });

  it('removes a prefix path nobody needs any more', () => {
    let document: PolicyDocument | undefined = enrollInAccountListBucket(seedBucketPolicy(), bucketTarget({ logFilePrefix: 'org' }), member());
    document = removeFromAccountListBucket(document, bucketTarget({ logFilePrefix: 'org' }), member(), none);
    expect(statement(document, BUCKET_SID).Resource).toEqual([all()]);
    expect(statement(document, BUCKET_SID).Condition!.StringEquals!['aws:SourceAccount']).toEqual([OWNER]);
  });

  it('removes the statement with the last account, never just the condition (R7)', () => {
    const document = enrollInAccountListBucket(undefined, bucketTarget(), member());
    const withOwnerStatement = { ...document, Statement: [...document.Statement, { Sid: 'Keep', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OWNER}:root` }, Action: 's3:GetObject', Resource: all() }] };
    const after = removeFromAccountListBucket(withOwnerStatement, bucketTarget(), member(), { account: false, prefix: true });
    expect(after!.Statement.map((s) => s.Sid)).toEqual(['AWSCloudTrailAclCheck20131101', 'Keep']);
    // The same with the prefix path going: the emptied Resource removes it too.
    expect(removeFromAccountListBucket(withOwnerStatement, bucketTarget(), member(), none)!.Statement.map((s) => s.Sid)).toEqual(['AWSCloudTrailAclCheck20131101', 'Keep']);
  });

  it('refuses to narrow a statement that admits every account under AWSLogs/*', () => {
    const open = seedBucketPolicy();
    statement(open, BUCKET_SID).Resource = [all()];
    expect(() => enrollInAccountListBucket(open, bucketTarget(), member())).toThrow(/lets every account's trail write under .*AWSLogs\/\* because it has no StringEquals aws:SourceAccount list/);
    expect(bucketToResourceList(open, bucketTarget(), () => [])).toBe(open);
  });

  it('refuses a Deny on the prefix path', () => {
    const denied = seedBucketPolicy();
    denied.Statement.push({ Sid: 'Block', Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: all() });
    expect(() => enrollInAccountListBucket(denied, bucketTarget(), member())).toThrow(OperatorError);
  });

  it('counts the accounts of both layouts for the size check (R11)', () => {
    let document: PolicyDocument | undefined = seedBucketPolicy();
    for (let i = 0; i < 1400; i++) document = enrollInAccountListBucket(document, bucketTarget(), member(String(300_000_000_000 + i)));
    expect(bucketListedAccounts(document, bucketTarget())).toHaveLength(1401);
    expect(() => assertBucketPolicyFits(document, bucketTarget())).toThrow(/with 1401 accounts, over the S3 bucket policy limit/);
  });
});

describe('conversion of the bucket statement (R34)', () => {
  const resourceList = () => {
    let document: PolicyDocument | undefined = seedBucketPolicy();
    document = enrollInBucketPolicy(document, bucketTarget(), member());
    document = enrollInBucketPolicy(document, bucketTarget({ logFilePrefix: 'org' }), member(OTHER));
    statement(document, BUCKET_SID).Condition!.StringLike = { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'arn:aws:kms:*' };
    document.Statement.push({ Sid: 'Other', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444444444444:root' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::my-trail-bucket/*' });
    return document;
  };

  it('to account-list: every account (held or not) and every prefix, everything else preserved', () => {
    const before = resourceList();
    const after = bucketToAccountList(before, bucketTarget())!;
    expect(statement(after, BUCKET_SID).Resource).toEqual([all(), all('org')]);
    expect(statement(after, BUCKET_SID).Condition).toEqual({
      StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceAccount': [OWNER, MEMBER, OTHER] },
      StringLike: { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'arn:aws:kms:*' },
    });
    expect(others(after, BUCKET_SID)).toEqual(others(before, BUCKET_SID));
    expect(after.Statement.map((s) => s.Sid)).toEqual(before!.Statement.map((s) => s.Sid));
    // Already in the layout: unchanged.
    expect(bucketToAccountList(after, bucketTarget())).toBe(after);
  });

  it('back to resource-list: held (account, prefix) as held, accounts nobody holds under every prefix, the list gone', () => {
    const before = resourceList();
    const listed = bucketToAccountList(before, bucketTarget())!;
    const held: Record<string, string[]> = { [MEMBER]: [''], [OTHER]: ['org'] };
    const back = bucketToResourceList(listed, bucketTarget(), (a) => held[a] ?? [])!;
    expect(statement(back, BUCKET_SID).Resource).toEqual([logs(OWNER), logs(OWNER, 'org'), logs(MEMBER), logs(OTHER, 'org')]);
    expect(statement(back, BUCKET_SID).Condition).toEqual(statement(before, BUCKET_SID).Condition);
    expect(others(back, BUCKET_SID)).toEqual(others(before, BUCKET_SID));
    for (const [account, prefix] of [[OWNER, ''], [MEMBER, ''], [OTHER, 'org']] as const) expect(bucketAdmission(back, bucketTarget())(account, prefix)).toBe(true);
    expect(bucketToResourceList(back, bucketTarget(), () => [])).toBe(back);
  });

  it('refuses to convert a statement with a Resource it cannot carry', () => {
    const before = seedBucketPolicy();
    statement(before, BUCKET_SID).Resource = [logs(OWNER), 'arn:aws:s3:::my-trail-bucket/AWSLogs/o-abc123defg/*'];
    expect(() => bucketToAccountList(before, bucketTarget())).toThrow(/lists Resource arn:aws:s3:::my-trail-bucket\/AWSLogs\/o-abc123defg\/\*, which is neither/);
  });
});

describe('account-list layout, key policy (R34)', () => {
  it('enrolls into the console key policy by converting it: one trail pattern, the accounts in aws:SourceAccount', () => {
    const before = consoleKeyPolicy();
    const after = enrollInAccountListKey(before, keyTarget(), member());
    expect(statement(after, KEY_SID).Condition).toEqual({ StringLike: { [CONTEXT]: [ANY_TRAIL] }, StringEquals: { 'aws:SourceAccount': [OWNER, MEMBER] } });
    expect(others(after, KEY_SID)).toEqual(others(before, KEY_SID));
    expect(keyLayoutOf(after, keyTarget())).toBe('account-list');
    expect(keyAdmission(after, keyTarget())(MEMBER)).toBe(true);
    expect(keyAdmission(after, keyTarget())(OTHER)).toBe(false);
    expect(toCompactJson(enrollInAccountListKey(after, keyTarget(), member()))).toBe(toCompactJson(after));
  });

  it('removes the account, and the statement with the last one (R7), keeping the other statements', () => {
    const enrolled = enrollInAccountListKey(consoleKeyPolicy(), keyTarget(), member());
    const removed = removeFromAccountListKey(enrolled, keyTarget(), member());
    expect(statement(removed, KEY_SID).Condition!.StringEquals!['aws:SourceAccount']).toEqual([OWNER]);
    const last = removeFromAccountListKey(removed, keyTarget(), member(OWNER));
    expect(last.Statement.map((s) => s.Sid)).toEqual(others(consoleKeyPolicy(), KEY_SID).map((s) => s.Sid));
  });

  it('converts both ways, carrying every account and preserving the rest', () => {
    let before = consoleKeyPolicy();
    before = enrollInKeyPolicy(enrollInKeyPolicy(before, keyTarget(), member()), keyTarget(), member(OTHER));
    const listed = keyToAccountList(before, keyTarget());
    expect(statement(listed, KEY_SID).Condition!.StringEquals!['aws:SourceAccount']).toEqual([OWNER, MEMBER, OTHER]);
    expect(others(listed, KEY_SID)).toEqual(others(before, KEY_SID));
    const back = keyToResourceList(listed, keyTarget());
    expect(back).toEqual(before);
  });

  it('refuses to narrow a statement that admits every account\'s trails', () => {
    const open = consoleKeyPolicy();
    statement(open, KEY_SID).Condition!.StringLike![CONTEXT] = ANY_TRAIL;
    expect(() => enrollInAccountListKey(open, keyTarget(), member())).toThrow(/lets every account's trails use the key/);
    expect(keyToResourceList(open, keyTarget())).toBe(open);
  });

  it('leaves a statement without an encryption-context condition open (it admits every trail already)', () => {
    const open = consoleKeyPolicy();
    delete statement(open, KEY_SID).Condition;
    const after = enrollInAccountListKey(open, keyTarget(), member());
    expect(statement(after, KEY_SID).Condition).toBeUndefined();
    expect(keyAdmission(after, keyTarget())(OTHER)).toBe(true);
  });
});
