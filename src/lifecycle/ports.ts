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

/** What a request answered, kept so that a duplicate or a retry gets the same answer (SPEC R39). */
export interface RecordedAnswer {
  status: 'SUCCESS' | 'FAILED';
  physicalResourceId: string;
  reason?: string;
  data?: Record<string, string>;
}

/** A holder's own record: the holdings it has, and the one its current PhysicalResourceId names. */
export interface HolderRecord {
  holdings: Holding[];
  /** holdingKey of the holding the holder's last successful Create or Update answered. */
  current?: string;
}

/** The enrollment ledger's calls (SPEC R26, R30, R39); every read is strongly consistent. */
export interface LedgerStore {
  readState(signal: AbortSignal): Promise<LedgerState>;
  /** Registers one change of these accounts (one more generation, a pending token per account); returns its generation. */
  registerChange(accounts: readonly string[], signal: AbortSignal): Promise<number>;
  /** Takes the lease when it is free, lapsed (or implausibly far ahead) or already the owner's; the state under it, or undefined. */
  tryAcquireLease(owner: string, expiresAt: number, now: number, signal: AbortSignal): Promise<LedgerState | undefined>;
  /** Moves the lease's expiry while it is still the owner's; false when it is not. */
  renewLease(owner: string, expiresAt: number, signal: AbortSignal): Promise<boolean>;
  /** Gives the lease back, recording what the projection achieved; false when the lease was no longer ours. */
  releaseLease(owner: string, release: LeaseRelease, signal: AbortSignal): Promise<boolean>;
  /** The whole ledger (reconcile, status). */
  readSnapshot(signal: AbortSignal): Promise<LedgerSnapshot>;
  /** The items of these accounts only (a request's projection, SPEC R39). */
  readAccounts(accounts: readonly string[], signal: AbortSignal): Promise<LedgerSnapshot>;
  getHolding(holding: Holding, signal: AbortSignal): Promise<Holding | undefined>;
  /** Writes the holding (and indexes it under its holder) and returns the one it replaced. */
  putHolding(holding: Holding, signal: AbortSignal): Promise<Holding | undefined>;
  /** Deletes the holding and returns it, or undefined when the ledger did not know it. */
  deleteHolding(holding: Holding, signal: AbortSignal): Promise<Holding | undefined>;
  holderRecord(holder: Holder, signal: AbortSignal): Promise<HolderRecord>;
  /** Marks the holding the holder's current one (its last successful answer named it). */
  setCurrentHolding(holding: Holding, signal: AbortSignal): Promise<void>;
  rejectHolding(holding: Holding, reason: string, generation: number, signal: AbortSignal): Promise<void>;
  putBucketEntry(entry: BucketEntry, signal: AbortSignal): Promise<void>;
  putKeyEntry(entry: KeyEntry, signal: AbortSignal): Promise<void>;
  deleteBucketEntry(entry: BucketEntry, signal: AbortSignal): Promise<void>;
  deleteKeyEntry(entry: KeyEntry, signal: AbortSignal): Promise<void>;
  recallAnswer(requestKey: string, signal: AbortSignal): Promise<RecordedAnswer | undefined>;
  /** Keeps the answer until expiresAt (epoch milliseconds). */
  recordAnswer(requestKey: string, answer: RecordedAnswer, expiresAt: number, signal: AbortSignal): Promise<void>;
}

/** What the lease holder records when it gives the lease back. */
export interface LeaseRelease {
  /** The generation the projection covered (registered before the lease was taken). */
  generation: number;
  /** Set when the projection failed as a whole; otherwise every change up to `generation` counts as projected. */
  failure?: string;
  /** Pairs whose projection failed, by pairId, with the reason (the others were projected). */
  pairFailures?: Record<string, string>;
  /** Pending-change tokens that this projection completed. */
  completed?: readonly string[];
  /** A digest of what reconcile reported, so a report is logged once per change. */
  reported?: string;
}
