import { bucketPolicyListsAccount, enrollInBucketPolicy, removeFromBucketPolicy } from '../../src/core/bucket-policy';
import { OperatorError } from '../../src/core/errors';
import { toCompactJson } from '../../src/core/policy-document';
import { bucketTarget, member, MEMBER, others, OTHER, OWNER, seedBucketPolicy, statement } from './helpers';

const WRITE = 'AWSCloudTrailWrite20131101';
const logs = (account: string, prefix = '', bucket = 'my-trail-bucket', partition = 'aws') =>
  `arn:${partition}:s3:::${bucket}/${prefix ? `${prefix}/` : ''}AWSLogs/${account}/*`;

describe('enrolling an account in the bucket policy', () => {
  it('appends the account to the documented statement and keeps everything else', () => {
    const before = seedBucketPolicy();
    const after = enrollInBucketPolicy(before, bucketTarget(), member());
    expect(statement(after, WRITE).Resource).toEqual([logs(OWNER), logs(MEMBER)]);
    expect(others(after, WRITE)).toEqual(others(before, WRITE));
    expect(statement(after, WRITE).Condition).toEqual(statement(before, WRITE).Condition);
    expect(after.Version).toBe('2012-10-17');
    expect(before.Statement[1]!.Resource).toEqual([logs(OWNER)]); // input untouched
  });

  it('reads a string Resource as a one-item list and writes a list', () => {
    const before = seedBucketPolicy();
    before.Statement[1]!.Resource = logs(OWNER);
    const after = enrollInBucketPolicy(before, bucketTarget(), member());
    expect(statement(after, WRITE).Resource).toEqual([logs(OWNER), logs(MEMBER)]);
  });

  it('changes nothing when the account is already listed, even as a string', () => {
    const before = seedBucketPolicy();
    before.Statement[1]!.Resource = logs(MEMBER);
    const after = enrollInBucketPolicy(before, bucketTarget(), member());
    expect(toCompactJson(after)).toBe(toCompactJson(before));
  });

  it('puts the prefix before AWSLogs', () => {
    const after = enrollInBucketPolicy(seedBucketPolicy(), bucketTarget({ logFilePrefix: 'org/trails' }), member());
    expect(statement(after, WRITE).Resource).toContain(logs(MEMBER, 'org/trails'));
  });

  it('uses the partition of the key in every ARN it writes', () => {
    const after = enrollInBucketPolicy(undefined, bucketTarget({ partition: 'aws-cn' }), member(MEMBER, { partition: 'aws-cn' }));
    expect(statement(after, WRITE).Resource).toEqual([logs(MEMBER, '', 'my-trail-bucket', 'aws-cn')]);
    expect(statement(after, 'AWSCloudTrailAclCheck20131101').Resource).toBe('arn:aws-cn:s3:::my-trail-bucket');
  });

  it('creates the documented statements when the bucket has no policy', () => {
    const after = enrollInBucketPolicy(undefined, bucketTarget(), member());
    expect(after).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'AWSCloudTrailAclCheck20131101', Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 's3:GetBucketAcl', Resource: 'arn:aws:s3:::my-trail-bucket' },
        {
          Sid: WRITE,
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: [logs(MEMBER)],
          Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
        },
      ],
    });
  });

  it('adds the write statement with the configured Sid to a policy that has none, after the existing ones', () => {
    const before = { Version: '2012-10-17', Statement: [seedBucketPolicy().Statement[0]!, { Sid: 'DenyHttp', Effect: 'Deny', Principal: '*' as const, Action: 's3:*', Resource: 'arn:aws:s3:::my-trail-bucket/*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }] };
    const after = enrollInBucketPolicy(before, bucketTarget({ sid: 'OurSid' }), member());
    expect(after.Statement.slice(0, 2)).toEqual(before.Statement);
    expect(after.Statement).toHaveLength(3);
    expect(statement(after, 'OurSid').Resource).toEqual([logs(MEMBER)]);
  });

  it('finds the CloudTrail write statement without the Sid when it is the only one', () => {
    const before = seedBucketPolicy();
    delete before.Statement[1]!.Sid;
    const after = enrollInBucketPolicy(before, bucketTarget(), member());
    expect(after.Statement[1]!.Resource).toEqual([logs(OWNER), logs(MEMBER)]);
    expect(after.Statement).toHaveLength(2);
  });

  it('refuses two candidate statements without the Sid, naming them', () => {
    const before = seedBucketPolicy();
    before.Statement[1]!.Sid = 'WriteA';
    before.Statement.push({ ...before.Statement[1]!, Sid: 'WriteB' });
    expect(() => enrollInBucketPolicy(before, bucketTarget(), member())).toThrow(/2 statements .*"WriteA", "WriteB"/);
  });

  it('refuses duplicate Sids, a Deny under the Sid, a NotPrincipal and a Deny naming the entry', () => {
    const duplicate = seedBucketPolicy();
    duplicate.Statement.push({ ...duplicate.Statement[1]! });
    expect(() => enrollInBucketPolicy(duplicate, bucketTarget(), member())).toThrow(/2 statements with Sid/);

    const denied = seedBucketPolicy();
    denied.Statement[1]!.Effect = 'Deny';
    expect(() => enrollInBucketPolicy(denied, bucketTarget(), member())).toThrow(/Effect "Deny", not Allow/);

    const notPrincipal = seedBucketPolicy();
    delete notPrincipal.Statement[1]!.Principal;
    notPrincipal.Statement[1]!.NotPrincipal = { AWS: 'arn:aws:iam::111111111111:root' };
    expect(() => enrollInBucketPolicy(notPrincipal, bucketTarget(), member())).toThrow(/NotPrincipal/);

    const denyEntry = seedBucketPolicy();
    denyEntry.Statement.push({ Sid: 'BlockMember', Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: [logs(MEMBER)] });
    expect(() => enrollInBucketPolicy(denyEntry, bucketTarget(), member())).toThrow(OperatorError);
  });
});

describe('removing an account from the bucket policy', () => {
  it('removes only that entry and keeps everything else', () => {
    const enrolled = enrollInBucketPolicy(seedBucketPolicy(), bucketTarget(), member());
    const after = removeFromBucketPolicy(enrolled, bucketTarget(), member());
    expect(statement(after, WRITE).Resource).toEqual([logs(OWNER)]);
    expect(others(after, WRITE)).toEqual(others(seedBucketPolicy(), WRITE));
  });

  it('drops the statement with its last entry, and the policy with its last statement', () => {
    const onlyMember = seedBucketPolicy();
    onlyMember.Statement[1]!.Resource = logs(MEMBER);
    const after = removeFromBucketPolicy(onlyMember, bucketTarget(), member());
    expect(after!.Statement.map((s) => s.Sid)).toEqual(['AWSCloudTrailAclCheck20131101']);

    const alone = { Version: '2012-10-17', Statement: [onlyMember.Statement[1]!] };
    expect(removeFromBucketPolicy(alone, bucketTarget(), member())).toBeUndefined();
  });

  it('changes nothing when the account is absent or there is no policy', () => {
    expect(toCompactJson(removeFromBucketPolicy(seedBucketPolicy(), bucketTarget(), member(OTHER))!)).toBe(toCompactJson(seedBucketPolicy()));
    expect(removeFromBucketPolicy(undefined, bucketTarget(), member())).toBeUndefined();
  });

  it('keeps the entry of the same account under another prefix', () => {
    let document = enrollInBucketPolicy(seedBucketPolicy(), bucketTarget({ logFilePrefix: 'a' }), member());
    document = enrollInBucketPolicy(document, bucketTarget({ logFilePrefix: 'b' }), member());
    const after = removeFromBucketPolicy(document, bucketTarget({ logFilePrefix: 'a' }), member());
    expect(statement(after, WRITE).Resource).toEqual([logs(OWNER), logs(MEMBER, 'b')]);
    expect(bucketPolicyListsAccount(after, bucketTarget(), MEMBER)).toBe(true);
    expect(bucketPolicyListsAccount(removeFromBucketPolicy(after, bucketTarget({ logFilePrefix: 'b' }), member()), bucketTarget(), MEMBER)).toBe(false);
  });

  it('does not mistake another bucket or a longer account for the member', () => {
    const document = seedBucketPolicy();
    document.Statement[1]!.Resource = [logs(OWNER), logs(MEMBER, '', 'other-bucket'), 'arn:aws:s3:::my-trail-bucket/xAWSLogs/222222222222/*'];
    expect(bucketPolicyListsAccount(document, bucketTarget(), MEMBER)).toBe(false);
  });
});

describe('Deny statements and statement shape (R14)', () => {
  const deny = (extra: Record<string, unknown>) => {
    const document = seedBucketPolicy();
    document.Statement.push({ Sid: 'Guard', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: 'arn:aws:s3:::my-trail-bucket/*', ...extra });
    return document;
  };

  it('refuses a Deny whose wildcard Resource covers the member objects', () => {
    expect(() => enrollInBucketPolicy(deny({}), bucketTarget(), member())).toThrow(/statement "Guard"/);
    expect(() => enrollInBucketPolicy(deny({ Action: 's3:Put*', Resource: 'arn:aws:s3:::my-trail-bucket/AWSLogs/2222222222??/*' }), bucketTarget(), member())).toThrow(/statement "Guard"/);
  });

  it('refuses a Deny on every account but the listed ones', () => {
    const document = deny({ Condition: { StringNotEquals: { 'aws:SourceAccount': [OWNER] } } });
    expect(() => enrollInBucketPolicy(document, bucketTarget(), member())).toThrow(/statement "Guard"/);
  });

  it('judges a Deny on the SSE-KMS headers by what CloudTrail sends: aws:kms under the trail key (version 2 refused every such Deny)', () => {
    const trailKey = 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const otherKey = 'arn:aws:kms:us-east-1:111111111111:key/99999999-12ab-34cd-56ef-1234567890ab';
    const target = bucketTarget({ keyArn: trailKey });
    for (const condition of [
      { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
      { StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': trailKey } },
      { Null: { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'true' } },
    ]) {
      expect(() => enrollInBucketPolicy(deny({ Condition: condition }), target, member())).not.toThrow();
    }
    expect(() => enrollInBucketPolicy(deny({ Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': otherKey } } }), target, member())).toThrow(/statement "Guard"/);
    expect(() => enrollInBucketPolicy(deny({ Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'AES256' } } }), target, member())).toThrow(/statement "Guard"/);
  });

  it('ignores Denies that cannot hold for CloudTrail or do not cover the member', () => {
    for (const extra of [
      { Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
      { Condition: { StringNotEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } } },
      { Resource: `arn:aws:s3:::my-trail-bucket/AWSLogs/${OTHER}/*` },
      { Principal: { AWS: 'arn:aws:iam::111111111111:root' } },
      { Action: 's3:DeleteObject' },
      { Condition: { StringEquals: { 'aws:SourceAccount': OTHER } } },
      { NotResource: 'arn:aws:s3:::my-trail-bucket/AWSLogs/*', Resource: undefined },
    ]) {
      const document = deny(extra);
      expect(() => enrollInBucketPolicy(document, bucketTarget(), member())).not.toThrow();
    }
  });

  it('refuses a managed statement written with NotResource or NotAction, and leaves such statements elsewhere alone', () => {
    const notResource = seedBucketPolicy();
    notResource.Statement[1]!.NotResource = 'arn:aws:s3:::my-trail-bucket/private/*';
    expect(() => enrollInBucketPolicy(notResource, bucketTarget(), member())).toThrow(/uses NotResource/);
    const notAction = seedBucketPolicy();
    notAction.Statement[1]!.NotAction = 's3:DeleteObject';
    expect(() => enrollInBucketPolicy(notAction, bucketTarget(), member())).toThrow(/uses NotAction/);
    const elsewhere = seedBucketPolicy();
    elsewhere.Statement.push({ Sid: 'Other', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, NotAction: 's3:DeleteBucket', Resource: 'arn:aws:s3:::my-trail-bucket' });
    const after = enrollInBucketPolicy(elsewhere, bucketTarget(), member());
    expect(statement(after, 'Other')).toEqual(statement(elsewhere, 'Other'));
  });

  it('recognises a wildcard Action as granting s3:PutObject and adds no second write statement', () => {
    const before = seedBucketPolicy();
    delete before.Statement[1]!.Sid;
    before.Statement[1]!.Action = 's3:Put*';
    const after = enrollInBucketPolicy(before, bucketTarget(), member());
    expect(after.Statement).toHaveLength(2);
    expect(after.Statement[1]!.Resource).toEqual([logs(OWNER), logs(MEMBER)]);
  });
});
