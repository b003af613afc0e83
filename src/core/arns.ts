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
/** A region's shape: us-east-1, ap-southeast-2, us-gov-west-1, cn-north-1 (SPEC R15: every ARN part by its shape). */
const REGION = '[a-z]{2}(?:-gov)?-(?:north|south|east|west|central|northeast|northwest|southeast|southwest)-[0-9]{1,2}';
/** A KMS key id: a UUID, or mrk- and 32 hex digits for a multi-Region key. */
const KEY_ID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-fA-F]{32}';
/** A trail name: 3-128 letters, digits, '.', '_' or '-', starting and ending with a letter or digit. */
const TRAIL_NAME = '[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]';
const KEY_ARN = new RegExp(`^arn:(aws|aws-cn|aws-us-gov):kms:(${REGION}):([0-9]{12}):key/(${KEY_ID})$`);
const TRAIL_ARN = new RegExp(`^arn:(aws|aws-cn|aws-us-gov):cloudtrail:(${REGION}):([0-9]{12}):trail/(${TRAIL_NAME})$`);
const REGION_ONLY = new RegExp(`^${REGION}$`);

/** The partition a region belongs to: cn-* is aws-cn, *-gov-* is aws-us-gov, the rest aws. */
export function partitionOfRegion(region: string): Partition {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.includes('-gov-')) return 'aws-us-gov';
  return 'aws';
}

export function isRegion(value: string): boolean {
  return REGION_ONLY.test(value);
}
const STACK_ARN = /^arn:[a-z-]+:cloudformation:[a-z0-9-]+:([0-9]{12}):stack\//;

/** A value for a message: long values are cut, so a sentence never carries kilobytes of input. */
export function shown(value: string, max = 120): string {
  return value.length > max ? `${value.slice(0, max)}… (${value.length} characters)` : value;
}

export function isAccountId(value: string): boolean {
  return ACCOUNT_ID.test(value);
}

export function parseKeyArn(value: string, source: string): KeyRef {
  if (/^arn:[^:]*:kms:[^:]*:[^:]*:alias\//.test(value)) {
    fail(`${source} '${shown(value)}' is an alias ARN; give the full key ARN (arn:aws:kms:<region>:<account>:key/<key-id>) because key policies belong to keys, not aliases.`);
  }
  const match = KEY_ARN.exec(value);
  if (!match || partitionOfRegion(match[2]!) !== match[1]) {
    fail(`${source} '${shown(value)}' is not a KMS key ARN; give the full key ARN in the form arn:aws:kms:<region>:<account>:key/<key-id>, with a region such as us-east-1 in the ARN's partition and a key id that is a UUID or mrk- and 32 hex digits.`);
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
  if (!match || partitionOfRegion(match[2]!) !== match[1]) return undefined;
  return { partition: match[1] as Partition, region: match[2]!, accountId: match[3]!, name: match[4]! };
}

export function accountOfStackId(stackId: string | undefined): string | undefined {
  if (!stackId) return undefined;
  return STACK_ARN.exec(stackId)?.[1];
}

/** The region a stack runs in, from its StackId (a member's trail has its home region there, SPEC R35). */
export function regionOfStackId(stackId: string | undefined): string | undefined {
  const region = /^arn:[a-z-]+:cloudformation:([a-z0-9-]+):[0-9]{12}:stack\//.exec(stackId ?? '')?.[1];
  return region !== undefined && isRegion(region) ? region : undefined;
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
