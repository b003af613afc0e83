import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BucketTarget } from '../../src/core/bucket-policy';
import { KeyTarget } from '../../src/core/key-policy';
import { PolicyDocument, Statement } from '../../src/core/policy-document';
import { MemberTrail } from '../../src/core/source-conditions';

export const OWNER = '111111111111';
export const MEMBER = '222222222222';
export const OTHER = '333333333333';
export const KEY_ARN = 'arn:aws:kms:us-east-1:111111111111:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';

export function fixture(name: string): PolicyDocument {
  return JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', name), 'utf8')) as PolicyDocument;
}

export const seedBucketPolicy = () => fixture('seed-bucket-policy.json');
export const consoleKeyPolicy = () => fixture('cloudtrail-console-key-policy.json');

export function bucketTarget(overrides: Partial<BucketTarget> = {}): BucketTarget {
  return { partition: 'aws', bucketName: 'my-trail-bucket', logFilePrefix: '', sid: 'AWSCloudTrailWrite20131101', ...overrides };
}

export function keyTarget(overrides: Partial<KeyTarget> = {}): KeyTarget {
  return { keyArn: KEY_ARN, sid: 'Allow CloudTrail to encrypt logs', ...overrides };
}

export function member(accountId = MEMBER, overrides: Partial<MemberTrail> = {}): MemberTrail {
  return { partition: 'aws', accountId, ...overrides };
}

export function statement(document: PolicyDocument | undefined, sid: string): Statement {
  const found = document?.Statement.find((s) => s.Sid === sid);
  if (!found) throw new Error(`no statement ${sid}`);
  return found;
}

/** Every statement but the named one, for "everything else is preserved" assertions. */
export function others(document: PolicyDocument | undefined, sid: string): Statement[] {
  return (document?.Statement ?? []).filter((s) => s.Sid !== sid);
}
