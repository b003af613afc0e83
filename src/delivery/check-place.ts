import { KeyRef } from '../core/arns';
import { classify, Findings } from './classify';
import { DAY_MS, dayFolder, DeliveryPlace, digestTime, HOUR_MS, logKeyStartingAt, logTime, regionFolder, utcDayStart } from './cloudtrail-names';
import { DeliveryStatus } from './delivery-status';
import { ListingRequest, LogObjectReader } from './ports';

/** SPEC R35: at most this many S3 requests per account and region. */
export const S3_REQUESTS_PER_PLACE = 4;

/** Log files are looked for from this long before the newest digest (or now) first; digests come hourly. */
const LOG_LOOKBACK_MS = HOUR_MS;

export interface PlaceCheckOptions {
  now: number;
  silentAfterMs: number;
  trailKey: KeyRef;
  signal: AbortSignal;
  /** An S3 failure (or the check's own timeout) as one sentence for the finding's reason. */
  explain(error: unknown): string;
}

class Budget {
  used = 0;
  constructor(private readonly limit: number) {}
  get left(): number {
    return this.limit - this.used;
  }
  take(): boolean {
    if (this.used >= this.limit) return false;
    this.used++;
    return true;
  }
}

interface Newest {
  newest?: { key: string; at: number };
  /** Pages were left unread because the budget had to keep `reserve` requests for what comes after. */
  cut: boolean;
}

/** The newest file of a listing (by the time in its name), reading pages while the budget keeps `reserve` requests. */
async function newestListed(reader: LogObjectReader, budget: Budget, request: ListingRequest, timeOf: (key: string) => number | undefined, reserve: number, signal: AbortSignal): Promise<Newest> {
  let newest: Newest['newest'];
  let token: string | undefined;
  do {
    if (budget.left <= reserve || !budget.take()) return { ...(newest ? { newest } : {}), cut: true };
    const page = await reader.list({ ...request, ...(token ? { continuationToken: token } : {}) }, signal);
    for (const key of page.keys) {
      const at = timeOf(key);
      if (at !== undefined && (!newest || at > newest.at)) newest = { key, at };
    }
    token = page.nextToken;
  } while (token);
  return { ...(newest ? { newest } : {}), cut: false };
}

/**
 * One account's delivery in one region under one prefix (SPEC R35), in at most S3_REQUESTS_PER_PLACE requests:
 *
 * 1. one ListObjectsV2 of the digest folder from yesterday's UTC day folder on: yesterday's and today's digests
 *    (24 a day per trail) in one page, so midnight needs no second listing;
 * 2. one ListObjectsV2 of the log folder starting an hour before the newest digest (log names sort by time, so
 *    StartAfter skips the older files of a busy account); only when that finds nothing, one more from
 *    yesterday's folder on;
 * 3. HeadObject of the newest log file for its encryption.
 *
 * Any failure ends the check: the state is unknown with the failure as its reason, never silent by guess.
 */
export async function checkPlace(place: DeliveryPlace, reader: LogObjectReader, options: PlaceCheckOptions): Promise<{ status: DeliveryStatus; requests: number }> {
  const { now, signal } = options;
  const budget = new Budget(S3_REQUESTS_PER_PLACE);
  const findings: Findings = {};
  const yesterday = utcDayStart(now) - DAY_MS;
  try {
    const digests = await newestListed(reader, budget, { prefix: regionFolder(place, 'digest'), startAfter: dayFolder(place, 'digest', yesterday) }, (key) => digestTime(key, place), 2, signal);
    if (digests.newest) findings.newestDigest = digests.newest;
    findings.digestsCut = digests.cut;

    const logFolder = regionFolder(place, 'log');
    const anchor = Math.max(yesterday, Math.min(now, digests.newest?.at ?? now) - LOG_LOOKBACK_MS);
    let logs = await newestListed(reader, budget, { prefix: logFolder, startAfter: logKeyStartingAt(place, anchor) }, (key) => logTime(key, place), 1, signal);
    if (!logs.newest && !logs.cut && anchor > yesterday) {
      logs = await newestListed(reader, budget, { prefix: logFolder, startAfter: dayFolder(place, 'log', yesterday) }, (key) => logTime(key, place), 1, signal);
    }
    if (logs.newest) findings.newestLog = logs.newest;
    findings.logsCut = logs.cut;

    if (logs.newest && budget.take()) findings.encryption = await reader.head(logs.newest.key, signal);
  } catch (error) {
    findings.failure = options.explain(error);
  }
  return { status: classify(place, findings, options), requests: budget.used };
}
