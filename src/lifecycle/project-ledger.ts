import { bucketLogsWildcard, managedBucketValues, managedKeyValues, sourceAccountValue } from '../core/account-list';
import { bucketLogsResource, parseKeyArn, Partition, trailArnPattern } from '../core/arns';
import { PolicyDocument } from '../core/policy-document';
import { assertBucketPolicyFits, assertKeyPolicyFits } from '../core/size-limits';
import { BucketEntry, KeyEntry, LedgerSnapshot, pairsOf, PolicyPair } from '../ledger/model';
import { projectPair, Projection, ProjectionSettings } from '../ledger/projection';
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

/** What one projection of the whole ledger did, summed over its pairs. */
export interface ProjectionReport {
  pairs: number;
  bucketWrites: number;
  keyWrites: number;
  added: string[];
  removed: string[];
  rejected: number;
  /** Policy entries of this bucket and key that no holding and no adopted entry accounts for (SPEC R31). */
  unheld: string[];
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

/**
 * One read-modify-write of every pair the ledger names, under the lease (SPEC R30): reads the ledger, projects
 * it onto both policies of each pair (writing, verifying, restoring as applyPolicies does), then records what
 * the projection decided: new entries before the first policy write (so a crash never mistakes an entry the
 * function wrote for an adopted one), rejections and released entries after the policies hold.
 */
export async function projectLedger(context: LedgerContext, run: Run, generation: number): Promise<ProjectionReport> {
  const { ledger, settings } = context;
  run.enter('reading the enrollment ledger');
  const snapshot = await ledger.readSnapshot(run.signal);
  const report: ProjectionReport = { pairs: 0, bucketWrites: 0, keyWrites: 0, added: [], removed: [], rejected: 0, unheld: [] };
  const rules = projectionSettings(settings);
  for (const pair of pairsOf(snapshot)) {
    const key = parseKeyArn(pair.keyArn, 'The ledger key ARN');
    let decided: LedgerSnapshot = snapshot;
    let last: Projection | undefined;
    let before: string[] | undefined;
    const unrecorded = { bucket: [] as BucketEntry[], key: [] as KeyEntry[] };
    const recordNewEntries = async () => {
      run.enter('recording new entries in the enrollment ledger');
      for (const entry of unrecorded.bucket.splice(0)) await ledger.putBucketEntry(entry, run.signal);
      for (const entry of unrecorded.key.splice(0)) await ledger.putKeyEntry(entry, run.signal);
    };
    const outcome = await applyPolicies(
      context.policyStore(key.region),
      run,
      { bucketName: pair.bucketName, key },
      (bucket, keyPolicy) => {
        before ??= listed(pair, bucket, keyPolicy, settings);
        last = projectPair(pair, bucket, keyPolicy, decided, rules);
        unrecorded.bucket.push(...last.newBucketEntries);
        unrecorded.key.push(...last.newKeyEntries);
        decided = { ...decided, bucketEntries: [...decided.bucketEntries, ...last.newBucketEntries], keyEntries: [...decided.keyEntries, ...last.newKeyEntries] };
        return last;
      },
      (bucket, keyPolicy) => {
        assertBucketPolicyFits(bucket, { partition: key.partition, bucketName: pair.bucketName, logFilePrefix: '', sid: settings.bucketPolicySid });
        assertKeyPolicyFits(keyPolicy, { keyArn: pair.keyArn, sid: settings.keyPolicySid });
      },
      recordNewEntries,
    );
    await recordNewEntries();
    const final = last!;
    run.enter('recording the projection in the enrollment ledger');
    for (const { holding, reason } of final.rejections) await ledger.rejectHolding(holding, reason, generation, run.signal);
    for (const entry of final.releasedBucketEntries) await ledger.deleteBucketEntry(entry, run.signal);
    for (const entry of final.releasedKeyEntries) await ledger.deleteKeyEntry(entry, run.signal);
    for (const problem of final.problems) log.error('an entry no stack holds could not be removed; the next projection tries again', { problem });
    for (const problem of final.layoutProblems) log.error('a policy statement could not be converted to the configured layout and keeps its layout; the next projection tries again', { policyLayout: settings.policyLayout, problem });

    const after = listed(pair, final.bucket, final.key, settings);
    const previous = new Set(before);
    const now = new Set(after);
    report.pairs++;
    report.bucketWrites += outcome.bucketWrites;
    report.keyWrites += outcome.keyWrites;
    report.added.push(...after.filter((v) => !previous.has(v)));
    report.removed.push(...(before ?? []).filter((v) => !now.has(v)));
    report.rejected += final.rejections.length;
    report.unheld.push(...unheldValues(pair, after, decided, key.partition));
  }
  return report;
}

/**
 * Listed values the ledger cannot attribute: no holding, no adopted or written entry (hand-made or another
 * tool's). `ledger` includes the entries this projection recorded.
 */
function unheldValues(pair: PolicyPair, values: string[], ledger: LedgerSnapshot, partition: Partition): string[] {
  const known = new Set<string>();
  // Account-list values (SPEC R34): a prefix's AWSLogs/* and an account in aws:SourceAccount are known when an entry uses them.
  const bucketArnOf = (prefix: string, accountId: string) => [bucketLogsResource(partition, pair.bucketName, prefix, accountId), bucketLogsWildcard(partition, pair.bucketName, prefix), sourceAccountValue('bucket', accountId)];
  const keyValuesOf = (accountId: string) => [trailArnPattern(partition, accountId), sourceAccountValue('key', accountId)];
  for (const e of ledger.bucketEntries) if (e.bucketName === pair.bucketName) bucketArnOf(e.logFilePrefix, e.accountId).forEach((v) => known.add(v));
  for (const h of ledger.holdings) if (h.bucketName === pair.bucketName) bucketArnOf(h.logFilePrefix, h.accountId).forEach((v) => known.add(v));
  for (const e of ledger.keyEntries) if (e.keyArn === pair.keyArn) keyValuesOf(e.accountId).forEach((v) => known.add(v));
  for (const h of ledger.holdings) if (h.keyArn === pair.keyArn) keyValuesOf(h.accountId).forEach((v) => known.add(v));
  return values.filter((v) => !known.has(v));
}
