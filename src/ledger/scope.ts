import { BucketEntry, Holding, KeyEntry, LedgerSnapshot, PolicyPair, pairsOf } from './model';

/**
 * Which part of the ledger the function may project (SPEC R39 "Pins"): only the targets it is pinned to. After
 * the owner stack changes its bucket, key or prefix, holdings of the old targets stay in the ledger until their
 * stacks move; they are reported, never projected, and their entries stay as found in any policy the targets
 * share (the old stacks' trails still deliver there). Pure.
 */
export interface Pins {
  bucketName?: string;
  keyArn?: string;
  logFilePrefix?: string;
}

/** The ledger split by what the function may write. */
export interface ScopedLedger {
  /** Holdings and entries of the pinned targets: projected. */
  inScope: LedgerSnapshot;
  /**
   * Holdings of other targets. They are never added, but an entry they share with a writable policy (the same
   * bucket and prefix, or the same key) is never removed while they exist.
   */
  keepers: Holding[];
  /** What is left out, for reports. */
  others: { holdings: Holding[]; bucketEntries: BucketEntry[]; keyEntries: KeyEntry[] };
}

export function holdingInScope(h: Pick<Holding, 'bucketName' | 'keyArn' | 'logFilePrefix'>, pins: Pins): boolean {
  return (pins.bucketName === undefined || h.bucketName === pins.bucketName) && (pins.keyArn === undefined || h.keyArn === pins.keyArn) && (pins.logFilePrefix === undefined || h.logFilePrefix === pins.logFilePrefix);
}

function bucketEntryInScope(e: BucketEntry, pins: Pins): boolean {
  return (pins.bucketName === undefined || e.bucketName === pins.bucketName) && (pins.logFilePrefix === undefined || e.logFilePrefix === pins.logFilePrefix);
}

function keyEntryInScope(e: KeyEntry, pins: Pins): boolean {
  return pins.keyArn === undefined || e.keyArn === pins.keyArn;
}

export function scopeLedger(snapshot: LedgerSnapshot, pins: Pins): ScopedLedger {
  const split = <T>(items: T[], inScope: (item: T) => boolean): [T[], T[]] => [items.filter(inScope), items.filter((i) => !inScope(i))];
  const [holdings, keepers] = split(snapshot.holdings, (h) => holdingInScope(h, pins));
  const [bucketEntries, otherBucketEntries] = split(snapshot.bucketEntries, (e) => bucketEntryInScope(e, pins));
  const [keyEntries, otherKeyEntries] = split(snapshot.keyEntries, (e) => keyEntryInScope(e, pins));
  return {
    inScope: { holdings, bucketEntries, keyEntries },
    keepers,
    others: { holdings: keepers, bucketEntries: otherBucketEntries, keyEntries: otherKeyEntries },
  };
}

/** The pairs to project: the pinned pair when bucket and key are pinned, else those the ledger's writable part names. */
export function writablePairs(scoped: ScopedLedger, pins: Pins): PolicyPair[] {
  if (pins.bucketName !== undefined && pins.keyArn !== undefined) {
    const { inScope } = scoped;
    const empty = inScope.holdings.length + inScope.bucketEntries.length + inScope.keyEntries.length === 0;
    return empty && scoped.keepers.length === 0 ? [] : [{ bucketName: pins.bucketName, keyArn: pins.keyArn }];
  }
  return pairsOf(scoped.inScope);
}
