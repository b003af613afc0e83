import { bucketLogsResource, parseKeyArn, Partition, trailArnPattern } from '../core/arns';
import { bucketEnrollmentGaps, BucketTarget, enrollInBucketPolicy, managedBucketResources, removeFromBucketPolicy, retireTrailArnInBucketPolicy } from '../core/bucket-policy';
import { OperatorError } from '../core/errors';
import { enrollInKeyPolicy, keyEnrollmentGaps, KeyTarget, managedKeyPatterns, removeFromKeyPolicy, retireTrailArnInKeyPolicy } from '../core/key-policy';
import { PolicyDocument } from '../core/policy-document';
import { assertBucketPolicyFits, assertKeyPolicyFits } from '../core/size-limits';
import { MemberTrail } from '../core/source-conditions';
import { BucketEntry, bucketEntryKey, Holding, KeyEntry, keyEntryKey, LedgerSnapshot, PolicyPair } from './model';

/** What the projection needs from the function's settings. */
export interface ProjectionSettings {
  bucketPolicySid: string;
  keyPolicySid: string;
  /** Never removed (SPEC R2, R17): the key owner and PROTECTED_ACCOUNT_IDS. */
  isProtected(accountId: string, keyArn: string): boolean;
}

export interface Rejection {
  holding: Holding;
  reason: string;
}

/** The desired pair of policies, and what the ledger must record about it (SPEC R26–R28). */
export interface Projection {
  bucket: PolicyDocument | undefined;
  key: PolicyDocument;
  /** Entries seen for the first time, with their origin judged from the policies as read. */
  newBucketEntries: BucketEntry[];
  newKeyEntries: KeyEntry[];
  /** Entries the ledger forgets once the policies are written: removed, or adopted and already gone. */
  releasedBucketEntries: BucketEntry[];
  releasedKeyEntries: KeyEntry[];
  /** Holdings whose entry could not be projected (a Deny, a missing TrailArn, the size limit, …). */
  rejections: Rejection[];
  /** Entries no holding needs that could not be removed: logged, retried by the next projection. */
  problems: string[];
}

interface Group<E> {
  holdings: Holding[];
  entry?: E;
}

function groupBy<E>(holdings: Holding[], entries: E[], keyOfHolding: (h: Holding) => string, keyOfEntry: (e: E) => string): Map<string, Group<E>> {
  const groups = new Map<string, Group<E>>();
  const group = (key: string) => groups.get(key) ?? groups.set(key, { holdings: [] }).get(key)!;
  for (const entry of entries) group(keyOfEntry(entry)).entry = entry;
  for (const holding of holdings) group(keyOfHolding(holding)).holdings.push(holding);
  return new Map([...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function memberOf(partition: Partition, holding: Pick<Holding, 'accountId' | 'trailArn'>): MemberTrail {
  return { partition, accountId: holding.accountId, ...(holding.trailArn ? { trailArn: holding.trailArn } : {}) };
}

function reasonOf(error: unknown): string {
  if (error instanceof OperatorError) return error.message;
  throw error;
}

/**
 * Applies each holding of a group to the document; on the first failure (or when the size check fails) the
 * group's holdings are rejected and the document stays as it was before the group.
 */
function admitGroup<D>(document: D, holdings: Holding[], admit: (d: D, h: Holding) => D, check: (d: D) => void, rejections: Attempt[], added: boolean): { document: D; admitted: boolean } {
  let next = document;
  try {
    for (const holding of holdings) next = admit(next, holding);
    check(next);
    return { document: next, admitted: true };
  } catch (error) {
    const reason = reasonOf(error);
    for (const holding of holdings) rejections.push({ holding, reason, added });
    return { document, admitted: false };
  }
}

/**
 * The pair's policies as the ledger wants them: every held entry present (with the R14 values its holdings
 * need), every `written` entry no holding needs removed, everything else as found (SPEC R6, R26). Entries
 * already present are settled first, then removals, then additions one group at a time, each within the size
 * limits (SPEC R11), so one request that cannot be enrolled never blocks the others. A holding refused in one
 * policy is kept out of the other too (both or neither), and still counts as holding its entry.
 */
export function projectPair(pair: PolicyPair, bucketNow: PolicyDocument | undefined, keyNow: PolicyDocument, ledger: LedgerSnapshot, settings: ProjectionSettings): Projection {
  const refused = new Map<Holding, string>();
  for (;;) {
    const projection = projectOnce(pair, bucketNow, keyNow, ledger, settings, refused);
    const newlyRefused = projection.rejections.filter((r) => r.added && !refused.has(r.holding));
    if (newlyRefused.length === 0) {
      const rejections = [...refused].map(([holding, reason]) => ({ holding, reason }));
      for (const r of projection.rejections) if (!refused.has(r.holding)) rejections.push({ holding: r.holding, reason: r.reason });
      return { ...projection, rejections };
    }
    for (const r of newlyRefused) refused.set(r.holding, r.reason);
  }
}

interface Attempt extends Rejection {
  /** The holding's entry was not in the policy: refusing it keeps it out of both policies. */
  added: boolean;
}

function projectOnce(pair: PolicyPair, bucketNow: PolicyDocument | undefined, keyNow: PolicyDocument, ledger: LedgerSnapshot, settings: ProjectionSettings, refused: Map<Holding, string>): Omit<Projection, 'rejections'> & { rejections: Attempt[] } {
  const key = parseKeyArn(pair.keyArn, 'The ledger key ARN');
  const partition = key.partition;
  const rejections: Attempt[] = [];
  const out = { bucket: bucketNow, key: keyNow, newBucketEntries: [] as BucketEntry[], newKeyEntries: [] as KeyEntry[], releasedBucketEntries: [] as BucketEntry[], releasedKeyEntries: [] as KeyEntry[], rejections, problems: [] as string[] };
  const keyTarget: KeyTarget = { keyArn: pair.keyArn, sid: settings.keyPolicySid };
  const bucketTargetOf = (logFilePrefix: string): BucketTarget => ({ partition, bucketName: pair.bucketName, logFilePrefix, sid: settings.bucketPolicySid });
  const active = (holdings: Holding[]) => holdings.filter((h) => !refused.has(h));

  // Bucket entries: (account, prefix) under this bucket, held under any key (SPEC R25).
  const bucketGroups = groupBy(
    ledger.holdings.filter((h) => h.bucketName === pair.bucketName),
    ledger.bucketEntries.filter((e) => e.bucketName === pair.bucketName),
    bucketEntryKey,
    bucketEntryKey,
  );
  const listedInBucket = new Set(managedBucketResources(bucketNow, bucketTargetOf('')));
  // Most holdings are already admitted: checking is much cheaper than the edit, which copies the document.
  const admitInBucket = (d: PolicyDocument | undefined, h: Holding) => {
    const target = bucketTargetOf(h.logFilePrefix);
    const member = memberOf(partition, h);
    return bucketEnrollmentGaps(d, target, member).length === 0 ? d : enrollInBucketPolicy(d, target, member);
  };
  const bucketAdditions: Array<[BucketEntry, Holding[], boolean]> = [];
  const addedToBucket = new Set<Holding>();
  for (const { holdings, entry } of bucketGroups.values()) {
    const first = holdings[0] ?? entry!;
    const listed = listedInBucket.has(bucketLogsResource(partition, pair.bucketName, first.logFilePrefix, first.accountId));
    const known: BucketEntry = entry ?? { accountId: first.accountId, bucketName: pair.bucketName, logFilePrefix: first.logFilePrefix, keyArn: pair.keyArn, origin: listed ? 'adopted' : 'written' };
    if (holdings.length > 0 && listed) {
      for (const holding of active(holdings)) out.bucket = admitGroup(out.bucket, [holding], admitInBucket, () => undefined, rejections, false).document;
      if (!entry) out.newBucketEntries.push(known);
    } else if (holdings.length > 0) {
      bucketAdditions.push([known, active(holdings), !entry]);
    } else if (known.origin === 'adopted' && !listed) {
      out.releasedBucketEntries.push(known);
    } else if (known.origin === 'written' && !settings.isProtected(known.accountId, pair.keyArn)) {
      try {
        out.bucket = removeFromBucketPolicy(out.bucket, bucketTargetOf(known.logFilePrefix), memberOf(partition, known));
        out.releasedBucketEntries.push(known);
      } catch (error) {
        out.problems.push(reasonOf(error));
      }
    }
  }
  for (const [known, holdings, isNew] of bucketAdditions) {
    if (holdings.length === 0) continue;
    const result = admitGroup(out.bucket, holdings, admitInBucket, (d) => assertBucketPolicyFits(d, bucketTargetOf('')), rejections, true);
    out.bucket = result.document;
    if (result.admitted) holdings.forEach((h) => addedToBucket.add(h));
    if (result.admitted && isNew) out.newBucketEntries.push(known);
  }

  // Key entries: one per account, held by any holding naming this key under any bucket or prefix (SPEC R16).
  const refusedNow = new Set(rejections.map((r) => r.holding));
  const keyGroups = groupBy(
    ledger.holdings.filter((h) => h.keyArn === pair.keyArn),
    ledger.keyEntries.filter((e) => e.keyArn === pair.keyArn),
    keyEntryKey,
    keyEntryKey,
  );
  const patterns = managedKeyPatterns(keyNow, keyTarget);
  const admitInKey = (d: PolicyDocument, h: Holding) => (keyEnrollmentGaps(d, keyTarget, memberOf(partition, h)).length === 0 ? d : enrollInKeyPolicy(d, keyTarget, memberOf(partition, h)));
  const keyAdditions: Array<[KeyEntry, Holding[], boolean]> = [];
  for (const { holdings, entry } of keyGroups.values()) {
    const accountId = (holdings[0] ?? entry!).accountId;
    const listed = patterns === undefined || patterns.includes(trailArnPattern(partition, accountId));
    const known: KeyEntry = entry ?? { accountId, keyArn: pair.keyArn, bucketName: pair.bucketName, origin: listed ? 'adopted' : 'written' };
    const willing = active(holdings).filter((h) => !refusedNow.has(h));
    if (holdings.length > 0 && listed) {
      for (const holding of willing) out.key = admitGroup(out.key, [holding], admitInKey, () => undefined, rejections, addedToBucket.has(holding)).document;
      if (!entry) out.newKeyEntries.push(known);
    } else if (holdings.length > 0) {
      keyAdditions.push([known, willing, !entry]);
    } else if (known.origin === 'adopted' && !listed) {
      out.releasedKeyEntries.push(known);
    } else if (known.origin === 'written' && !settings.isProtected(accountId, pair.keyArn)) {
      try {
        out.key = removeFromKeyPolicy(out.key, keyTarget, memberOf(partition, known));
        out.releasedKeyEntries.push(known);
      } catch (error) {
        out.problems.push(reasonOf(error));
      }
    }
  }
  for (const [known, holdings, isNew] of keyAdditions) {
    if (holdings.length === 0) continue;
    const result = admitGroup(out.key, holdings, admitInKey, (d) => assertKeyPolicyFits(d, keyTarget), rejections, true);
    out.key = result.document;
    if (result.admitted && isNew) out.newKeyEntries.push(known);
  }

  // Trail ARNs an Update replaced go, unless a holding still uses them (SPEC R16).
  const inUse = new Set(ledger.holdings.flatMap((h) => (h.trailArn ? [h.trailArn] : [])));
  const retired = new Set(ledger.holdings.filter((h) => h.bucketName === pair.bucketName || h.keyArn === pair.keyArn).flatMap((h) => h.retiredTrailArns ?? []));
  for (const trailArn of retired) {
    if (inUse.has(trailArn)) continue;
    out.bucket = retireTrailArnInBucketPolicy(out.bucket, bucketTargetOf(''), trailArn);
    out.key = retireTrailArnInKeyPolicy(out.key, keyTarget, trailArn);
  }
  return out;
}
