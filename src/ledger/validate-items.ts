import { isAccountId, parseKeyArn, parseStackId, parseTrailArn } from '../core/arns';
import { OperatorError } from '../core/errors';
import { isBucketName, validateLogFilePrefix } from '../config/validate';
import { BucketEntry, bucketEntryKey, Holding, holdingKey, KeyEntry, keyEntryKey, Origin } from './model';

/**
 * Ledger items are input (SPEC R39): whoever can write the table can write both policies, so every item read is
 * checked with the validators that request properties pass, and against its own sort key. An item that fails is
 * skipped (and logged by the caller), never projected. Pure: records are the items' attributes as plain values.
 */
export type ItemRecord = Record<string, string | number | string[] | undefined>;

export type Checked<T> = { ok: T } | { invalid: string };

const LOGICAL_ID = /^[A-Za-z0-9]{1,255}$/;

function text(record: ItemRecord, name: string): string | undefined {
  const value = record[name];
  return typeof value === 'string' ? value : undefined;
}

function problemOf(check: () => void): string | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    if (error instanceof OperatorError) return error.message;
    throw error;
  }
}

/** The first thing wrong with the common fields, or undefined. */
function targetProblem(accountId: string | undefined, bucketName: string | undefined, logFilePrefix: string | undefined, keyArn: string | undefined): string | undefined {
  if (accountId === undefined || !isAccountId(accountId)) return `accountId ${JSON.stringify(accountId ?? null)} is not a 12-digit account ID`;
  if (bucketName !== undefined && !isBucketName(bucketName)) return `bucketName ${JSON.stringify(bucketName)} is not a bucket name`;
  if (logFilePrefix !== undefined && logFilePrefix !== '') {
    const problem = problemOf(() => validateLogFilePrefix(logFilePrefix, 'logFilePrefix'));
    if (problem) return problem;
  }
  if (keyArn !== undefined) return problemOf(() => parseKeyArn(keyArn, 'keyArn'));
  return undefined;
}

function describe(sk: string, problem: string): { invalid: string } {
  return { invalid: `ledger item ${JSON.stringify(sk.slice(0, 200))}: ${problem}` };
}

function origin(record: ItemRecord): Origin | undefined {
  const value = text(record, 'origin');
  return value === 'adopted' || value === 'written' ? value : undefined;
}

function generation(record: ItemRecord, name: string): number | undefined {
  const value = record[name];
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

export function checkHolding(sk: string, record: ItemRecord): Checked<Holding> {
  const [stackId, logicalResourceId, accountId, bucketName, keyArn] = ['stackId', 'logicalResourceId', 'accountId', 'bucketName', 'keyArn'].map((n) => text(record, n));
  const logFilePrefix = text(record, 'logFilePrefix') ?? '';
  const problem = targetProblem(accountId, bucketName ?? '', logFilePrefix, keyArn ?? '');
  if (problem) return describe(sk, problem);
  if (!parseStackId(stackId)) return describe(sk, `stackId ${JSON.stringify(stackId ?? null)} is not a CloudFormation stack ARN`);
  if (!logicalResourceId || !LOGICAL_ID.test(logicalResourceId)) return describe(sk, `logicalResourceId ${JSON.stringify(logicalResourceId ?? null)} is not a logical resource ID`);
  const partition = parseKeyArn(keyArn!, 'keyArn').partition;
  const trailProblem = (arn: string) => {
    const trail = parseTrailArn(arn);
    return !trail || trail.accountId !== accountId || trail.partition !== partition ? `trail ARN ${JSON.stringify(arn)} is not a trail of account ${accountId} in partition ${partition}` : undefined;
  };
  const trailArn = text(record, 'trailArn');
  const retired = record.retiredTrailArns;
  const retiredTrailArns = Array.isArray(retired) ? retired : [];
  for (const arn of [...(trailArn ? [trailArn] : []), ...retiredTrailArns]) {
    const bad = trailProblem(arn);
    if (bad) return describe(sk, bad);
  }
  const holding: Holding = {
    stackId: stackId!,
    logicalResourceId,
    accountId: accountId!,
    bucketName: bucketName!,
    logFilePrefix,
    keyArn: keyArn!,
    ...(trailArn ? { trailArn } : {}),
    ...(retiredTrailArns.length > 0 ? { retiredTrailArns } : {}),
    ...(text(record, 'rejected') ? { rejected: text(record, 'rejected') } : {}),
    ...(generation(record, 'rejectedIn') !== undefined ? { rejectedIn: generation(record, 'rejectedIn') } : {}),
  };
  if (holdingKey(holding) !== sk) return describe(sk, 'its fields do not match its sort key');
  return { ok: holding };
}

export function checkBucketEntry(sk: string, record: ItemRecord): Checked<BucketEntry> {
  const [accountId, bucketName, keyArn] = ['accountId', 'bucketName', 'keyArn'].map((n) => text(record, n));
  const logFilePrefix = text(record, 'logFilePrefix') ?? '';
  const problem = targetProblem(accountId, bucketName ?? '', logFilePrefix, keyArn ?? '');
  if (problem) return describe(sk, problem);
  const kind = origin(record);
  if (!kind) return describe(sk, `origin ${JSON.stringify(record.origin ?? null)} is neither adopted nor written`);
  const recordedIn = generation(record, 'recordedIn');
  const entry: BucketEntry = { accountId: accountId!, bucketName: bucketName!, logFilePrefix, keyArn: keyArn!, origin: kind, ...(recordedIn !== undefined ? { recordedIn } : {}) };
  if (bucketEntryKey(entry) !== sk) return describe(sk, 'its fields do not match its sort key');
  return { ok: entry };
}

export function checkKeyEntry(sk: string, record: ItemRecord): Checked<KeyEntry> {
  const [accountId, bucketName, keyArn] = ['accountId', 'bucketName', 'keyArn'].map((n) => text(record, n));
  const problem = targetProblem(accountId, bucketName ?? '', undefined, keyArn ?? '');
  if (problem) return describe(sk, problem);
  const kind = origin(record);
  if (!kind) return describe(sk, `origin ${JSON.stringify(record.origin ?? null)} is neither adopted nor written`);
  const recordedIn = generation(record, 'recordedIn');
  const entry: KeyEntry = { accountId: accountId!, keyArn: keyArn!, bucketName: bucketName!, origin: kind, ...(recordedIn !== undefined ? { recordedIn } : {}) };
  if (keyEntryKey(entry) !== sk) return describe(sk, 'its fields do not match its sort key');
  return { ok: entry };
}
