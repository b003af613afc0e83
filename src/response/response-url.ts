/**
 * Where a response may go (SPEC R18): https to CloudFormation's response bucket on amazonaws.com(.cn),
 * virtual-hosted or path-style, or a RESPONSE_URL_EXTRA_HOSTS host (http or https, any port) for local runs.
 */
const RESPONSE_BUCKET = /^cloudformation-custom-resource-response-[a-z0-9-]+$/;
const S3_HOST = /^s3(?:[.-][a-z0-9-]+)*\.amazonaws\.com(?:\.cn)?$/;

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
  if (dot > 0 && RESPONSE_BUCKET.test(host.slice(0, dot)) && S3_HOST.test(host.slice(dot + 1))) return url;
  const firstSegment = url.pathname.split('/')[1] ?? '';
  if (S3_HOST.test(host) && RESPONSE_BUCKET.test(firstSegment)) return url;
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
