import { anyTrailPattern, bucketAdmission, bucketEntryGaps, bucketLayoutOf, bucketListedAccounts, bucketListPrefixes, bucketLogsWildcard, DetectedLayout, keyEntryGaps, keyLayoutOf, keyListedAccounts } from '../core/account-list';
import { bucketArn, bucketLogsResource, KeyRef, trailArnPattern } from '../core/arns';
import { BucketTarget, bucketPolicyName, managedBucketResources } from '../core/bucket-policy';
import { KeyTarget, keyPolicyName, managedKeyPatterns } from '../core/key-policy';
import { MemberTrail } from '../core/source-conditions';
import { LedgerSnapshot } from '../ledger/model';
import { holdingInScope } from '../ledger/scope';
import { DeliveryRun, DeliveryStatus } from '../delivery/delivery-status';
import { EstateSnapshot } from './read-estate';

/** The bucket, key and statements to inspect (the CLI takes them from flags and variables, the function from its settings). */
export interface StatusTargets {
  bucketName: string;
  key: KeyRef;
  /** The prefix every entry is expected under; undefined when none is pinned. */
  prefix?: string;
  bucketSid: string;
  keySid: string;
}

/** What `status` prints, as data (the --json output); built from the policies alone, no AWS calls. */
export interface AccountStatus {
  accountId: string;
  /** The prefixes the bucket statement lists the account under ('' is no prefix), in policy order. */
  bucketPrefixes: string[];
  inBucketPolicy: boolean;
  inKeyPolicy: boolean;
  problems: string[];
  /** With the ledger (SPEC R31): the StackIds that hold the account's entries here, and what the ledger says. */
  holders?: string[];
  ledger?: 'held' | 'adopted' | 'not held';
  /**
   * With the delivery check (SPEC R35), for an account both policies admit: the most pressing finding of its home
   * regions, and every finding in `deliveries` when there are several (holders in several regions or prefixes).
   */
  delivery?: DeliveryStatus;
  deliveries?: DeliveryStatus[];
}

export interface StatusReport {
  bucket: string;
  key: string;
  /** The expected prefix, or null when none is pinned (any prefix is fine). */
  prefix: string | null;
  /**
   * How each managed statement lists the accounts (SPEC R34): resource-list, account-list, mixed (both shapes,
   * written by hand), or none (no such statement).
   */
  layout: { bucketPolicy: DetectedLayout; keyPolicy: DetectedLayout };
  accounts: AccountStatus[];
  /** Estate-level drift: a missing policy or statement, a region mismatch. */
  problems: string[];
  /** Worth knowing, not drift: entries this tool cannot attribute to an account, a key statement open to every trail. */
  notes: string[];
  drift: boolean;
  /** With the delivery check (SPEC R35): when it ran, its threshold and how many findings of each state. */
  delivery?: DeliveryRun;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface Listing {
  /** account → prefixes, in the order the statement lists them. */
  accounts: Map<string, string[]>;
  unrecognised: string[];
}

/** Splits the statement's Resource entries into <bucket>/[<prefix>/]AWSLogs/<account>/* and everything else. */
function bucketListing(resources: string[], target: Omit<BucketTarget, 'logFilePrefix'>): Listing {
  const shape = new RegExp(`^${escapeRegExp(bucketArn(target.partition, target.bucketName))}/(?:(.+)/)?AWSLogs/([0-9]{12})/\\*$`);
  const accounts = new Map<string, string[]>();
  const unrecognised: string[] = [];
  for (const resource of resources) {
    const match = shape.exec(resource);
    const prefix = match?.[1] ?? '';
    const accountId = match?.[2];
    if (!accountId || bucketLogsResource(target.partition, target.bucketName, prefix, accountId) !== resource) {
      if (!isWildcard(resource, target)) unrecognised.push(resource);
      continue;
    }
    const prefixes = accounts.get(accountId) ?? [];
    if (!prefixes.includes(prefix)) prefixes.push(prefix);
    accounts.set(accountId, prefixes);
  }
  return { accounts, unrecognised };
}

/** An account-list prefix path <bucket>/[<prefix>/]AWSLogs/*: its accounts come from aws:SourceAccount. */
function isWildcard(resource: string, target: Omit<BucketTarget, 'logFilePrefix'>): boolean {
  const head = `${bucketArn(target.partition, target.bucketName)}/`;
  if (!resource.startsWith(head) || !resource.endsWith('AWSLogs/*')) return false;
  const prefix = resource.slice(head.length, resource.length - 'AWSLogs/*'.length).replace(/\/$/, '');
  return bucketLogsWildcard(target.partition, target.bucketName, prefix) === resource;
}

/** Splits the key statement's trail patterns into arn:<p>:cloudtrail:*:<account>:trail/* and everything else. */
function keyListing(patterns: string[], key: KeyRef): { accounts: Set<string>; unrecognised: string[] } {
  const shape = new RegExp(`^${escapeRegExp(trailArnPattern(key.partition, '@')).replace('@', '([0-9]{12})')}$`);
  const accounts = new Set<string>();
  const unrecognised: string[] = [];
  for (const pattern of patterns) {
    const accountId = shape.exec(pattern)?.[1];
    if (accountId) accounts.add(accountId);
    else if (pattern !== anyTrailPattern(key.partition)) unrecognised.push(pattern);
  }
  return { accounts, unrecognised };
}

function listedAt(prefix: string): string {
  return prefix === '' ? 'without a prefix' : `under prefix '${prefix}'`;
}

function prefixProblem(prefixes: string[], expected: string): string {
  const wanted = expected === '' ? 'without a prefix as expected' : `under the expected prefix '${expected}'`;
  return `the bucket policy does not list it ${wanted}, only ${prefixes.map(listedAt).join(' and ')}`;
}

export function buildStatusReport(targets: StatusTargets, estate: EstateSnapshot, ledger?: LedgerSnapshot): StatusReport {
  const partition = targets.key.partition;
  const bucketBase = { partition, bucketName: targets.bucketName, sid: targets.bucketSid, keyArn: targets.key.arn };
  const keyTarget: KeyTarget = { keyArn: targets.key.arn, sid: targets.keySid };
  const problems: string[] = [];
  const notes: string[] = [];

  const resources = managedBucketResources(estate.bucketPolicy, { ...bucketBase, logFilePrefix: '' });
  if (!estate.bucketPolicy) problems.push(`the bucket ${targets.bucketName} has no bucket policy`);
  else if (resources.length === 0) problems.push(`the ${bucketPolicyName(targets.bucketName)} has no statement that lets CloudTrail write (Sid "${targets.bucketSid}", or an Allow of s3:PutObject to cloudtrail.amazonaws.com)`);
  const inBucket = bucketListing(resources, bucketBase);
  for (const entry of inBucket.unrecognised) notes.push(`the bucket statement lists ${entry}, which is not an AWSLogs/<account>/* path of this bucket`);
  // Account-list layout (SPEC R34): every account of aws:SourceAccount may write under every AWSLogs/* prefix.
  const listPrefixes = bucketListPrefixes(estate.bucketPolicy, { ...bucketBase, logFilePrefix: '' });
  const admits = bucketAdmission(estate.bucketPolicy, { ...bucketBase, logFilePrefix: '' });
  for (const accountId of bucketListedAccounts(estate.bucketPolicy, { ...bucketBase, logFilePrefix: '' })) {
    const prefixes = inBucket.accounts.get(accountId) ?? [];
    inBucket.accounts.set(accountId, [...new Set([...prefixes, ...listPrefixes.filter((prefix) => admits(accountId, prefix))])]);
  }

  const patterns = managedKeyPatterns(estate.keyPolicy, keyTarget);
  const keyAdmitsEveryTrail = patterns === undefined;
  if (patterns?.length === 0) problems.push(`the ${keyPolicyName(targets.key.arn)} has no statement that lets CloudTrail call kms:GenerateDataKey* (Sid "${targets.keySid}", or an Allow to cloudtrail.amazonaws.com)`);
  if (keyAdmitsEveryTrail) notes.push(`the key statement has no StringLike kms:EncryptionContext:aws:cloudtrail:arn condition, so it admits the trails of every account`);
  const inKey = keyListing(patterns ?? [], targets.key);
  for (const accountId of keyListedAccounts(estate.keyPolicy, keyTarget)) inKey.accounts.add(accountId);
  for (const entry of inKey.unrecognised) notes.push(`the key statement lists ${entry}, which is not an account-wide trail pattern ${trailArnPattern(partition, '<account>')}`);

  if (estate.bucketRegion !== targets.key.region) {
    problems.push(`the bucket ${targets.bucketName} is in ${estate.bucketRegion} but the key is in ${targets.key.region}; CloudTrail needs both in the same region`);
  }

  const holdings = (ledger?.holdings ?? []).filter((h) => h.bucketName === targets.bucketName || h.keyArn === targets.key.arn);
  // SPEC R39: holdings of another target (the owner stack re-pinned its bucket, key or prefix) are never projected.
  const elsewhere = (ledger?.holdings ?? []).filter((h) => !holdingInScope(h, { bucketName: targets.bucketName, keyArn: targets.key.arn, ...(targets.prefix !== undefined ? { logFilePrefix: targets.prefix } : {}) }));
  if (elsewhere.length > 0) notes.push(`${elsewhere.length} ${elsewhere.length === 1 ? 'holding names' : 'holdings name'} another bucket, key or prefix than these (a target the function is no longer pinned to): their entries are kept as found and never projected; move those stacks (${elsewhere.slice(0, 5).map((h) => `${h.accountId} ${h.stackId}`).join(', ')}${elsewhere.length > 5 ? ', …' : ''})`);
  for (const invalid of ledger?.invalid ?? []) problems.push(`${invalid}; the function skips it (fix or delete the item)`);
  const accountIds = [...new Set([...inBucket.accounts.keys(), ...inKey.accounts, ...holdings.map((h) => h.accountId)])].sort();
  const accounts = accountIds.map((accountId): AccountStatus => {
    const member: MemberTrail = { partition, accountId };
    const bucketPrefixes = inBucket.accounts.get(accountId) ?? [];
    const inBucketPolicy = bucketPrefixes.length > 0;
    const inKeyPolicy = keyAdmitsEveryTrail || inKey.accounts.has(accountId);
    const accountProblems: string[] = [];
    if (inBucketPolicy && !inKeyPolicy) accountProblems.push('half-enrolled: in the bucket policy but not in the key policy');
    if (inKeyPolicy && !inBucketPolicy) accountProblems.push('half-enrolled: in the key policy but not in the bucket policy');
    if (inBucketPolicy && targets.prefix !== undefined && !bucketPrefixes.includes(targets.prefix)) accountProblems.push(prefixProblem(bucketPrefixes, targets.prefix));
    const gaps = new Set<string>();
    for (const logFilePrefix of bucketPrefixes) {
      for (const gap of bucketEntryGaps(estate.bucketPolicy, { ...bucketBase, logFilePrefix }, member)) gaps.add(`bucket policy: ${gap}`);
    }
    if (inKeyPolicy) for (const gap of keyEntryGaps(estate.keyPolicy, keyTarget, member)) gaps.add(`key policy: ${gap}`);
    accountProblems.push(...gaps);
    const status: AccountStatus = { accountId, bucketPrefixes, inBucketPolicy, inKeyPolicy, problems: accountProblems };
    return ledger ? { ...status, ...ledgerView(ledger, targets, accountId, bucketPrefixes, inKeyPolicy, accountProblems) } : status;
  });

  return {
    bucket: targets.bucketName,
    key: targets.key.arn,
    prefix: targets.prefix ?? null,
    layout: { bucketPolicy: bucketLayoutOf(estate.bucketPolicy, { ...bucketBase, logFilePrefix: '' }), keyPolicy: keyLayoutOf(estate.keyPolicy, keyTarget) },
    accounts,
    problems,
    notes,
    drift: problems.length > 0 || accounts.some((a) => a.problems.length > 0),
  };
}

/** What the ledger says of the account, and the held entries the policies lack (reconcile puts them back). */
function ledgerView(ledger: LedgerSnapshot, targets: StatusTargets, accountId: string, bucketPrefixes: string[], inKeyPolicy: boolean, problems: string[]): Pick<AccountStatus, 'holders' | 'ledger'> {
  const mine = ledger.holdings.filter((h) => h.accountId === accountId);
  const inBucket = mine.filter((h) => h.bucketName === targets.bucketName);
  const inKey = mine.filter((h) => h.keyArn === targets.key.arn);
  for (const prefix of new Set(inBucket.map((h) => h.logFilePrefix))) {
    if (!bucketPrefixes.includes(prefix)) problems.push(`held by a stack ${listedAt(prefix)} but missing from the bucket policy; the next reconcile puts it back`);
  }
  if (inKey.length > 0 && !inKeyPolicy) problems.push('held by a stack but missing from the key policy; the next reconcile puts it back');
  const holders = [...new Set([...inBucket, ...inKey].map((h) => h.stackId))].sort();
  const adopted = ledger.bucketEntries.some((e) => e.accountId === accountId && e.bucketName === targets.bucketName && e.origin === 'adopted') || ledger.keyEntries.some((e) => e.accountId === accountId && e.keyArn === targets.key.arn && e.origin === 'adopted');
  return { holders, ledger: holders.length > 0 ? 'held' : adopted ? 'adopted' : 'not held' };
}
