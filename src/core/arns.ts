import { fail } from './errors';

export const PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov'] as const;
export type Partition = (typeof PARTITIONS)[number];

export interface KeyRef {
  arn: string;
  partition: Partition;
  region: string;
  ownerAccountId: string;
  keyId: string;
}

const ACCOUNT_ID = /^[0-9]{12}$/;
const KEY_ARN = /^arn:(aws|aws-cn|aws-us-gov):kms:([a-z]{2}(?:-[a-z]+)+-[0-9]+):([0-9]{12}):key\/((?:mrk-)?[0-9a-fA-F-]{1,64})$/;
const TRAIL_ARN = /^arn:(aws|aws-cn|aws-us-gov):cloudtrail:([a-z]{2}(?:-[a-z]+)+-[0-9]+):([0-9]{12}):trail\/([A-Za-z0-9._-]{3,128})$/;
const STACK_ARN = /^arn:[a-z-]+:cloudformation:[a-z0-9-]+:([0-9]{12}):stack\//;

export function isAccountId(value: string): boolean {
  return ACCOUNT_ID.test(value);
}

export function parseKeyArn(value: string, source: string): KeyRef {
  if (/^arn:[^:]*:kms:[^:]*:[^:]*:alias\//.test(value)) {
    fail(`${source} '${value}' is an alias ARN; give the full key ARN (arn:aws:kms:<region>:<account>:key/<key-id>) because key policies belong to keys, not aliases.`);
  }
  const match = KEY_ARN.exec(value);
  if (!match) {
    fail(`${source} '${value}' is not a KMS key ARN; give the full key ARN in the form arn:aws:kms:<region>:<account>:key/<key-id>.`);
  }
  return {
    arn: value,
    partition: match[1] as Partition,
    region: match[2]!,
    ownerAccountId: match[3]!,
    keyId: match[4]!,
  };
}

export interface TrailRef {
  partition: Partition;
  region: string;
  accountId: string;
  name: string;
}

export function parseTrailArn(value: string): TrailRef | undefined {
  const match = TRAIL_ARN.exec(value);
  if (!match) return undefined;
  return { partition: match[1] as Partition, region: match[2]!, accountId: match[3]!, name: match[4]! };
}

export function accountOfStackId(stackId: string | undefined): string | undefined {
  if (!stackId) return undefined;
  return STACK_ARN.exec(stackId)?.[1];
}

/** The trail ARN pattern the key policy lists for an account (SPEC R13: the key's partition). */
export function trailArnPattern(partition: Partition, accountId: string): string {
  return `arn:${partition}:cloudtrail:*:${accountId}:trail/*`;
}

export function bucketArn(partition: Partition, bucketName: string): string {
  return `arn:${partition}:s3:::${bucketName}`;
}

/** The object ARN CloudTrail writes an account's logs under: <bucket>/[<prefix>/]AWSLogs/<account>/*. */
export function bucketLogsResource(partition: Partition, bucketName: string, logFilePrefix: string, accountId: string): string {
  const prefix = logFilePrefix ? `${logFilePrefix}/` : '';
  return `${bucketArn(partition, bucketName)}/${prefix}AWSLogs/${accountId}/*`;
}
