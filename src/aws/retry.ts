/** Retries of transient AWS errors with capped exponential backoff and full jitter (SPEC R10). */

import { isAbort, sleep } from '../abortable';
import type { AwsLikeError } from './aws-errors';

/** The service asks the caller to slow down. */
export const THROTTLING_ERRORS: ReadonlySet<string> = new Set([
  'Throttling', 'ThrottlingException', 'ThrottledException', 'TooManyRequestsException', 'TooManyRequests',
  'RequestLimitExceeded', 'SlowDown', 'RequestThrottled', 'RequestThrottledException', 'ProvisionedThroughputExceededException',
]);
/** The service failed on its side. */
export const SERVICE_ERRORS: ReadonlySet<string> = new Set(['KMSInternalException', 'ServiceUnavailable', 'InternalError']);
/** Another write to the same resource is in progress (S3 OperationAborted, KMS ConcurrentModificationException). */
export const CONFLICT_ERRORS: ReadonlySet<string> = new Set(['OperationAborted', 'ConcurrentModificationException']);
/** The request or a service it depends on timed out. */
export const TIMEOUT_ERRORS: ReadonlySet<string> = new Set(['RequestTimeout', 'RequestTimeoutException', 'DependencyTimeoutException']);
/** Connection-level failures, by Node.js code or SDK error name. */
export const NETWORK_ERRORS: ReadonlySet<string> = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'TimeoutError', 'NetworkingError']);

const TRANSIENT_NAMES = [THROTTLING_ERRORS, SERVICE_ERRORS, CONFLICT_ERRORS, TIMEOUT_ERRORS, NETWORK_ERRORS];

export function isTransient(error: unknown): boolean {
  const e = (error ?? {}) as AwsLikeError;
  if (isAbort(error)) return false;
  const status = e.$metadata?.httpStatusCode;
  if (TRANSIENT_NAMES.some((names) => names.has(e.name ?? '')) || NETWORK_ERRORS.has(e.code ?? '')) return true;
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
