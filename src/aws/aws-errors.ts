import { OperatorError } from '../core/errors';
import { isAbort } from '../abortable';

/** What this project reads of an SDK or Node.js error. */
export interface AwsLikeError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

/** One operator sentence for an AWS error; aborts and operator errors pass through untouched. */
export function explainAwsError(error: unknown, action: string, resource: string): unknown {
  if (error instanceof OperatorError || isAbort(error)) return error;
  const e = (error ?? {}) as AwsLikeError;
  const name = e.name ?? 'Error';
  const detail = (e.message ?? '').replace(/\s+/g, ' ').slice(0, 300);
  if (name === 'AccessDenied' || name === 'AccessDeniedException' || e.$metadata?.httpStatusCode === 403) {
    return new OperatorError(`The function's role was denied ${action} on ${resource} (${name}); grant that permission in the deployment or check that the target is the one this function is deployed for.`);
  }
  if (name === 'NoSuchBucket') return new OperatorError(`The bucket ${resource} does not exist or is not visible to the function; check BucketName.`);
  if (name === 'NotFoundException') return new OperatorError(`The KMS key ${resource} was not found; check KeyArn, including its region and account.`);
  if (name === 'MalformedPolicyDocumentException' || name === 'MalformedPolicy') {
    return new OperatorError(`AWS rejected the new policy for ${resource} as malformed (${detail}); inspect the policy for statements this function does not understand.`);
  }
  if (name === 'KMSInvalidStateException') return new OperatorError(`The KMS key ${resource} is not usable (${detail}); enable it or cancel its deletion.`);
  return new OperatorError(`${action} on ${resource} failed with ${name}${detail ? ` (${detail})` : ''}; retry the stack operation, and check the function's logs if it persists.`);
}
