/** Retries of transient AWS errors with capped exponential backoff and full jitter (SPEC R10). */

const THROTTLING = new Set([
  'Throttling', 'ThrottlingException', 'ThrottledException', 'TooManyRequestsException', 'RequestLimitExceeded',
  'SlowDown', 'RequestThrottled', 'RequestThrottledException', 'ProvisionedThroughputExceededException',
  'KMSInternalException', 'DependencyTimeoutException', 'ServiceUnavailable', 'InternalError', 'OperationAborted',
  'RequestTimeout', 'RequestTimeoutException', 'ConcurrentModificationException', 'TooManyRequests',
]);
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'TimeoutError', 'NetworkingError']);

interface AwsLikeError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

export function isAbort(error: unknown): boolean {
  return (error as AwsLikeError)?.name === 'AbortError';
}

export function isTransient(error: unknown): boolean {
  const e = (error ?? {}) as AwsLikeError;
  if (isAbort(error)) return false;
  const status = e.$metadata?.httpStatusCode;
  if (THROTTLING.has(e.name ?? '') || NETWORK.has(e.code ?? '') || NETWORK.has(e.name ?? '')) return true;
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  // S3 answers 409 "A conflicting conditional operation is currently in progress" while another write lands.
  if (status === 409 && /conflicting conditional operation/i.test(e.message ?? '')) return true;
  return e.$retryable !== undefined && e.$retryable !== null;
}

export interface RetryOptions {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 5, baseDelayMs: 100, maxDelayMs: 2000 };

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function abortError(): Error {
  const error = new Error('The operation was aborted');
  error.name = 'AbortError';
  return error;
}

export async function withRetries<T>(operation: () => Promise<T>, signal: AbortSignal | undefined, options: RetryOptions = DEFAULT_RETRY): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= options.attempts || !isTransient(error) || signal?.aborted) throw error;
      const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      await sleep(Math.random() * ceiling, signal);
    }
  }
}
