import { createHash } from 'node:crypto';
import { bucketListedAccounts, bucketLogsWildcard, keyListedAccounts, managedBucketValues, managedKeyValues, sourceAccountValue } from '../core/account-list';
import { bucketLogsResource, parseKeyArn, Partition, trailArnPattern } from '../core/arns';
import { OperatorError } from '../core/errors';
import { bucketLayoutFound, policyLayout } from '../core/layouts';
import { compactByteLength, PolicyDocument } from '../core/policy-document';
import { assertBucketPolicyFits, assertKeyPolicyFits, BUCKET_POLICY_LIMIT_BYTES, KEY_POLICY_LIMIT_BYTES } from '../core/size-limits';
import { BucketEntry, KeyEntry, LedgerSnapshot, LedgerState, pairId, PolicyPair } from '../ledger/model';
import { projectPair, Projection, ProjectionSettings } from '../ledger/projection';
import { Pins, scopeLedger, ScopedLedger, writablePairs } from '../ledger/scope';
import { Settings } from '../config/settings';
import { isProtected } from '../config/enrollment';
import { log } from '../log';
import { applyPolicies } from './apply-policies';
import { LedgerStore, PolicyStore } from './ports';
import { Run } from './run';

export interface LedgerContext {
  ledger: LedgerStore;
  policyStore(region: string): PolicyStore;
  settings: Settings;
}

/** What a projection covers: the accounts with pending changes (a request's), or the whole ledger (reconcile). */
export type ProjectionScope = readonly string[] | 'all';

/** What one projection did, summed over its pairs. */
export interface ProjectionReport {
  pairs: number;
  bucketWrites: number;
  keyWrites: number;
  added: string[];
  removed: string[];
  rejected: number;
  /** Policy entries of the projected pairs that no holding and no adopted entry accounts for (SPEC R31; whole ledger only). */
  unheld: string[];
  /** Holdings of targets the function is not pinned to (SPEC R39), described; whole ledger only. */
  otherTargets: string[];
  /** Ledger items that failed validation, described. */
  invalid: string[];
  /** pairId → reason, for pairs whose projection failed while others succeeded. */
  pairFailures: Record<string, string>;
  /** account → the pairIds its items name, so a failed pair keeps only its own accounts pending. */
  accountPairs: Map<string, string[]>;
  /** A digest of what a whole-ledger projection reports, so reconcile says each thing once per change. */
  reported?: string;
  /** Whether the report differs from the one recorded in the ledger before. */
  reportChanged?: boolean;
}

export function pinsOf(settings: Settings): Pins {
  return {
    ...(settings.pinnedBucketName !== undefined ? { bucketName: settings.pinnedBucketName } : {}),
    ...(settings.pinnedKey !== undefined ? { keyArn: settings.pinnedKey.arn } : {}),
    ...(settings.pinnedLogFilePrefix !== undefined ? { logFilePrefix: settings.pinnedLogFilePrefix } : {}),
  };
}

export function projectionSettings(settings: Settings): ProjectionSettings {
  return {
    bucketPolicySid: settings.bucketPolicySid,
    keyPolicySid: settings.keyPolicySid,
    policyLayout: settings.policyLayout,
    isProtected: (accountId, keyArn) => isProtected(accountId, parseKeyArn(keyArn, 'The ledger key ARN'), settings),
  };
}

function listed(pair: PolicyPair, bucket: PolicyDocument | undefined, key: PolicyDocument, settings: Settings): string[] {
  const keyRef = parseKeyArn(pair.keyArn, 'The ledger key ARN');
  const bucketValues = managedBucketValues(bucket, { partition: keyRef.partition, bucketName: pair.bucketName, logFilePrefix: '', sid: settings.bucketPolicySid });
  return [...bucketValues, ...managedKeyValues(key, { keyArn: pair.keyArn, sid: settings.keyPolicySid })];
}

/** A request's projection reads only its accounts; converting a statement back to resource-list needs them all. */
class WholeLedgerNeeded extends Error {}

/**
 * One read-modify-write of every writable pair, under the lease (SPEC R30): reads the ledger (the pending accounts'
 * items, or all of it for reconcile), projects it onto both policies of each pair (writing, verifying, restoring as
 * applyPolicies does), then records what the projection decided: new entries before the first policy write (so a
 * crash never mistakes an entry the function wrote for an adopted one), rejections and released entries after the
 * policies hold. A pair that fails does not stop the others (SPEC R39); when every pair fails, the projection does.
 */
export async function projectLedger(context: LedgerContext, run: Run, held: LedgerState, scope: ProjectionScope, beforeWrite: () => Promise<void>): Promise<ProjectionReport> {
  const { ledger, settings } = context;
  const pins = pinsOf(settings);
  const report: ProjectionReport = { pairs: 0, bucketWrites: 0, keyWrites: 0, added: [], removed: [], rejected: 0, unheld: [], otherTargets: [], invalid: [], pairFailures: {}, accountPairs: new Map() };
  let whole = scope === 'all';
  const read = async (): Promise<ScopedLedger> => {
    run.enter('reading the enrollment ledger');
    const snapshot = whole ? await ledger.readSnapshot(run.signal) : await ledger.readAccounts(scope as readonly string[], run.signal);
    report.invalid = snapshot.invalid ?? [];
    if (report.invalid.length > 0) log.error('ledger items failed validation and were skipped; fix or delete them in the table (write access to the table is write access to both policies)', { invalid: report.invalid.slice(0, 20), count: report.invalid.length });
    return scopeLedger(snapshot, pins);
  };
  let scoped = await read();
  for (const item of [...scoped.inScope.holdings, ...scoped.inScope.bucketEntries, ...scoped.inScope.keyEntries]) {
    const pairs = report.accountPairs.get(item.accountId) ?? [];
    const id = pairId({ bucketName: item.bucketName, keyArn: item.keyArn });
    if (!pairs.includes(id)) report.accountPairs.set(item.accountId, [...pairs, id]);
  }
  const pairs = writablePairs(scoped, pins);
  const errors: unknown[] = [];
  for (const pair of pairs) {
    try {
      await projectOnePair(context, run, held, pair, () => scoped, report, beforeWrite, !whole);
    } catch (error) {
      if (!(error instanceof WholeLedgerNeeded)) {
        if (run.expired || pairs.length === 1) throw error;
        errors.push(error);
        report.pairFailures[pairId(pair)] = error instanceof OperatorError ? error.message : `Projecting the bucket policy of ${pair.bucketName} and the key policy of ${pair.keyArn} failed unexpectedly; check the function's logs.`;
        log.error('projecting one pair of policies failed; its requests fail, the others go on', { bucket: pair.bucketName, key: pair.keyArn, reason: report.pairFailures[pairId(pair)] });
        continue;
      }
      whole = true;
      scoped = await read();
      await projectOnePair(context, run, held, pair, () => scoped, report, beforeWrite, false);
    }
  }
  if (pairs.length > 0 && errors.length === pairs.length) throw errors[0];
  if (scope === 'all') {
    report.otherTargets = scoped.others.holdings.map((h) => `${h.accountId} held by ${h.stackId} (${h.logicalResourceId}) for bucket ${h.bucketName}, prefix '${h.logFilePrefix}', key ${h.keyArn}`);
    report.reported = createHash('sha256').update(JSON.stringify([report.unheld, report.otherTargets, report.invalid])).digest('hex').slice(0, 32);
    report.reportChanged = report.reported !== held.reported;
  }
  return report;
}

async function projectOnePair(context: LedgerContext, run: Run, held: LedgerState, pair: PolicyPair, scoped: () => ScopedLedger, report: ProjectionReport, beforeWrite: () => Promise<void>, partial: boolean): Promise<void> {
  const { ledger, settings } = context;
  const key = parseKeyArn(pair.keyArn, 'The ledger key ARN');
  const rules = projectionSettings(settings);
  const { inScope, keepers } = scoped();
  // Entries recorded by a projection that succeeded for this pair were in both policies then (DriftRepaired).
  const failedHere = held.pairFailures[pairId(pair)];
  const settled = (recordedIn: number) => recordedIn <= held.applied && recordedIn !== failedHere?.through;
  let decided: LedgerSnapshot = inScope;
  let last: Projection | undefined;
  let before: string[] | undefined;
  const unrecorded = { bucket: [] as BucketEntry[], key: [] as KeyEntry[] };
  const recordNewEntries = async () => {
    run.enter('recording new entries in the enrollment ledger');
    for (const entry of unrecorded.bucket.splice(0)) await ledger.putBucketEntry(entry, run.signal);
    for (const entry of unrecorded.key.splice(0)) await ledger.putKeyEntry(entry, run.signal);
  };
  const bucketTarget = { partition: key.partition, bucketName: pair.bucketName, logFilePrefix: '', sid: settings.bucketPolicySid };
  const keyTarget = { keyArn: pair.keyArn, sid: settings.keyPolicySid };
  const outcome = await applyPolicies(
    context.policyStore(key.region),
    run,
    { bucketName: pair.bucketName, key },
    (bucket, keyPolicy) => {
      if (partial && settings.policyLayout === 'resource-list' && bucketLayoutFound(bucket, bucketTarget).name !== policyLayout('resource-list').bucket.name) throw new WholeLedgerNeeded();
      before ??= listed(pair, bucket, keyPolicy, settings);
      last = projectPair(pair, bucket, keyPolicy, decided, rules, { keepers, settled });
      const recordedIn = held.generation;
      const stamp = <E extends BucketEntry | KeyEntry>(entries: E[]) => entries.map((e) => ({ ...e, recordedIn }));
      unrecorded.bucket.push(...stamp(last.newBucketEntries));
      unrecorded.key.push(...stamp(last.newKeyEntries));
      decided = { ...decided, bucketEntries: [...decided.bucketEntries, ...stamp(last.newBucketEntries)], keyEntries: [...decided.keyEntries, ...stamp(last.newKeyEntries)] };
      return last;
    },
    (bucket, keyPolicy) => {
      assertBucketPolicyFits(bucket, bucketTarget);
      assertKeyPolicyFits(keyPolicy, keyTarget);
    },
    async () => {
      await beforeWrite();
      await recordNewEntries();
    },
  );
  await recordNewEntries();
  const final = last!;
  run.enter('recording the projection in the enrollment ledger');
  for (const { holding, reason } of final.rejections) await ledger.rejectHolding(holding, reason, held.generation, run.signal);
  for (const entry of final.releasedBucketEntries) await ledger.deleteBucketEntry(entry, run.signal);
  for (const entry of final.releasedKeyEntries) await ledger.deleteKeyEntry(entry, run.signal);
  for (const problem of final.problems) log.error('an entry no stack holds could not be removed; the next projection tries again', { problem });
  for (const problem of final.layoutProblems) log.error('a policy statement could not be converted to the configured layout and keeps its layout; the next projection tries again', { policyLayout: settings.policyLayout, problem });

  const after = listed(pair, final.bucket, final.key, settings);
  const previous = new Set(before);
  const now = new Set(after);
  const added = after.filter((v) => !previous.has(v));
  const removed = (before ?? []).filter((v) => !now.has(v));
  report.pairs++;
  report.bucketWrites += outcome.bucketWrites;
  report.keyWrites += outcome.keyWrites;
  report.added.push(...added);
  report.removed.push(...removed);
  report.rejected += final.rejections.length;
  if (!partial) report.unheld.push(...unheldValues(pair, after, decided, keepers, key.partition));
  recordProjectionMetrics(run, final, { writes: outcome.bucketWrites + outcome.keyWrites, added: added.length, removed: removed.length }, bucketTarget, keyTarget);
}

/** The per-projection metrics of SPEC R36, for the pair as it now stands. */
function recordProjectionMetrics(run: Run, projection: Projection, counts: { writes: number; added: number; removed: number }, bucketTarget: Parameters<typeof bucketListedAccounts>[1], keyTarget: Parameters<typeof keyListedAccounts>[1]): void {
  const bucketBytes = projection.bucket ? compactByteLength(projection.bucket) : 0;
  const keyBytes = compactByteLength(projection.key);
  const inKey = new Set(keyListedAccounts(projection.key, keyTarget));
  const metrics = run.metrics;
  metrics.add('PolicyWrites', counts.writes);
  metrics.add('EntriesAdded', counts.added);
  metrics.add('EntriesRemoved', counts.removed);
  metrics.add('BucketPolicyBytes', bucketBytes);
  metrics.add('KeyPolicyBytes', keyBytes);
  metrics.add('PolicyCapacityUsedPercent', Math.round(Math.max(bucketBytes / BUCKET_POLICY_LIMIT_BYTES, keyBytes / KEY_POLICY_LIMIT_BYTES) * 1000) / 10);
  metrics.add('EnrolledAccounts', bucketListedAccounts(projection.bucket, bucketTarget).filter((a) => inKey.has(a)).length);
  metrics.add('DriftRepaired', projection.driftRepaired);
  metrics.add('EntriesRefused', projection.rejections.length);
}

/**
 * Listed values the ledger cannot attribute: no holding, no adopted or written entry (hand-made or another
 * tool's). `ledger` includes the entries this projection recorded; holdings of other targets count too.
 */
function unheldValues(pair: PolicyPair, values: string[], ledger: LedgerSnapshot, keepers: LedgerSnapshot['holdings'], partition: Partition): string[] {
  const known = new Set<string>();
  // Account-list values (SPEC R34): a prefix's AWSLogs/* and an account in aws:SourceAccount are known when an entry uses them.
  const bucketArnOf = (prefix: string, accountId: string) => [bucketLogsResource(partition, pair.bucketName, prefix, accountId), bucketLogsWildcard(partition, pair.bucketName, prefix), sourceAccountValue('bucket', accountId)];
  const keyValuesOf = (accountId: string) => [trailArnPattern(partition, accountId), sourceAccountValue('key', accountId)];
  const holdings = [...ledger.holdings, ...keepers];
  for (const e of ledger.bucketEntries) if (e.bucketName === pair.bucketName) bucketArnOf(e.logFilePrefix, e.accountId).forEach((v) => known.add(v));
  for (const h of holdings) if (h.bucketName === pair.bucketName) bucketArnOf(h.logFilePrefix, h.accountId).forEach((v) => known.add(v));
  for (const e of ledger.keyEntries) if (e.keyArn === pair.keyArn) keyValuesOf(e.accountId).forEach((v) => known.add(v));
  for (const h of holdings) if (h.keyArn === pair.keyArn) keyValuesOf(h.accountId).forEach((v) => known.add(v));
  return values.filter((v) => !known.has(v));
}
