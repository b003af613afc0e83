import { parseKeyArn } from '../../src/core/arns';
import { buildStatusReport } from '../../src/estate/status-report';
import { StatusTargets } from '../../src/estate/status-report';
import { consoleKeyPolicy, KEY_ARN, MEMBER, OTHER, OWNER, seedBucketPolicy, statement } from './helpers';

const targets = (prefix?: string): StatusTargets => ({
  bucketName: 'my-trail-bucket',
  key: parseKeyArn(KEY_ARN, 'key'),
  ...(prefix !== undefined ? { prefix } : {}),
  bucketSid: 'AWSCloudTrailWrite20131101',
  keySid: 'Allow CloudTrail to encrypt logs',
});
const logs = (account: string) => `arn:aws:s3:::my-trail-bucket/AWSLogs/${account}/*`;
const pattern = (account: string) => `arn:aws:cloudtrail:*:${account}:trail/*`;

describe('status report', () => {
  it('reports the seed estate as clean', () => {
    const report = buildStatusReport(targets(), { bucketPolicy: seedBucketPolicy(), keyPolicy: consoleKeyPolicy(), bucketRegion: 'us-east-1' });
    expect(report).toMatchObject({ drift: false, problems: [], accounts: [{ accountId: OWNER, bucketPrefixes: [''], inBucketPolicy: true, inKeyPolicy: true, problems: [] }] });
  });

  it('flags half-enrolled accounts, a Deny on a member, and a region mismatch', () => {
    const bucket = seedBucketPolicy();
    statement(bucket, 'AWSCloudTrailWrite20131101').Resource = [logs(OWNER), logs(MEMBER), logs(OTHER)];
    bucket.Statement.push({ Sid: 'Block', Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: logs(OTHER) });
    const key = consoleKeyPolicy();
    statement(key, 'Allow CloudTrail to encrypt logs').Condition!.StringLike!['kms:EncryptionContext:aws:cloudtrail:arn'] = [pattern(OWNER), pattern(OTHER)];
    const report = buildStatusReport(targets(), { bucketPolicy: bucket, keyPolicy: key, bucketRegion: 'eu-west-1' });
    expect(report.drift).toBe(true);
    expect(report.problems).toEqual([expect.stringContaining('is in eu-west-1 but the key is in us-east-1')]);
    expect(report.accounts.find((a) => a.accountId === MEMBER)!.problems).toEqual(['half-enrolled: in the bucket policy but not in the key policy']);
    expect(report.accounts.find((a) => a.accountId === OTHER)!.problems).toEqual([`bucket policy: statement "Block" denies ${logs(OTHER)}`]);
  });

  it('reports a missing bucket policy as estate drift', () => {
    const report = buildStatusReport(targets(), { keyPolicy: consoleKeyPolicy(), bucketRegion: 'us-east-1' });
    expect(report.problems).toEqual(['the bucket my-trail-bucket has no bucket policy']);
    expect(report.accounts[0]!.problems).toEqual(['half-enrolled: in the key policy but not in the bucket policy']);
  });
});
