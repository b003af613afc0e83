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
  /** The generation of the projection that recorded it (before its first write); absent on older items. */
  recordedIn?: number;
}

export interface KeyEntry {
  accountId: string;
  keyArn: string;
  /** The bucket of the holding that created it (pairing, as above). */
  bucketName: string;
  origin: Origin;
  recordedIn?: number;
}

export interface LedgerSnapshot {
  holdings: Holding[];
  bucketEntries: BucketEntry[];
  keyEntries: KeyEntry[];
  /** Items that failed validation (SPEC R39): skipped, never projected; each described in one line. */
  invalid?: string[];
}

/** A failed projection of one pair (SPEC R39: one pair's failure fails only the requests of that pair). */
export interface PairFailure {
  through: number;
  reason: string;
}

/** The lease and the generation counters, one item (SPEC R30). */
export interface LedgerState {
  /** How many changes have been registered. */
  generation: number;
  /** Every change up to this generation has been projected. */
  applied: number;
  /** The last projection that failed as a whole covered changes up to this generation, for this reason. */
  failedThrough: number;
  failure?: string;
  /** Failed projections of single pairs, by pairId. */
  pairFailures: Record<string, PairFailure>;
  /** Accounts with registered changes not yet projected, one token per change: `<account>#<change>`. */
  pending: string[];
  leaseOwner?: string;
  /** Epoch milliseconds when the lease lapses unless its holder renews it. */
  leaseExpiresAt?: number;
  /** What the last reconcile reported, so it says a thing once per change (a digest). */
  reported?: string;
  /** Counters that were not numbers when read (SPEC R39: ledger items are input); repaired by the next change. */
  malformed?: string[];
}

function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 32);
}

/**
 * Sort keys. Every item of an account starts with the account, so one Query (begins_with) reads what a projection
 * of that account needs; a digest stands in where a StackId and a long prefix could pass 1 KB.
 */
export function accountItemsPrefix(accountId: string): string {
  return `${accountId}|`;
}

export function holdingKey(h: Holder & { accountId: string; bucketName: string; logFilePrefix: string; keyArn: string }): string {
  return `${h.accountId}|holding|${digest(h.stackId, h.logicalResourceId, h.bucketName, h.logFilePrefix, h.keyArn)}`;
}

export function bucketEntryKey(e: { accountId: string; bucketName: string; logFilePrefix: string }): string {
  return `${e.accountId}|bucket|${e.bucketName}|${digest(e.logFilePrefix)}`;
}

export function keyEntryKey(e: { accountId: string; keyArn: string }): string {
  return `${e.accountId}|key|${e.keyArn}`;
}

/** The key of a holder's own record: the holdings it has, and the one it stands on now (SPEC R39). */
export function holderKey(h: Holder): string {
  return digest(h.stackId, h.logicalResourceId);
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

export function pairId(pair: PolicyPair): string {
  return digest(pair.bucketName, pair.keyArn).slice(0, 16);
}

export function pairsOf(snapshot: LedgerSnapshot): PolicyPair[] {
  const pairs = new Map<string, PolicyPair>();
  const add = (bucketName: string, keyArn: string) => pairs.set(`${bucketName}\n${keyArn}`, { bucketName, keyArn });
  for (const h of snapshot.holdings) add(h.bucketName, h.keyArn);
  for (const e of snapshot.bucketEntries) add(e.bucketName, e.keyArn);
  for (const e of snapshot.keyEntries) add(e.bucketName, e.keyArn);
  return [...pairs.values()];
}

/** The accounts a pending-change token names. */
export function accountsOfPending(tokens: readonly string[]): string[] {
  return [...new Set(tokens.map((t) => t.split('#')[0]!))].sort();
}
