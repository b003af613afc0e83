import { KeyRef } from '../core/arns';
import { DeliveryPlace, HOUR_MS, isoTime, regionFolder } from './cloudtrail-names';
import { DeliveryStatus } from './delivery-status';
import { keyVerdict, ObjectEncryption } from './trail-key';

/** What the listings and the HeadObject found for one place. */
export interface Findings {
  newestDigest?: { key: string; at: number };
  newestLog?: { key: string; at: number };
  /** HeadObject of the newest log file; undefined when there is none or it was not read. */
  encryption?: ObjectEncryption;
  /** A listing or HeadObject that failed, as an operator sentence: the state is unknown, never guessed. */
  failure?: string;
  /** The request budget ran out with digest (resp. log) files left unread. */
  digestsCut?: boolean;
  logsCut?: boolean;
}

export interface Judgement {
  now: number;
  silentAfterMs: number;
  trailKey: KeyRef;
}

function age(ms: number): string {
  if (ms < HOUR_MS) return `${Math.max(0, Math.round(ms / 60_000))} minutes`;
  return `${(ms / HOUR_MS).toFixed(1)} hours`;
}

function hours(ms: number): string {
  const h = ms / HOUR_MS;
  return `${Number.isInteger(h) ? h : h.toFixed(2)}-hour`;
}

/**
 * The state of one place (SPEC R35): silent when the newest digest is older than the threshold or missing,
 * unencrypted when the newest log file is not SSE-KMS under the trail key, unknown when something could not be
 * read (or the budget left too much unread to tell), delivering otherwise. Pure.
 */
export function classify(place: DeliveryPlace, findings: Findings, judgement: Judgement): DeliveryStatus {
  const { now, silentAfterMs, trailKey } = judgement;
  const verdict = findings.encryption ? keyVerdict(findings.encryption, trailKey) : undefined;
  const base = {
    region: place.region,
    prefix: place.logFilePrefix,
    latestDigestAt: findings.newestDigest ? isoTime(findings.newestDigest.at) : null,
    latestLogAt: findings.newestLog ? isoTime(findings.newestLog.at) : null,
    logEncryptedWithTrailKey: verdict === undefined || verdict.under === 'an alias' ? null : verdict.under === 'trail key',
  };
  if (findings.failure) return { ...base, state: 'unknown', reason: findings.failure };

  const digest = findings.newestDigest;
  const digestAge = digest ? now - digest.at : Infinity;
  if (digestAge > silentAfterMs) {
    if (findings.digestsCut) {
      return { ...base, state: 'unknown', reason: `The digest folder ${regionFolder(place, 'digest')} holds more files than the check reads within its request budget and none of those read is newer than the ${hours(silentAfterMs)} threshold, so whether the trail delivers could not be told; look at the folder with aws s3 ls.` };
    }
    const log = findings.newestLog;
    const logsArrive = log !== undefined && now - log.at <= silentAfterMs;
    const reason = logsArrive
      ? `${digest ? `The newest digest file is from ${isoTime(digest.at)}, ${age(digestAge)} ago,` : `There is no digest file in ${regionFolder(place, 'digest')} for yesterday or today (UTC),`} but log files still arrive (the newest from ${isoTime(log.at)}), so log file validation is probably off for the trail; turn it on.`
      : digest
        ? `The newest digest file is from ${isoTime(digest.at)}, ${age(digestAge)} ago, older than the ${hours(silentAfterMs)} threshold; the trail stopped delivering to this folder.`
        : `There is no digest file in ${regionFolder(place, 'digest')} for yesterday or today (UTC); the trail is not delivering here, or delivers without log file validation.`;
    return { ...base, state: 'silent', reason };
  }

  const log = findings.newestLog;
  if (!log) {
    const where = findings.logsCut ? `the check's request budget ran out before it found a log file in ${regionFolder(place, 'log')}` : `there is no log file in ${regionFolder(place, 'log')} for yesterday or today (UTC)`;
    return { ...base, state: 'delivering', reason: `The trail delivers digest files but ${where}, so the encryption of its log files was not checked.` };
  }
  const cut = findings.logsCut ? ' (the log folder holds more files than the check reads, so a newer log file may exist)' : '';
  const file = `The newest log file${cut}, from ${isoTime(log.at)},`;
  switch (verdict?.under) {
    case 'trail key':
      // Digest files are SSE-S3 whatever the trail's key, so they keep coming when CloudTrail can no longer encrypt
      // log files with the trail key; an idle account also writes digests without log files. Worth saying either way.
      if (now - log.at > silentAfterMs) return { ...base, state: 'delivering', reason: `${file} ${age(now - log.at)} ago, is older than the ${hours(silentAfterMs)} threshold while digest files still arrive: either the account had no events since, or CloudTrail cannot encrypt log files with the trail key (the member's aws cloudtrail get-trail-status shows LatestDeliveryError).` };
      return findings.logsCut ? { ...base, state: 'delivering', reason: `${file} is encrypted with the trail key.` } : { ...base, state: 'delivering' };
    case 'no KMS key':
      return { ...base, state: 'unencrypted', reason: `${file} is encrypted with ${verdict.encryption === 'none' ? 'no server-side encryption' : verdict.encryption}, not SSE-KMS under the trail key; set the trail's KMS key to ${trailKey.arn}.` };
    case 'another key':
      return { ...base, state: 'unencrypted', reason: `${file} is encrypted under the KMS key ${verdict.keyId}, not the trail key ${trailKey.arn}; set the trail's KMS key to the trail key.` };
    case 'an alias':
      return { ...base, state: 'unknown', reason: `${file} names its KMS key by the alias ${verdict.alias}, which the check cannot resolve; run aws kms describe-key --key-id ${verdict.alias} to see whether it is ${trailKey.arn}.` };
    default:
      return { ...base, state: 'unknown', reason: `${file} was not examined within the check's request budget, so its encryption could not be told.` };
  }
}
