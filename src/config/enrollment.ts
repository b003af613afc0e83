import { accountOfStackId, isAccountId, KeyRef, parseKeyArn, parseTrailArn } from '../core/arns';
import { fail } from '../core/errors';
import { Settings } from './settings';
import { validateBucketName, validateLogFilePrefix } from './validate';

/** One member account in one bucket/prefix and one key: what a resource enrolls and its id encodes. */
export interface Enrollment {
  accountId: string;
  bucketName: string;
  logFilePrefix: string;
  key: KeyRef;
  trailArn?: string;
}

type Properties = Record<string, unknown> | undefined;

function quoted(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

function property(properties: Properties, name: string): string | undefined {
  const value = properties?.[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') fail(`The property ${name} must be a string, but it is ${Array.isArray(value) ? 'a list' : typeof value}; pass a single value.`);
  return value;
}

export function stackAccountId(stackId: string | undefined): string {
  const account = accountOfStackId(stackId);
  if (!account) fail(`The request's StackId ${quoted(String(stackId))} is not a CloudFormation stack ARN; send the request from a CloudFormation stack.`);
  return account;
}

function pinned<T>(name: string, envName: string, fromProperty: T | undefined, fromEnv: T | undefined, same: (a: T, b: T) => boolean, show: (v: T) => string): T | undefined {
  if (fromProperty !== undefined && fromEnv !== undefined && !same(fromProperty, fromEnv)) {
    fail(`The property ${name} is ${quoted(show(fromProperty))} but this function is pinned to ${quoted(show(fromEnv))} by ${envName}; remove ${name} from the resource or set it to the pinned value.`);
  }
  return fromProperty ?? fromEnv;
}

/** Resource properties plus function settings into one validated enrollment (SPEC R1, R2). Throws OperatorError. */
export function resolveEnrollment(properties: Properties, stackAccount: string, settings: Settings): Enrollment {
  const rawAccount = property(properties, 'AccountId');
  if (rawAccount !== undefined && !isAccountId(rawAccount)) {
    fail(`The property AccountId ${quoted(rawAccount)} is not a 12-digit AWS account ID; set it to exactly 12 digits with no spaces or wildcards, or leave it empty to use the stack's account.`);
  }
  const accountId = rawAccount ?? stackAccount;

  const rawBucket = property(properties, 'BucketName');
  const bucketName = pinned('BucketName', 'TRAIL_BUCKET_NAME', rawBucket === undefined ? undefined : validateBucketName(rawBucket, 'The property BucketName'), settings.pinnedBucketName, (a, b) => a === b, (v) => v);
  if (!bucketName) fail('The property BucketName is required because this function does not pin TRAIL_BUCKET_NAME; set BucketName to the trail bucket.');

  const rawKey = property(properties, 'KeyArn');
  const key = pinned('KeyArn', 'TRAIL_KEY_ARN', rawKey === undefined ? undefined : parseKeyArn(rawKey, 'The property KeyArn'), settings.pinnedKey, (a, b) => a.arn === b.arn, (v) => v.arn);
  if (!key) fail('The property KeyArn is required because this function does not pin TRAIL_KEY_ARN; set KeyArn to the full ARN of the trail key.');

  const rawPrefix = property(properties, 'LogFilePrefix');
  const logFilePrefix = pinned('LogFilePrefix', 'TRAIL_LOG_FILE_PREFIX', rawPrefix === undefined ? undefined : validateLogFilePrefix(rawPrefix, 'The property LogFilePrefix'), settings.pinnedLogFilePrefix, (a, b) => a === b, (v) => v) ?? '';

  const rawTrail = property(properties, 'TrailArn');
  if (rawTrail !== undefined) {
    const trail = parseTrailArn(rawTrail);
    if (!trail || trail.accountId !== accountId || trail.partition !== key.partition) {
      fail(`The property TrailArn ${quoted(rawTrail)} is not a CloudTrail trail ARN in account ${accountId} and partition ${key.partition}; give the member trail's ARN (arn:${key.partition}:cloudtrail:<region>:${accountId}:trail/<name>, a name of 3-128 letters, digits, '.', '_' or '-' that starts and ends with a letter or digit) or leave it empty.`);
    }
  }
  return { accountId, bucketName, logFilePrefix, key, ...(rawTrail ? { trailArn: rawTrail } : {}) };
}

/** SPEC R24: a stack manages only its own account, unless it runs in the key owner's account or an admin account. */
export function stackMayManage(accountId: string, stackAccount: string, keyOwnerAccountId: string, settings: Settings): boolean {
  return accountId === stackAccount || stackAccount === keyOwnerAccountId || settings.adminAccountIds.has(stackAccount);
}

export function foreignAccountMessage(accountId: string, stackAccount: string): string {
  return `This stack runs in account ${stackAccount} and may enroll only that account, not ${accountId}; remove AccountId or deploy the resource in ${accountId} (or list ${stackAccount} in ADMIN_ACCOUNT_IDS).`;
}

/** The owner (the key's account) and PROTECTED_ACCOUNT_IDS are never removed (SPEC R2, R17). */
export function isProtected(accountId: string, key: KeyRef, settings: Settings): boolean {
  return accountId === key.ownerAccountId || settings.protectedAccountIds.has(accountId);
}
