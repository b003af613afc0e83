/**
 * Where a response may go (SPEC R18): https to CloudFormation's response bucket on amazonaws.com(.cn),
 * virtual-hosted or path-style, or a RESPONSE_URL_EXTRA_HOSTS host (http or https, any port) for local runs.
 */
const DIRECTION = '(?:north|south|east|west|central|northeast|northwest|southeast|southwest)';
/** The bucket name: the region without dashes, e.g. useast1, usgovwest1, cnnorth1, apsoutheast2. */
const RESPONSE_BUCKET = new RegExp(`^cloudformation-custom-resource-response-([a-z]{2})(?:gov)?${DIRECTION}[0-9]{1,2}$`);
/** S3 endpoints: s3, s3.<region>, s3-<region>, s3.dualstack.<region>, s3-external-1, on amazonaws.com(.cn). */
const S3_HOST = new RegExp(`^s3(?:\\.dualstack)?(?:[.-][a-z]{2}(?:-gov)?-${DIRECTION}-[0-9]{1,2}|-external-1)?\\.amazonaws\\.com(\\.cn)?$`);

/** amazonaws.com.cn serves the China regions only, and they are served nowhere else. */
function bucketOnHost(bucket: string, s3Host: string): boolean {
  const bucketMatch = RESPONSE_BUCKET.exec(bucket);
  const hostMatch = S3_HOST.exec(s3Host);
  if (!bucketMatch || !hostMatch) return false;
  return (bucketMatch[1] === 'cn') === (hostMatch[1] === '.cn');
}

export function admitResponseUrl(raw: unknown, extraHosts: readonly string[]): URL | undefined {
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
  if (url.protocol !== 'https:' || url.port !== '') return undefined;
  const dot = host.indexOf('.');
  if (dot > 0 && bucketOnHost(host.slice(0, dot), host.slice(dot + 1))) return url;
  const firstSegment = url.pathname.split('/')[1] ?? '';
  if (bucketOnHost(firstSegment, host)) return url;
  return undefined;
}

/** The host alone, for logs: the full ResponseURL is a presigned credential and is never logged. */
export function hostOf(raw: unknown): string {
  try {
    return new URL(String(raw)).host || '(none)';
  } catch {
    return '(not a URL)';
  }
}
