import { bucketEntryGaps, bucketListedAccounts, keyEntryGaps, StillNeeded } from '../core/account-list';
import { bucketLogsResource, parseKeyArn, Partition } from '../core/arns';
import { BucketTarget, managedBucketResources, retireTrailArnInBucketPolicy } from '../core/bucket-policy';
import { OperatorError } from '../core/errors';
import { KeyTarget, retireTrailArnInKeyPolicy } from '../core/key-policy';
import { PolicyLayoutName } from '../core/layout-names';
import { bucketLayoutFound, keyLayoutFound, policyLayout } from '../core/layouts';
import { PolicyDocument } from '../core/policy-document';
import { assertBucketPolicyFits, assertKeyPolicyFits } from '../core/size-limits';
import { MemberTrail } from '../core/source-conditions';
import { BucketEntry, bucketEntryKey, Holding, KeyEntry, keyEntryKey, LedgerSnapshot, PolicyPair } from './model';

/** What the projection needs from the function's settings. */
export interface ProjectionSettings {
  bucketPolicySid: string;
  keyPolicySid: string;
  /** The layout both statements are written in (SPEC R34); a statement found in the other one is converted. */
  policyLayout: PolicyLayoutName;
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
  /** Why a statement could not be converted into the configured layout (SPEC R34): it keeps its layout; logged. */
  layoutProblems: string[];
  /** Held entries a projection had already settled that another writer removed, put back now (SPEC R36 DriftRepaired). */
  driftRepaired: number;
}

/** What a projection knows beyond the ledger's writable part. */
export interface ProjectionContext {
  /**
   * Holdings of targets the function is not pinned to (SPEC R39): never added, but an entry of the pair they
   * share (same bucket and prefix, or same key) is not removed while they exist.
   */
  keepers?: Holding[];
  /** Whether an entry recorded by the projection of this generation was in both policies once that projection ended. */
  settled?: (recordedIn: number) => boolean;
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

/**
 * Whether the policy already admits the holding's trail, so enrolling it would change nothing: checking is much
 * cheaper than the edit, which copies the document, and most holdings of a projection are settled. A holding
 * without TrailArn is checked as if it named a trail nobody lists, so a statement that pins exact trail ARNs
 * still sends it to the edit, which refuses it (SPEC R14).
 */
function admitted(gaps: (member: MemberTrail) => string[], partition: Partition, h: Holding): boolean {
  const trailArn = h.trailArn ?? `arn:${partition}:cloudtrail:us-east-1:${h.accountId}:trail/no-trail-arn-given`;
  return gaps({ partition, accountId: h.accountId, trailArn }).length === 0;
}

/** An OperatorError's sentence; anything else is a bug and is thrown on. */
function operatorMessage(error: unknown): string {
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
    const reason = operatorMessage(error);
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
export function projectPair(pair: PolicyPair, bucketNow: PolicyDocument | undefined, keyNow: PolicyDocument, ledger: LedgerSnapshot, settings: ProjectionSettings, context: ProjectionContext = {}): Projection {
  const refused = new Map<Holding, string>();
  for (;;) {
    const projection = projectOnce(pair, bucketNow, keyNow, ledger, settings, refused, context);
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

function projectOnce(pair: PolicyPair, bucketNow: PolicyDocument | undefined, keyNow: PolicyDocument, ledger: LedgerSnapshot, settings: ProjectionSettings, refused: Map<Holding, string>, context: ProjectionContext): Omit<Projection, 'rejections'> & { rejections: Attempt[] } {
  const key = parseKeyArn(pair.keyArn, 'The ledger key ARN');
  const partition = key.partition;
  const rejections: Attempt[] = [];
  const out = { bucket: bucketNow, key: keyNow, newBucketEntries: [] as BucketEntry[], newKeyEntries: [] as KeyEntry[], releasedBucketEntries: [] as BucketEntry[], releasedKeyEntries: [] as KeyEntry[], rejections, problems: [] as string[], layoutProblems: [] as string[], driftRepaired: 0 };
  const keepers = context.keepers ?? [];
  const keptInBucket = new Set(keepers.filter((h) => h.bucketName === pair.bucketName).map(bucketEntryKey));
  const keptInKey = new Set(keepers.filter((h) => h.keyArn === pair.keyArn).map(keyEntryKey));
  const settled = (entry: { recordedIn?: number } | undefined) => entry?.recordedIn !== undefined && (context.settled?.(entry.recordedIn) ?? false);
  const keyTarget: KeyTarget = { keyArn: pair.keyArn, sid: settings.keyPolicySid };
  const bucketTargetOf = (logFilePrefix: string): BucketTarget => ({ partition, bucketName: pair.bucketName, logFilePrefix, sid: settings.bucketPolicySid, keyArn: pair.keyArn });
  const active = (holdings: Holding[]) => holdings.filter((h) => !refused.has(h));

  // SPEC R34: statements found in the other layout are rewritten into the configured one, as part of this
  // projection's one write per policy. A conversion that fails (R11, or a value it cannot carry) is refused: that
  // policy keeps the layout found, and the projection goes on in it.
  const wanted = policyLayout(settings.policyLayout);
  const knownPrefixes = prefixesByAccount(ledger, pair.bucketName);
  let bucketLayout = wanted.bucket;
  try {
    const converted = wanted.bucket.convert(bucketNow, bucketTargetOf(''), (accountId) => knownPrefixes.get(accountId) ?? []);
    if (converted !== bucketNow) assertBucketPolicyFits(converted, bucketTargetOf(''));
    out.bucket = converted;
  } catch (error) {
    out.layoutProblems.push(operatorMessage(error));
    bucketLayout = bucketLayoutFound(bucketNow, bucketTargetOf(''));
  }
  let keyLayout = wanted.key;
  try {
    const converted = wanted.key.convert(keyNow, keyTarget);
    if (converted !== keyNow) assertKeyPolicyFits(converted, keyTarget);
    out.key = converted;
  } catch (error) {
    out.layoutProblems.push(operatorMessage(error));
    keyLayout = keyLayoutFound(keyNow, keyTarget);
  }

  // Bucket entries: (account, prefix) under this bucket, held under any key (SPEC R25).
  const bucketGroups = groupBy(
    ledger.holdings.filter((h) => h.bucketName === pair.bucketName),
    ledger.bucketEntries.filter((e) => e.bucketName === pair.bucketName),
    bucketEntryKey,
    bucketEntryKey,
  );
  // Listed (and adopted, SPEC R26) as read, before any conversion; both layouts are read.
  const listedInBucket = bucketLayout.listed(bucketNow, bucketTargetOf(''));
  const namedInBucket = new Set(managedBucketResources(bucketNow, bucketTargetOf('')));
  const admitInBucket = (d: PolicyDocument | undefined, h: Holding) => {
    const target = bucketTargetOf(h.logFilePrefix);
    return admitted((m) => bucketEntryGaps(d, target, m), partition, h) ? d : bucketLayout.enroll(d, target, memberOf(partition, h));
  };
  const bucketAdditions: Array<[BucketEntry, Holding[], boolean]> = [];
  const addedToBucket = new Set<Holding>();
  const stillNeeded = stillNeededInBucket(bucketGroups, listedInBucket, (accountId) => settings.isProtected(accountId, pair.keyArn), bucketListedAccounts(out.bucket, bucketTargetOf('')), keepers.filter((h) => h.bucketName === pair.bucketName));
  for (const [groupKey, { holdings, entry }] of bucketGroups) {
    const first = holdings[0] ?? entry!;
    const listed = listedInBucket(first.accountId, first.logFilePrefix);
    // An account the function wrote under another prefix is in the account list because of that entry: its new
    // prefix was not there before its first holder came, so it is not adopted.
    const onlyThroughList = !namedInBucket.has(bucketLogsResource(partition, pair.bucketName, first.logFilePrefix, first.accountId));
    const adopted = listed && !(onlyThroughList && ledger.bucketEntries.some((e) => e.bucketName === pair.bucketName && e.accountId === first.accountId && e.origin === 'written'));
    const known: BucketEntry = entry ?? { accountId: first.accountId, bucketName: pair.bucketName, logFilePrefix: first.logFilePrefix, keyArn: pair.keyArn, origin: adopted ? 'adopted' : 'written' };
    if (holdings.length > 0 && listed) {
      for (const holding of active(holdings)) out.bucket = admitGroup(out.bucket, [holding], admitInBucket, () => undefined, rejections, false).document;
      if (!entry) out.newBucketEntries.push(known);
    } else if (holdings.length > 0) {
      bucketAdditions.push([known, active(holdings), !entry]);
    } else if (keptInBucket.has(groupKey)) {
      // Held only by stacks of another target: kept as found, neither added nor removed.
    } else if (known.origin === 'adopted' && !listed) {
      out.releasedBucketEntries.push(known);
    } else if (known.origin === 'written' && !settings.isProtected(known.accountId, pair.keyArn)) {
      try {
        out.bucket = bucketLayout.remove(out.bucket, bucketTargetOf(known.logFilePrefix), memberOf(partition, known), stillNeeded(known));
        out.releasedBucketEntries.push(known);
      } catch (error) {
        out.problems.push(operatorMessage(error));
      }
    }
  }
  for (const [known, holdings, isNew] of bucketAdditions) {
    if (holdings.length === 0) continue;
    const result = admitGroup(out.bucket, holdings, admitInBucket, (d) => assertBucketPolicyFits(d, bucketTargetOf('')), rejections, true);
    out.bucket = result.document;
    if (result.admitted) holdings.forEach((h) => addedToBucket.add(h));
    if (result.admitted && isNew) out.newBucketEntries.push(known);
    if (result.admitted && !isNew && settled(known)) out.driftRepaired++;
  }

  // Key entries: one per account, held by any holding naming this key under any bucket or prefix (SPEC R16).
  const refusedNow = new Set(rejections.map((r) => r.holding));
  const keyGroups = groupBy(
    ledger.holdings.filter((h) => h.keyArn === pair.keyArn),
    ledger.keyEntries.filter((e) => e.keyArn === pair.keyArn),
    keyEntryKey,
    keyEntryKey,
  );
  const listedInKey = keyLayout.listed(keyNow, keyTarget);
  const admitInKey = (d: PolicyDocument, h: Holding) => (admitted((m) => keyEntryGaps(d, keyTarget, m), partition, h) ? d : keyLayout.enroll(d, keyTarget, memberOf(partition, h)));
  const keyAdditions: Array<[KeyEntry, Holding[], boolean]> = [];
  for (const [groupKey, { holdings, entry }] of keyGroups) {
    const accountId = (holdings[0] ?? entry!).accountId;
    const listed = listedInKey(accountId);
    const known: KeyEntry = entry ?? { accountId, keyArn: pair.keyArn, bucketName: pair.bucketName, origin: listed ? 'adopted' : 'written' };
    const willing = active(holdings).filter((h) => !refusedNow.has(h));
    if (holdings.length > 0 && listed) {
      for (const holding of willing) out.key = admitGroup(out.key, [holding], admitInKey, () => undefined, rejections, addedToBucket.has(holding)).document;
      if (!entry) out.newKeyEntries.push(known);
    } else if (holdings.length > 0) {
      keyAdditions.push([known, willing, !entry]);
    } else if (keptInKey.has(groupKey)) {
      // Held only by stacks of another target: kept as found.
    } else if (known.origin === 'adopted' && !listed) {
      out.releasedKeyEntries.push(known);
    } else if (known.origin === 'written' && !settings.isProtected(accountId, pair.keyArn)) {
      try {
        out.key = keyLayout.remove(out.key, keyTarget, memberOf(partition, known));
        out.releasedKeyEntries.push(known);
      } catch (error) {
        out.problems.push(operatorMessage(error));
      }
    }
  }
  for (const [known, holdings, isNew] of keyAdditions) {
    if (holdings.length === 0) continue;
    const result = admitGroup(out.key, holdings, admitInKey, (d) => assertKeyPolicyFits(d, keyTarget), rejections, true);
    out.key = result.document;
    if (result.admitted && isNew) out.newKeyEntries.push(known);
    if (result.admitted && !isNew && settled(known)) out.driftRepaired++;
  }

  // Trail ARNs an Update replaced go, unless a holding still uses them (SPEC R16).
  const inUse = new Set([...ledger.holdings, ...keepers].flatMap((h) => (h.trailArn ? [h.trailArn] : [])));
  const retired = new Set(ledger.holdings.filter((h) => h.bucketName === pair.bucketName || h.keyArn === pair.keyArn).flatMap((h) => h.retiredTrailArns ?? []));
  for (const trailArn of retired) {
    if (inUse.has(trailArn)) continue;
    out.bucket = retireTrailArnInBucketPolicy(out.bucket, bucketTargetOf(''), trailArn);
    out.key = retireTrailArnInKeyPolicy(out.key, keyTarget, trailArn);
  }
  return out;
}

/** The prefixes the ledger knows for each account under the bucket: held, adopted or written entries. */
function prefixesByAccount(ledger: LedgerSnapshot, bucketName: string): Map<string, string[]> {
  const prefixes = new Map<string, string[]>();
  for (const e of [...ledger.holdings, ...ledger.bucketEntries]) {
    if (e.bucketName !== bucketName) continue;
    const list = prefixes.get(e.accountId) ?? prefixes.set(e.accountId, []).get(e.accountId)!;
    if (!list.includes(e.logFilePrefix)) list.push(e.logFilePrefix);
  }
  return prefixes;
}

/**
 * What the account-list layout keeps when a bucket entry (account, prefix) goes (SPEC R34 leaves it open):
 * - the account stays in aws:SourceAccount while another entry of it in this bucket stays: one with a holding
 *   (refused ones included), an adopted one still listed, or a written one of a protected account;
 * - the prefix's AWSLogs/* stays while such an entry of any account uses that prefix, or while the list names an
 *   account the ledger does not know (hand-written or carried over by a conversion: it may write under any prefix).
 * Removing the last account or the last prefix removes the statement (SPEC R7), never just the condition.
 */
function stillNeededInBucket(groups: Map<string, Group<BucketEntry>>, listed: (accountId: string, prefix: string) => boolean, isProtected: (accountId: string) => boolean, listedAccounts: string[], keepers: Holding[]): (entry: BucketEntry) => StillNeeded {
  const staying: Array<{ accountId: string; logFilePrefix: string; key: string }> = keepers.map((h) => ({ accountId: h.accountId, logFilePrefix: h.logFilePrefix, key: bucketEntryKey(h) }));
  const known = new Set<string>(keepers.map((h) => h.accountId));
  for (const [key, { holdings, entry }] of groups) {
    const first = holdings[0] ?? entry!;
    known.add(first.accountId);
    const stays = holdings.length > 0 || (entry!.origin === 'adopted' ? listed(first.accountId, first.logFilePrefix) : isProtected(first.accountId));
    if (stays) staying.push({ accountId: first.accountId, logFilePrefix: first.logFilePrefix, key });
  }
  const unknownListed = listedAccounts.some((a) => !known.has(a));
  return (entry) => {
    const others = staying.filter((s) => s.key !== bucketEntryKey(entry));
    return {
      account: others.some((s) => s.accountId === entry.accountId),
      prefix: unknownListed || others.some((s) => s.logFilePrefix === entry.logFilePrefix),
    };
  };
}
