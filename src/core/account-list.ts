import { bucketArn, bucketLogsResource, parseKeyArn, Partition, trailArnPattern } from './arns';
import { BucketTarget, bucketEnrollmentGaps, bucketPolicyName, bucketStatementSelector, enrollInBucketPolicy, managedBucketResources } from './bucket-policy';
import { fail } from './errors';
import { ENCRYPTION_CONTEXT_KEY, enrollInKeyPolicy, keyEnrollmentGaps, KeyTarget, keyPolicyName, keyStatementSelector, managedKeyPatterns } from './key-policy';
import { PolicyLayoutName } from './layout-names';
import { asList, cloneDocument, PolicyDocument, Statement } from './policy-document';
import { admitMemberInSourceConditions, dismissMemberFromSourceConditions, MemberTrail, sourceConditionGaps, statementName } from './source-conditions';
import { bucketDelivery, denyingStatements, keyDelivery } from './deny';
import { findTargetStatement } from './statement-lookup';

/**
 * The account-list layout (SPEC R34) and the conversions between it and the resource-list layout.
 *
 * account-list: the bucket write statement's Resource holds one arn:<p>:s3:::<bucket>/[<prefix>/]AWSLogs/* per
 * prefix, the key statement's StringLike kms:EncryptionContext:aws:cloudtrail:arn holds arn:<p>:cloudtrail:*:*:trail/*,
 * and each statement's StringEquals aws:SourceAccount lists the accounts. That list is also an R14 confused-deputy
 * list, so admitMemberInSourceConditions/dismissMemberFromSourceConditions add and remove the account there (and in
 * every other R14 list), and an emptied list takes the statement with it (SPEC R7).
 *
 * A statement with an AWSLogs/* Resource (or the account-wide trail pattern) but no StringEquals aws:SourceAccount
 * list admits every account's trail: it is never narrowed (that would cut off the accounts it serves) and never
 * converted; enrolling into it in the account-list layout is refused with a sentence.
 *
 * Reading is layout-agnostic: an (account, prefix) is admitted when the statement names AWSLogs/<account>/* under
 * the prefix, or names the prefix's AWSLogs/* and lists the account in StringEquals aws:SourceAccount.
 */

const SOURCE_ACCOUNT = 'aws:SourceAccount';
const ACCOUNT_ID = /^[0-9]{12}$/;

export type DetectedLayout = PolicyLayoutName | 'mixed' | 'none';

/** <bucket>/[<prefix>/]AWSLogs/*: every account's folder under one prefix. */
export function bucketLogsWildcard(partition: Partition, bucketName: string, logFilePrefix: string): string {
  return `${bucketArn(partition, bucketName)}/${logFilePrefix ? `${logFilePrefix}/` : ''}AWSLogs/*`;
}

/** arn:<p>:cloudtrail:*:*:trail/*: every account's trails; the account-list layout narrows it with aws:SourceAccount. */
export function anyTrailPattern(partition: Partition): string {
  return `arn:${partition}:cloudtrail:*:*:trail/*`;
}

function partitionOf(target: KeyTarget): Partition {
  return parseKeyArn(target.keyArn, 'The key ARN').partition;
}




/** The StringEquals aws:SourceAccount key of the statement (matched case-insensitively, SPEC R14), if any. */
function sourceAccountKey(statement: Statement): string | undefined {
  return Object.keys(statement.Condition?.StringEquals ?? {}).find((k) => k.toLowerCase() === SOURCE_ACCOUNT.toLowerCase());
}

function sourceAccounts(statement: Statement): string[] | undefined {
  const key = sourceAccountKey(statement);
  return key === undefined ? undefined : asList(statement.Condition!.StringEquals![key]);
}

function setSourceAccounts(statement: Statement, accounts: string[]): void {
  const key = sourceAccountKey(statement) ?? SOURCE_ACCOUNT;
  statement.Condition ??= {};
  statement.Condition.StringEquals ??= {};
  statement.Condition.StringEquals[key] = accounts;
}

function dropSourceAccounts(statement: Statement): void {
  const key = sourceAccountKey(statement);
  if (key === undefined) return;
  delete statement.Condition!.StringEquals![key];
  if (Object.keys(statement.Condition!.StringEquals!).length === 0) delete statement.Condition!.StringEquals;
  if (Object.keys(statement.Condition!).length === 0) delete statement.Condition;
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

// ---------------------------------------------------------------------------------------------------------------
// Bucket policy

interface BucketReading {
  index: number;
  statement: Statement;
  perAccount: Array<{ accountId: string; prefix: string; resource: string }>;
  wildcards: Array<{ prefix: string; resource: string }>;
  others: string[];
  accounts: string[] | undefined;
}

function readBucket(document: PolicyDocument | undefined, target: BucketTarget): BucketReading | undefined {
  if (!document) return undefined;
  const index = findTargetStatement(document, bucketStatementSelector(target));
  if (index === -1) return undefined;
  const statement = document.Statement[index]!;
  const head = `${bucketArn(target.partition, target.bucketName)}/`;
  const reading: BucketReading = { index, statement, perAccount: [], wildcards: [], others: [], accounts: sourceAccounts(statement) };
  for (const resource of asList(statement.Resource)) {
    const perAccount = resource.startsWith(head) ? /^(?:(.+)\/)?AWSLogs\/([0-9]{12})\/\*$/.exec(resource.slice(head.length)) : null;
    if (perAccount && bucketLogsResource(target.partition, target.bucketName, perAccount[1] ?? '', perAccount[2]!) === resource) {
      reading.perAccount.push({ accountId: perAccount[2]!, prefix: perAccount[1] ?? '', resource });
      continue;
    }
    const wildcard = resource.startsWith(head) ? /^(?:(.+)\/)?AWSLogs\/\*$/.exec(resource.slice(head.length)) : null;
    if (wildcard && bucketLogsWildcard(target.partition, target.bucketName, wildcard[1] ?? '') === resource) {
      reading.wildcards.push({ prefix: wildcard[1] ?? '', resource });
      continue;
    }
    reading.others.push(resource);
  }
  return reading;
}

/** Which layout the managed bucket statement is in; 'mixed' when it names both shapes, 'none' without a statement. */
export function bucketLayoutOf(document: PolicyDocument | undefined, target: BucketTarget): DetectedLayout {
  const reading = readBucket(document, target);
  if (!reading) return 'none';
  if (reading.wildcards.length > 0) return reading.perAccount.length > 0 ? 'mixed' : 'account-list';
  return 'resource-list';
}

/** The prefixes the account-list statement names (its AWSLogs/* resources), in policy order. */
export function bucketListPrefixes(document: PolicyDocument | undefined, target: BucketTarget): string[] {
  return readBucket(document, target)?.wildcards.map((w) => w.prefix) ?? [];
}

/** Whether the statement admits (account, prefix), in either layout. Built once per document: O(1) per question. */
export function bucketAdmission(document: PolicyDocument | undefined, target: BucketTarget): (accountId: string, logFilePrefix: string) => boolean {
  const reading = readBucket(document, target);
  if (!reading) return () => false;
  const perAccount = new Set(reading.perAccount.map((e) => e.resource));
  const prefixes = new Set(reading.wildcards.map((w) => w.prefix));
  const accounts = new Set(reading.accounts ?? []);
  return (accountId, logFilePrefix) =>
    perAccount.has(bucketLogsResource(target.partition, target.bucketName, logFilePrefix, accountId)) || (prefixes.has(logFilePrefix) && accounts.has(accountId));
}

/** Every account the statement admits under some prefix, in either layout (size messages, unknown accounts). */
export function bucketListedAccounts(document: PolicyDocument | undefined, target: BucketTarget): string[] {
  const reading = readBucket(document, target);
  if (!reading) return [];
  const listed = reading.wildcards.length > 0 ? (reading.accounts ?? []).filter((a) => ACCOUNT_ID.test(a)) : [];
  return unique([...reading.perAccount.map((e) => e.accountId), ...listed]);
}

function refuseOpenBucket(reading: BucketReading, target: BucketTarget): void {
  if (reading.wildcards.length > 0 && reading.accounts === undefined) {
    fail(`The ${statementName(reading.statement, bucketPolicyName(target.bucketName))} lets every account's trail write under ${reading.wildcards[0]!.resource} because it has no StringEquals ${SOURCE_ACCOUNT} list; add that list with the member accounts, or remove that Resource, so the account-list layout can name the accounts.`);
  }
}

function refuseOtherResources(reading: BucketReading, target: BucketTarget, layout: PolicyLayoutName): void {
  if (reading.others.length > 0) {
    fail(`The ${statementName(reading.statement, bucketPolicyName(target.bucketName))} lists Resource ${reading.others[0]}, which is neither an AWSLogs/<account>/* nor an AWSLogs/* path of this bucket, so converting it to the ${layout} layout would change whom that Resource admits; move it to a statement of its own, then let the next reconcile convert the statement.`);
  }
}

/**
 * The statement in the account-list layout: one AWSLogs/* per prefix it names and every account it names in
 * StringEquals aws:SourceAccount. Accounts come from the AWSLogs/<account>/* entries (held or not: nothing is
 * dropped) plus, when it already names AWSLogs/* paths, the accounts its list admits there. An existing
 * aws:SourceAccount list is kept in its order (values not admitted anywhere are left out: they admitted nothing).
 * Unchanged when there is nothing to convert.
 */
export function bucketToAccountList(current: PolicyDocument | undefined, target: BucketTarget): PolicyDocument | undefined {
  const reading = readBucket(current, target);
  if (!reading || reading.perAccount.length === 0) return current;
  refuseOtherResources(reading, target, 'account-list');
  refuseOpenBucket(reading, target);
  const document = cloneDocument(current!);
  const statement = document.Statement[reading.index]!;
  const prefixes = unique([...reading.wildcards.map((w) => w.prefix), ...reading.perAccount.map((e) => e.prefix)]);
  const named = new Set([...reading.perAccount.map((e) => e.accountId), ...(reading.wildcards.length > 0 ? reading.accounts ?? [] : [])]);
  const accounts = unique([...(reading.accounts ?? []).filter((a) => named.has(a)), ...reading.perAccount.map((e) => e.accountId)]);
  statement.Resource = prefixes.map((p) => bucketLogsWildcard(target.partition, target.bucketName, p));
  setSourceAccounts(statement, accounts);
  return document;
}

/**
 * The statement in the resource-list layout. Every account of the aws:SourceAccount list gets AWSLogs/<account>/*
 * under each prefix the ledger knows for it (`knownPrefixes`: held, adopted or written entries) that the statement
 * names; an account the ledger knows under none of those prefixes (nobody holds it) gets one under every prefix the
 * statement names, so nobody loses access. The AWSLogs/* paths and the StringEquals aws:SourceAccount list go:
 * resource-list names the accounts in Resource, and the list would cost ~15 bytes an account of the space that
 * layout lacks. A statement that admits every account (AWSLogs/* and no list) is left as it is.
 */
export function bucketToResourceList(current: PolicyDocument | undefined, target: BucketTarget, knownPrefixes: (accountId: string) => string[]): PolicyDocument | undefined {
  const reading = readBucket(current, target);
  if (!reading || reading.wildcards.length === 0 || reading.accounts === undefined) return current;
  refuseOtherResources(reading, target, 'resource-list');
  const strange = reading.accounts.find((a) => !ACCOUNT_ID.test(a));
  if (strange !== undefined) {
    fail(`The ${statementName(reading.statement, bucketPolicyName(target.bucketName))} lists '${strange}' in StringEquals ${SOURCE_ACCOUNT}, which is not a 12-digit account ID, so it cannot be converted to the resource-list layout; remove that value by hand.`);
  }
  const document = cloneDocument(current!);
  const statement = document.Statement[reading.index]!;
  const prefixes = reading.wildcards.map((w) => w.prefix);
  const resources = reading.perAccount.map((e) => e.resource);
  for (const accountId of reading.accounts) {
    const known = knownPrefixes(accountId).filter((p) => prefixes.includes(p));
    for (const prefix of known.length > 0 ? known : prefixes) resources.push(bucketLogsResource(target.partition, target.bucketName, prefix, accountId));
  }
  dropSourceAccounts(statement);
  const kept = unique(resources);
  if (kept.length === 0) {
    document.Statement.splice(reading.index, 1);
    return document.Statement.length === 0 ? undefined : document;
  }
  statement.Resource = kept;
  return document;
}

/**
 * The bucket policy in the account-list layout with the member admitted under the prefix: the prefix's AWSLogs/*
 * and the account in aws:SourceAccount (and every other R14 list). Converts a resource-list statement first; adds
 * the documented statements when there is none (SPEC R4).
 */
export function enrollInAccountListBucket(current: PolicyDocument | undefined, target: BucketTarget, member: MemberTrail): PolicyDocument {
  const wildcard = bucketLogsWildcard(target.partition, target.bucketName, target.logFilePrefix);
  const resource = bucketLogsResource(target.partition, target.bucketName, target.logFilePrefix, member.accountId);
  if (current) {
    const denials = denyingStatements(current, bucketDelivery(resource, member, target.keyArn));
    if (denials.length > 0) {
      fail(`The ${bucketPolicyName(target.bucketName)} denies ${wildcard} in statement ${denials.join(', ')}, so the member's trail would still be refused; remove that Deny by hand.`);
    }
  }
  if (!readBucket(current, target)) return bucketToAccountList(enrollInBucketPolicy(current, target, member), target)!;
  const document = cloneDocument(bucketToAccountList(current, target)!);
  const reading = readBucket(document, target)!;
  refuseOpenBucket(reading, target);
  const statement = reading.statement;
  const resources = asList(statement.Resource);
  if (!resources.includes(wildcard)) statement.Resource = [...resources, wildcard];
  if (reading.accounts === undefined) setSourceAccounts(statement, []);
  admitMemberInSourceConditions(statement, member, bucketPolicyName(target.bucketName));
  return document;
}

/** What else still needs the account or the prefix once this entry goes (the projection knows; see there). */
export interface StillNeeded {
  /** Another entry of the account in this bucket (another prefix) stays. */
  account: boolean;
  /** Another account may still write under this prefix. */
  prefix: boolean;
}

/**
 * The bucket policy without the member's entry under the prefix, in the account-list layout: the account leaves
 * the aws:SourceAccount list (and every R14 list) unless `still.account`; the prefix's AWSLogs/* goes unless
 * `still.prefix`. An emptied Resource or condition list removes the statement (SPEC R7); undefined when no
 * statement is left (S3 refuses an empty policy: the caller deletes it).
 */
export function removeFromAccountListBucket(current: PolicyDocument | undefined, target: BucketTarget, member: MemberTrail, still: StillNeeded): PolicyDocument | undefined {
  const reading = readBucket(current, target);
  if (!reading) return current;
  const document = cloneDocument(current!);
  const statement = document.Statement[reading.index]!;
  const drop = new Set([bucketLogsResource(target.partition, target.bucketName, target.logFilePrefix, member.accountId)]);
  if (!still.prefix) drop.add(bucketLogsWildcard(target.partition, target.bucketName, target.logFilePrefix));
  const kept = asList(statement.Resource).filter((r) => !drop.has(r));
  statement.Resource = kept;
  const emptied = !still.account && dismissMemberFromSourceConditions(statement, member);
  if (kept.length === 0 || emptied) document.Statement.splice(reading.index, 1);
  return document.Statement.length === 0 ? undefined : document;
}

/** What still keeps the member's trail from writing under this prefix, in either layout; empty when enrolled. */
export function bucketEntryGaps(current: PolicyDocument | undefined, target: BucketTarget, member: MemberTrail): string[] {
  const reading = readBucket(current, target);
  if (!reading || reading.wildcards.length === 0) return bucketEnrollmentGaps(current, target, member);
  const wildcard = bucketLogsWildcard(target.partition, target.bucketName, target.logFilePrefix);
  const resource = bucketLogsResource(target.partition, target.bucketName, target.logFilePrefix, member.accountId);
  const resources = asList(reading.statement.Resource);
  const gaps = resources.includes(wildcard) || resources.includes(resource) ? [] : [`Resource lists neither ${wildcard} nor ${resource}`];
  if (reading.accounts === undefined) gaps.push(`the statement has no StringEquals ${SOURCE_ACCOUNT} list, so it admits every account's trail under ${wildcard}`);
  const denials = denyingStatements(current, bucketDelivery(resource, member, target.keyArn)).map((d) => `statement ${d} denies ${resource}`);
  return [...gaps, ...sourceConditionGaps(reading.statement, member), ...denials];
}

// ---------------------------------------------------------------------------------------------------------------
// Key policy

interface KeyReading {
  index: number;
  statement: Statement;
  /** undefined: the statement has no encryption-context condition and admits every trail. */
  patterns: string[] | undefined;
  perAccount: Array<{ accountId: string; pattern: string }>;
  wildcard: boolean;
  others: string[];
  accounts: string[] | undefined;
}

function readKey(document: PolicyDocument, target: KeyTarget): KeyReading | undefined {
  const index = findTargetStatement(document, keyStatementSelector(target));
  if (index === -1) return undefined;
  const partition = partitionOf(target);
  const statement = document.Statement[index]!;
  const patterns = managedKeyPatterns(document, target);
  const reading: KeyReading = { index, statement, patterns, perAccount: [], wildcard: false, others: [], accounts: sourceAccounts(statement) };
  const any = anyTrailPattern(partition);
  for (const pattern of patterns ?? []) {
    const accountId = /^arn:[^:]+:cloudtrail:\*:([0-9]{12}):trail\/\*$/.exec(pattern)?.[1];
    if (accountId && trailArnPattern(partition, accountId) === pattern) reading.perAccount.push({ accountId, pattern });
    else if (pattern === any) reading.wildcard = true;
    else reading.others.push(pattern);
  }
  return reading;
}

function contextKey(statement: Statement): string {
  return Object.keys(statement.Condition!.StringLike!).find((k) => k.toLowerCase() === ENCRYPTION_CONTEXT_KEY.toLowerCase())!;
}

/** Which layout the managed key statement is in; 'mixed' when it names both shapes, 'none' without a statement. */
export function keyLayoutOf(document: PolicyDocument, target: KeyTarget): DetectedLayout {
  const reading = readKey(document, target);
  if (!reading) return 'none';
  if (reading.wildcard) return reading.perAccount.length > 0 ? 'mixed' : 'account-list';
  return 'resource-list';
}

/** Whether the statement admits the account's trails, in either layout (no encryption-context condition: every trail). */
export function keyAdmission(document: PolicyDocument, target: KeyTarget): (accountId: string) => boolean {
  const reading = readKey(document, target);
  if (!reading) return () => false;
  if (reading.patterns === undefined) return () => true;
  const perAccount = new Set(reading.perAccount.map((e) => e.accountId));
  const listed = new Set(reading.wildcard ? reading.accounts ?? [] : []);
  return (accountId) => perAccount.has(accountId) || listed.has(accountId);
}

/** Every account the statement names, in either layout. */
export function keyListedAccounts(document: PolicyDocument, target: KeyTarget): string[] {
  const reading = readKey(document, target);
  if (!reading) return [];
  const listed = reading.wildcard ? (reading.accounts ?? []).filter((a) => ACCOUNT_ID.test(a)) : [];
  return unique([...reading.perAccount.map((e) => e.accountId), ...listed]);
}

function refuseOpenKey(reading: KeyReading, target: KeyTarget): void {
  if (reading.wildcard && reading.accounts === undefined) {
    fail(`The ${statementName(reading.statement, keyPolicyName(target.keyArn))} lets every account's trails use the key (${anyTrailPattern(partitionOf(target))}) because it has no StringEquals ${SOURCE_ACCOUNT} list; add that list with the member accounts so the account-list layout can name the accounts.`);
  }
}

function refuseOtherPatterns(reading: KeyReading, target: KeyTarget, layout: PolicyLayoutName): void {
  if (reading.others.length > 0) {
    fail(`The ${statementName(reading.statement, keyPolicyName(target.keyArn))} lists ${reading.others[0]} under StringLike ${ENCRYPTION_CONTEXT_KEY}, which is neither ${trailArnPattern(partitionOf(target), '<account>')} nor ${anyTrailPattern(partitionOf(target))}, so converting it to the ${layout} layout would change whom it admits; move that value to a statement of its own, then let the next reconcile convert the statement.`);
  }
}

/** The key statement in the account-list layout: the one trail pattern, every account it names in aws:SourceAccount (as for the bucket). */
export function keyToAccountList(current: PolicyDocument, target: KeyTarget): PolicyDocument {
  const reading = readKey(current, target);
  if (!reading || reading.perAccount.length === 0) return current;
  refuseOtherPatterns(reading, target, 'account-list');
  refuseOpenKey(reading, target);
  const document = cloneDocument(current);
  const statement = document.Statement[reading.index]!;
  const named = new Set([...reading.perAccount.map((e) => e.accountId), ...(reading.wildcard ? reading.accounts ?? [] : [])]);
  const accounts = unique([...(reading.accounts ?? []).filter((a) => named.has(a)), ...reading.perAccount.map((e) => e.accountId)]);
  statement.Condition!.StringLike![contextKey(statement)] = [anyTrailPattern(partitionOf(target))];
  setSourceAccounts(statement, accounts);
  return document;
}

/** The key statement in the resource-list layout: a trail pattern for every listed account (held or not); the list goes. */
export function keyToResourceList(current: PolicyDocument, target: KeyTarget): PolicyDocument {
  const reading = readKey(current, target);
  if (!reading || !reading.wildcard || reading.accounts === undefined) return current;
  refuseOtherPatterns(reading, target, 'resource-list');
  const strange = reading.accounts.find((a) => !ACCOUNT_ID.test(a));
  if (strange !== undefined) {
    fail(`The ${statementName(reading.statement, keyPolicyName(target.keyArn))} lists '${strange}' in StringEquals ${SOURCE_ACCOUNT}, which is not a 12-digit account ID, so it cannot be converted to the resource-list layout; remove that value by hand.`);
  }
  const document = cloneDocument(current);
  const statement = document.Statement[reading.index]!;
  const partition = partitionOf(target);
  const patterns = unique([...reading.perAccount.map((e) => e.pattern), ...reading.accounts.map((a) => trailArnPattern(partition, a))]);
  dropSourceAccounts(statement);
  if (patterns.length === 0) {
    document.Statement.splice(reading.index, 1);
    if (document.Statement.length === 0) fail(`Converting the ${keyPolicyName(target.keyArn)} would leave it with no statement at all; add the key administrators' statement first.`);
    return document;
  }
  statement.Condition!.StringLike![contextKey(statement)] = patterns;
  return document;
}

/** The key policy in the account-list layout with the member's account in aws:SourceAccount (and every R14 list). */
export function enrollInAccountListKey(current: PolicyDocument, target: KeyTarget, member: MemberTrail): PolicyDocument {
  const partition = partitionOf(target);
  const any = anyTrailPattern(partition);
  const own = trailArnPattern(partition, member.accountId);
  const denials = denyingStatements(current, keyDelivery(target.keyArn, member));
  if (denials.length > 0) {
    fail(`The ${keyPolicyName(target.keyArn)} denies ${own} in statement ${denials.join(', ')}, so the member's trail would still be refused; remove that Deny by hand.`);
  }
  if (!readKey(current, target)) return keyToAccountList(enrollInKeyPolicy(current, target, member), target);
  const document = cloneDocument(keyToAccountList(current, target));
  const reading = readKey(document, target)!;
  const statement = reading.statement;
  if (reading.patterns !== undefined) {
    refuseOpenKey(reading, target);
    const key = contextKey(statement);
    const values = asList(statement.Condition!.StringLike![key]);
    if (!values.includes(any)) statement.Condition!.StringLike![key] = [...values, any];
    if (reading.accounts === undefined) setSourceAccounts(statement, []);
  }
  // Without an encryption-context condition the statement admits every trail already: it is not narrowed.
  admitMemberInSourceConditions(statement, member, keyPolicyName(target.keyArn));
  return document;
}

/** The key policy without the member's account; an emptied list removes the statement (SPEC R7). */
export function removeFromAccountListKey(current: PolicyDocument, target: KeyTarget, member: MemberTrail): PolicyDocument {
  const reading = readKey(current, target);
  if (!reading) return current;
  const document = cloneDocument(current);
  const statement = document.Statement[reading.index]!;
  let emptied = false;
  if (reading.patterns !== undefined) {
    const key = contextKey(statement);
    const own = trailArnPattern(partitionOf(target), member.accountId);
    const kept = asList(statement.Condition!.StringLike![key]).filter((v) => v !== own);
    statement.Condition!.StringLike![key] = kept;
    emptied = kept.length === 0;
  }
  if (dismissMemberFromSourceConditions(statement, member)) emptied = true;
  if (emptied) document.Statement.splice(reading.index, 1);
  if (document.Statement.length === 0) {
    fail(`Removing ${member.accountId} would leave the ${keyPolicyName(target.keyArn)} with no statement at all; add the key administrators' statement before removing the last account.`);
  }
  return document;
}


/** What still keeps the member's trail from encrypting with the key, in either layout; empty when enrolled. */
export function keyEntryGaps(current: PolicyDocument, target: KeyTarget, member: MemberTrail): string[] {
  const reading = readKey(current, target);
  if (!reading || !reading.wildcard) return keyEnrollmentGaps(current, target, member);
  const partition = partitionOf(target);
  const gaps = reading.accounts === undefined ? [`the statement has no StringEquals ${SOURCE_ACCOUNT} list, so it admits every account's trails`] : [];
  const denials = denyingStatements(current, keyDelivery(target.keyArn, member)).map((d) => `statement ${d} denies ${trailArnPattern(partition, member.accountId)}`);
  return [...gaps, ...sourceConditionGaps(reading.statement, member), ...denials];
}

// ---------------------------------------------------------------------------------------------------------------
// Listing values for change logs (SPEC R20)

/** The values the managed statements list, for "added"/"removed" log fields: Resource entries, trail patterns and, in the account-list layout, `aws:SourceAccount <account>` per account. */
export function managedBucketValues(document: PolicyDocument | undefined, target: BucketTarget): string[] {
  const reading = readBucket(document, target);
  if (!reading) return [];
  const accounts = reading.wildcards.length > 0 ? (reading.accounts ?? []).map((a) => sourceAccountValue('bucket', a)) : [];
  return [...managedBucketResources(document, target), ...accounts];
}

export function managedKeyValues(document: PolicyDocument, target: KeyTarget): string[] {
  const reading = readKey(document, target);
  if (!reading) return [];
  const accounts = reading.wildcard ? (reading.accounts ?? []).map((a) => sourceAccountValue('key', a)) : [];
  return [...(reading.patterns ?? []), ...accounts];
}

export function sourceAccountValue(policy: 'bucket' | 'key', accountId: string): string {
  return `${policy} policy ${SOURCE_ACCOUNT} ${accountId}`;
}
