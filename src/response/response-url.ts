/**
 * Where a response may go (SPEC R18): https to CloudFormation's response bucket on amazonaws.com(.cn),
 * virtual-hosted or path-style, or a RESPONSE_URL_EXTRA_HOSTS host (http or https, any port) for local runs;
 * and whether an admitted URL can still be answered (SPEC R39: a presigned URL expires).
 */
const DIRECTION = '(?:north|south|east|west|central|northeast|northwest|southeast|southwest)';
const RESPONSE_BUCKET_PREFIX = 'cloudformation-custom-resource-response-';
/** The bucket name: the region without dashes, e.g. useast1, usgovwest1, cnnorth1, apsoutheast2. */
const RESPONSE_BUCKET = new RegExp(`^${RESPONSE_BUCKET_PREFIX}([a-z]{2})(?:gov)?${DIRECTION}[0-9]{1,2}$`);
/** S3 endpoints: s3, s3.<region>, s3-<region>, s3.dualstack.<region>, s3-external-1, on amazonaws.com(.cn). */
const S3_HOST = new RegExp(`^s3(?:\\.dualstack)?(?:[.-][a-z]{2}(?:-gov)?-${DIRECTION}-[0-9]{1,2}|-external-1)?\\.amazonaws\\.com(\\.cn)?$`);

/**
 * The bucket is the response bucket of the stack's region (SPEC R39: a bucket named for another region, or for
 * no region at all, may be anybody's), addressed on an S3 endpoint; amazonaws.com.cn serves the China regions
 * only, and they are served nowhere else.
 */
function bucketOnHost(bucket: string, s3Host: string, stackRegion: string): boolean {
  const bucketMatch = RESPONSE_BUCKET.exec(bucket);
  const hostMatch = S3_HOST.exec(s3Host);
  if (!bucketMatch || !hostMatch || bucket !== `${RESPONSE_BUCKET_PREFIX}${stackRegion.replace(/-/g, '')}`) return false;
  return (bucketMatch[1] === 'cn') === (hostMatch[1] === '.cn');
}

/** The URL a response may go to, or undefined; stackRegion is the region of the request's StackId, if it has one. */
export function admitResponseUrl(raw: unknown, extraHosts: readonly string[], stackRegion: string | undefined): URL | undefined {
  if (typeof raw !== 'string') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.username || url.password) return undefined;
  const host = url.hostname.toLowerCase();
  if (extraHosts.includes(host)) return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined;
  if (url.protocol !== 'https:' || url.port !== '' || stackRegion === undefined) return undefined;
  const dot = host.indexOf('.');
  if (dot > 0 && bucketOnHost(host.slice(0, dot), host.slice(dot + 1), stackRegion)) return url;
  const firstSegment = url.pathname.split('/')[1] ?? '';
  if (bucketOnHost(firstSegment, host, stackRegion)) return url;
  return undefined;
}

/** SigV4 query authentication: X-Amz-Date (yyyymmddThhmmssZ) and X-Amz-Expires (seconds; S3 signs at most 7 days). */
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const MAX_SIGV4_SECONDS = 604_800;

function sigV4Expiry(query: URLSearchParams): number | undefined {
  const amzDate = query.get('X-Amz-Date') ?? '';
  const date = AMZ_DATE.exec(amzDate);
  const seconds = query.get('X-Amz-Expires') ?? '';
  if (!date || !/^\d{1,6}$/.test(seconds) || Number(seconds) > MAX_SIGV4_SECONDS) return undefined;
  const [year, month, day, hour, minute, second] = date.slice(1).map(Number) as [number, number, number, number, number, number];
  const signedAt = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls a 13th month or a 61st second over; S3 would not sign such a date, so it tells nothing.
  if (new Date(signedAt).toISOString().replace(/[-:]|\.\d{3}/g, '') !== amzDate) return undefined;
  return signedAt + Number(seconds) * 1000;
}

/** SigV2 query authentication: Expires, epoch seconds. */
function sigV2Expiry(query: URLSearchParams): number | undefined {
  const expires = query.get('Expires') ?? '';
  return /^\d{1,12}$/.test(expires) ? Number(expires) * 1000 : undefined;
}

/**
 * When S3 stops accepting a presigned ResponseURL (SPEC R39): the earlier of its SigV4 and SigV2 expiries, or
 * undefined when it carries neither in a form S3 signs (such a URL is judged by its host alone, as before).
 */
export function responseUrlExpiry(url: URL): Date | undefined {
  const expiries = [sigV4Expiry(url.searchParams), sigV2Expiry(url.searchParams)].filter((t): t is number => t !== undefined);
  return expiries.length === 0 ? undefined : new Date(Math.min(...expiries));
}

/** Whether nobody can receive an answer at that URL any more: S3 accepts it up to and including its expiry. */
export function responseUrlExpired(url: URL, now: Date): boolean {
  const expiry = responseUrlExpiry(url);
  return expiry !== undefined && now.getTime() > expiry.getTime();
}

/** The host alone, for logs: the full ResponseURL is a presigned credential and is never logged. */
export function hostOf(raw: unknown): string {
  try {
    return new URL(String(raw)).host || '(none)';
  } catch {
    return '(not a URL)';
  }
}
