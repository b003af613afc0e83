/**
 * Where CloudTrail writes an account's files, and the time in their names (SPEC R35). A file's time is the UTC
 * timestamp in its name, never S3's LastModified (copies and replication change that).
 *
 *   [<prefix>/]AWSLogs/<account>/CloudTrail-Digest/<region>/<yyyy>/<mm>/<dd>/
 *     <account>_CloudTrail-Digest_<region>_<trail>_<region>_<yyyymmddThhmmssZ>[_backfill].json.gz
 *   [<prefix>/]AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/
 *     <account>_CloudTrail_<region>_<yyyymmddThhmmZ>_<unique>.json.gz
 *
 * Within one day folder log file names sort by time (they differ only from the timestamp on); digest names sort
 * by trail name first, so the newest digest is the largest timestamp, not the last key.
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** One account's files in one region under one prefix: what a delivery check reads. */
export interface DeliveryPlace {
  accountId: string;
  /** '' when the trail writes without a prefix. */
  logFilePrefix: string;
  region: string;
}

export type FileKind = 'digest' | 'log';

const FOLDER: Record<FileKind, string> = { digest: 'CloudTrail-Digest', log: 'CloudTrail' };

/** <prefix>/AWSLogs/<account>/CloudTrail[-Digest]/<region>/ */
export function regionFolder(place: DeliveryPlace, kind: FileKind): string {
  const prefix = place.logFilePrefix ? `${place.logFilePrefix}/` : '';
  return `${prefix}AWSLogs/${place.accountId}/${FOLDER[kind]}/${place.region}/`;
}

const two = (n: number) => String(n).padStart(2, '0');

/** The region folder's yyyy/mm/dd/ folder of the UTC day that holds `at`. */
export function dayFolder(place: DeliveryPlace, kind: FileKind, at: number): string {
  const d = new Date(at);
  return `${regionFolder(place, kind)}${d.getUTCFullYear()}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())}/`;
}

/** Midnight UTC of the day that holds `at`. */
export function utcDayStart(at: number): number {
  return Math.floor(at / DAY_MS) * DAY_MS;
}

/**
 * The key a log file delivered at `at` (to the minute) starts with. Every log file of that minute and later in
 * the same folder sorts after it, so it is a ListObjectsV2 StartAfter that skips the older files.
 */
export function logKeyStartingAt(place: DeliveryPlace, at: number): string {
  const d = new Date(at);
  const stamp = `${d.getUTCFullYear()}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}T${two(d.getUTCHours())}${two(d.getUTCMinutes())}Z`;
  return `${dayFolder(place, 'log', at)}${place.accountId}_CloudTrail_${place.region}_${stamp}`;
}

/** Epoch milliseconds of a yyyymmddThhmm[ss]Z stamp, or undefined when it is not a real UTC time. */
function stampTime(stamp: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})?Z$/.exec(stamp);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map((v) => Number(v ?? 0)) as [number, number, number, number, number, number];
  const at = Date.UTC(year, month - 1, day, hour, minute, second);
  const d = new Date(at);
  const real = d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day && d.getUTCHours() === hour && d.getUTCMinutes() === minute && d.getUTCSeconds() === second;
  return real ? at : undefined;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The file's name without its folder. */
function baseName(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}

/**
 * The time in a digest file's name, when the key is a digest file of this account and region (the trail name,
 * letters, digits, '.', '_' and '-', may hold underscores); undefined for anything else in the folder.
 */
export function digestTime(key: string, place: DeliveryPlace): number | undefined {
  const region = escape(place.region);
  const shape = new RegExp(`^${place.accountId}_CloudTrail-Digest_${region}_[A-Za-z0-9._-]+_${region}_(\\d{8}T\\d{6}Z)(?:_backfill)?\\.json\\.gz$`);
  const stamp = shape.exec(baseName(key))?.[1];
  return stamp === undefined ? undefined : stampTime(stamp);
}

/** The time in a log file's name, when the key is a log file of this account and region; undefined otherwise. */
export function logTime(key: string, place: DeliveryPlace): number | undefined {
  const shape = new RegExp(`^${place.accountId}_CloudTrail_${escape(place.region)}_(\\d{8}T\\d{4}Z)_[A-Za-z0-9]+\\.json\\.gz$`);
  const stamp = shape.exec(baseName(key))?.[1];
  return stamp === undefined ? undefined : stampTime(stamp);
}

/** A time as the JSON output and the logs show it: ISO 8601 in UTC, to the second. */
export function isoTime(at: number): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
