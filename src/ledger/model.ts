import { createHash } from 'node:crypto';
import { Enrollment } from '../config/enrollment';

/**
 * The enrollment ledger (SPEC R26): who holds each policy entry. The policies are its projection.
 *
 * A *holding* is one resource (StackId + LogicalResourceId) holding one enrollment (account, bucket, prefix, key).
 * A *bucket entry* (account, bucket, prefix) and a *key entry* (account, key) are recorded once the function
 * knows them, with their origin: `adopted` when the policy already listed them before their first holder came,
 * `written` when the function added them. An entry is in the policy while a holding needs it; when none does,
 * a `written` entry is removed and an `adopted` one is left alone (SPEC R17, R28).
 */
export type Origin = 'adopted' | 'written';

export interface Holder {
  stackId: string;
  logicalResourceId: string;
}

export interface Holding extends Holder {
  accountId: string;
  bucketName: string;
  logFilePrefix: string;
  keyArn: string;
  trailArn?: string;
  /** Trail ARNs this holding listed before an Update replaced them (SPEC R16); removed unless another holding uses them. */
  retiredTrailArns?: string[];
  /** Why the last projection could not apply this holding, and the generation of that projection. */
  rejected?: string;
  rejectedIn?: number;
}

export interface BucketEntry {
  accountId: string;
  bucketName: string;
  logFilePrefix: string;
  /** The key of the holding that created it: pairs the bucket with a key policy when the entry is released. */
  keyArn: string;
  origin: Origin;
}

export interface KeyEntry {
  accountId: string;
  keyArn: string;
  /** The bucket of the holding that created it (pairing, as above). */
  bucketName: string;
  origin: Origin;
}

export interface LedgerSnapshot {
  holdings: Holding[];
  bucketEntries: BucketEntry[];
  keyEntries: KeyEntry[];
}

/** The lease and the generation counters, one item (SPEC R30). */
export interface LedgerState {
  /** How many changes have been registered. */
  generation: number;
  /** Every change up to this generation is in both policies. */
  applied: number;
  /** The last failed projection covered changes up to this generation, for this reason. */
  failedThrough: number;
  failure?: string;
  leaseOwner?: string;
  /** Epoch milliseconds: the lease holder's own deadline. */
  leaseExpiresAt?: number;
}

function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 32);
}

/** Sort keys: readable where the values are short, a digest where a StackId and a long prefix could pass 1 KB. */
export function holdingKey(h: Holder & { accountId: string; bucketName: string; logFilePrefix: string; keyArn: string }): string {
  return `holding|${h.accountId}|${digest(h.stackId, h.logicalResourceId, h.bucketName, h.logFilePrefix, h.keyArn)}`;
}

export function bucketEntryKey(e: { accountId: string; bucketName: string; logFilePrefix: string }): string {
  return `bucket|${e.bucketName}|${e.accountId}|${digest(e.logFilePrefix)}`;
}

export function keyEntryKey(e: { accountId: string; keyArn: string }): string {
  return `key|${e.keyArn}|${e.accountId}`;
}

export function holdingOf(enrollment: Enrollment, holder: Holder): Holding {
  return {
    stackId: holder.stackId,
    logicalResourceId: holder.logicalResourceId,
    accountId: enrollment.accountId,
    bucketName: enrollment.bucketName,
    logFilePrefix: enrollment.logFilePrefix,
    keyArn: enrollment.key.arn,
    ...(enrollment.trailArn ? { trailArn: enrollment.trailArn } : {}),
  };
}

export function sameHolder(a: Holder, b: Holder): boolean {
  return a.stackId === b.stackId && a.logicalResourceId === b.logicalResourceId;
}

/** The (bucket, key) pairs whose policies the ledger projects onto. */
export interface PolicyPair {
  bucketName: string;
  keyArn: string;
}

export function pairsOf(snapshot: LedgerSnapshot): PolicyPair[] {
  const pairs = new Map<string, PolicyPair>();
  const add = (bucketName: string, keyArn: string) => pairs.set(`${bucketName}\n${keyArn}`, { bucketName, keyArn });
  for (const h of snapshot.holdings) add(h.bucketName, h.keyArn);
  for (const e of snapshot.bucketEntries) add(e.bucketName, e.keyArn);
  for (const e of snapshot.keyEntries) add(e.bucketName, e.keyArn);
  return [...pairs.values()];
}
