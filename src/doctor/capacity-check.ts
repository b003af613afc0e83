import { BucketTarget, bucketPolicyName } from '../core/bucket-policy';
import { fillToLimit } from '../core/capacity';
import { OperatorError } from '../core/errors';
import { KeyTarget, keyPolicyName } from '../core/key-policy';
import { PolicyLayoutName } from '../core/layout-names';
import { bucketLayoutFound, keyLayoutFound, policyLayout } from '../core/layouts';
import { compactByteLength, PolicyDocument } from '../core/policy-document';
import { BUCKET_POLICY_LIMIT_BYTES, KEY_POLICY_LIMIT_BYTES } from '../core/size-limits';
import { Check, failed, pass, splitSentence, warn } from './check';
import { DoctorInput } from './input';

/** capacity warns at this share of either policy's size limit (the template's capacity alarm default, SPEC R36). */
export const CAPACITY_WARN_PERCENT = 80;

interface LayoutRoom {
  layout: PolicyLayoutName;
  /** More accounts that fit in both policies; undefined when the statements cannot be converted to this layout. */
  accounts?: number;
  refused?: string;
}

const other = (layout: PolicyLayoutName): PolicyLayoutName => (layout === 'account-list' ? 'resource-list' : 'account-list');
const EMPTY: PolicyDocument = { Version: '2012-10-17', Statement: [] };
/** Accounts in a row with equal growth before the rest is counted (fillToLimit); keeps doctor to a fraction of a second. */
const STEADY = 8;

/** How many more accounts fit in both policies when they are written in `layout` (converted first, as reconcile would). */
function room(input: DoctorInput, layout: PolicyLayoutName, bucketTarget: BucketTarget, keyTarget: KeyTarget): LayoutRoom {
  const { bucket, key } = policyLayout(layout);
  const known = knownPrefixes(input);
  try {
    const bucketStart = bucket.convert(input.estate.bucketPolicy, bucketTarget, known) ?? EMPTY;
    const keyStart = key.convert(input.estate.keyPolicy, keyTarget);
    const partition = bucketTarget.partition;
    const bucketFill = fillToLimit(bucketStart, BUCKET_POLICY_LIMIT_BYTES, (doc, accountId) => bucket.enroll(doc, bucketTarget, { partition, accountId }), STEADY);
    const keyFill = fillToLimit(keyStart, KEY_POLICY_LIMIT_BYTES, (doc, accountId) => key.enroll(doc, keyTarget, { partition, accountId }), STEADY);
    return { layout, accounts: Math.min(bucketFill.accounts, keyFill.accounts) };
  } catch (error) {
    if (!(error instanceof OperatorError)) throw error;
    return { layout, refused: error.message };
  }
}

/** The ledger's prefixes of an account, for converting back to resource-list (SPEC R34). */
function knownPrefixes(input: DoctorInput): (accountId: string) => string[] {
  const snapshot = input.ledger?.snapshot;
  if (!snapshot) return () => [];
  return (accountId) => [...new Set([...snapshot.holdings, ...snapshot.bucketEntries].filter((e) => e.accountId === accountId && e.bucketName === input.targets.bucketName).map((e) => e.logFilePrefix))];
}

function percent(bytes: number, limit: number): number {
  return Math.round((bytes / limit) * 100);
}

function firstClause(sentence: string): string {
  return sentence.replace(/;.*$/, '').replace(/\.$/, '');
}

function roomSentence(here: LayoutRoom, there: LayoutRoom): string {
  const now = here.accounts !== undefined ? `${here.accounts.toLocaleString('en-US')} more accounts fit in the ${here.layout} layout the statements use` : `no account can be added until the statements are fixed (${firstClause(here.refused!)})`;
  const then = there.accounts !== undefined ? `${there.accounts.toLocaleString('en-US')} in the ${there.layout} layout` : `converting to the ${there.layout} layout is refused (${firstClause(there.refused!)})`;
  return `${now}, ${then}`;
}

/**
 * capacity: each policy's compact size against its limit (SPEC R11), and how many more accounts fit, in the layout
 * the statements are in now and in the other one (SPEC R34).
 */
export function capacityCheck(input: DoctorInput): Check {
  const { targets, estate } = input;
  const partition = targets.key.partition;
  const bucketTarget: BucketTarget = { partition, bucketName: targets.bucketName, logFilePrefix: targets.prefix ?? '', sid: targets.bucketSid };
  const keyTarget: KeyTarget = { keyArn: targets.key.arn, sid: targets.keySid };
  const bucketBytes = estate.bucketPolicy ? compactByteLength(estate.bucketPolicy) : 0;
  const keyBytes = compactByteLength(estate.keyPolicy);
  const bucketPercent = percent(bucketBytes, BUCKET_POLICY_LIMIT_BYTES);
  const keyPercent = percent(keyBytes, KEY_POLICY_LIMIT_BYTES);
  const current = bucketLayoutFound(estate.bucketPolicy, bucketTarget).name === 'account-list' || keyLayoutFound(estate.keyPolicy, keyTarget).name === 'account-list' ? 'account-list' : 'resource-list';
  const here = room(input, current, bucketTarget, keyTarget);
  const there = room(input, other(current), bucketTarget, keyTarget);
  const sizes = `The ${bucketPolicyName(targets.bucketName)} is ${bucketBytes.toLocaleString('en-US')} of ${BUCKET_POLICY_LIMIT_BYTES.toLocaleString('en-US')} bytes (${bucketPercent}%) and the ${keyPolicyName(targets.key.arn)} ${keyBytes.toLocaleString('en-US')} of ${KEY_POLICY_LIMIT_BYTES.toLocaleString('en-US')} (${keyPercent}%)`;
  const message = `${sizes}; ${roomSentence(here, there)}.`;
  const switchFix = here.layout === 'resource-list' ? 'set PolicyLayout to account-list (about 15 bytes an account)' : 'move some accounts to another bucket and key';
  if (here.refused) return warn('capacity', message, splitSentence(here.refused).fix ?? 'Fix the statement as the message says.');
  if (here.accounts === 0) return failed('capacity', message, `No further account fits: ${switchFix}, or use an organization trail.`);
  if (Math.max(bucketBytes / BUCKET_POLICY_LIMIT_BYTES, keyBytes / KEY_POLICY_LIMIT_BYTES) * 100 >= CAPACITY_WARN_PERCENT) return warn('capacity', message, `Make room before the next rollout: ${switchFix}, or shorten the log file prefix.`);
  return pass('capacity', message);
}
