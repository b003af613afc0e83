import { KeyRef } from '../core/arns';
import { BucketEntry, Holder, Holding, KeyEntry, LedgerSnapshot, LedgerState } from '../ledger/model';

/** The AWS calls the lifecycle needs; policies travel as the raw text AWS returned, so a rollback restores it exactly. */
export interface PolicyStore {
  /** undefined when the bucket has no policy yet (a normal state). */
  getBucketPolicy(bucketName: string, signal: AbortSignal): Promise<string | undefined>;
  putBucketPolicy(bucketName: string, policy: string, signal: AbortSignal): Promise<void>;
  deleteBucketPolicy(bucketName: string, signal: AbortSignal): Promise<void>;
  getBucketRegion(bucketName: string, signal: AbortSignal): Promise<string>;
  getKeyPolicy(key: KeyRef, signal: AbortSignal): Promise<string>;
  putKeyPolicy(key: KeyRef, policy: string, signal: AbortSignal): Promise<void>;
}

export interface OrganizationMembership {
  /** undefined when the account is not in the caller's organization. */
  describeAccount(accountId: string, signal: AbortSignal): Promise<{ status: string; arn: string } | undefined>;
}

/** The enrollment ledger's calls (SPEC R26, R30); every read is strongly consistent. */
export interface LedgerStore {
  readState(signal: AbortSignal): Promise<LedgerState>;
  /** Counts one more registered change and returns its generation. */
  bumpGeneration(signal: AbortSignal): Promise<number>;
  /** Takes the lease when it is free, expired or already the owner's; the state as it stands under it, or undefined. */
  tryAcquireLease(owner: string, expiresAt: number, now: number, signal: AbortSignal): Promise<LedgerState | undefined>;
  /** Gives the lease back, recording what the projection achieved; false when the lease was no longer ours. */
  releaseLease(owner: string, outcome: LeaseOutcome, signal: AbortSignal): Promise<boolean>;
  readSnapshot(signal: AbortSignal): Promise<LedgerSnapshot>;
  getHolding(holding: Holding, signal: AbortSignal): Promise<Holding | undefined>;
  /** Writes the holding and returns the one it replaced. */
  putHolding(holding: Holding, signal: AbortSignal): Promise<Holding | undefined>;
  /** Deletes the holding and returns it, or undefined when the ledger did not know it. */
  deleteHolding(holding: Holding, signal: AbortSignal): Promise<Holding | undefined>;
  holdingsOf(holder: Holder, signal: AbortSignal): Promise<Holding[]>;
  rejectHolding(holding: Holding, reason: string, generation: number, signal: AbortSignal): Promise<void>;
  putBucketEntry(entry: BucketEntry, signal: AbortSignal): Promise<void>;
  putKeyEntry(entry: KeyEntry, signal: AbortSignal): Promise<void>;
  deleteBucketEntry(entry: BucketEntry, signal: AbortSignal): Promise<void>;
  deleteKeyEntry(entry: KeyEntry, signal: AbortSignal): Promise<void>;
}

export type LeaseOutcome = { applied: number } | { failedThrough: number; failure: string };
