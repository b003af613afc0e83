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

/** What went wrong, decided once here; each audience words it its own way (AwsErrorWording). */
export type AwsFailureKind =
  | 'denied'
  | 'no-credentials'
  | 'credentials-refused'
  | 'no-such-bucket'
  | 'key-not-found'
  | 'table-not-found'
  | 'malformed-policy'
  | 'key-unusable'
  | 'failed';

/** Credentials AWS did not accept (expired, unknown, malformed); answered with 400, so not taken for AccessDenied. */
const REFUSED_CREDENTIALS: ReadonlySet<string> = new Set([
  'ExpiredToken', 'ExpiredTokenException', 'InvalidClientTokenId', 'UnrecognizedClientException', 'InvalidToken', 'InvalidSignatureException',
]);

export interface AwsFailure {
  kind: AwsFailureKind;
  /** The IAM action, e.g. s3:GetBucketPolicy: its service says which target it was. */
  action: string;
  resource: string;
  /** The region the call went to, when the caller said. */
  region?: string;
  /** The SDK error name, e.g. AccessDenied. */
  name: string;
  /** The SDK message on one line, cut to 300 characters; may be empty. */
  detail: string;
}

/** One operator sentence per kind of failure. */
export type AwsErrorWording = { readonly [K in AwsFailureKind]: (failure: AwsFailure) => string };

const upperFirst = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;

const failedWith = (f: AwsFailure) => `${f.action} on ${f.resource} failed with ${f.name}${f.detail ? ` (${f.detail})` : ''}`;

/** The function's sentences: they name its role, its resource properties and the stack operation (SPEC R20). */
export const FUNCTION_WORDING: AwsErrorWording = {
  denied: (f) => `The function's role was denied ${f.action} on ${f.resource} (${f.name}); grant that permission in the deployment or check that the target is the one this function is deployed for.`,
  // The function's credentials come from its role: these are rare there and read as any other failure.
  'no-credentials': (f) => `${failedWith(f)}; retry the stack operation, and check the function's logs if it persists.`,
  'credentials-refused': (f) => `${failedWith(f)}; retry the stack operation, and check the function's logs if it persists.`,
  'no-such-bucket': (f) => `The bucket ${f.resource} does not exist or is not visible to the function; check BucketName.`,
  'key-not-found': (f) => `The KMS key ${f.resource} was not found; check KeyArn, including its region and account.`,
  // The table LEDGER_TABLE_NAME names is read in the function's own region: deleted, renamed, restored under a new name or mistyped.
  'table-not-found': (f) => `${upperFirst(f.resource)} was not found${f.region ? ` in ${f.region}` : ''} (${f.name}); set the function's LEDGER_TABLE_NAME to the table named by the owner stack's LedgerTableName output, in the function's region.`,
  'malformed-policy': (f) => `AWS rejected the new policy for ${f.resource} as malformed (${f.detail}); inspect the policy for statements this function does not understand.`,
  'key-unusable': (f) => `The KMS key ${f.resource} is not usable (${f.detail}); enable it or cancel its deletion.`,
  failed: (f) => `${failedWith(f)}; retry the stack operation, and check the function's logs if it persists.`,
};

/** An OperatorError for an AWS error that keeps what happened, so another audience can word it again (rewordAwsError). */
export class AwsOperatorError extends OperatorError {
  constructor(
    readonly failure: AwsFailure,
    wording: AwsErrorWording = FUNCTION_WORDING,
  ) {
    super(wording[failure.kind](failure));
  }
}

function kindOf(e: AwsLikeError, name: string, action: string): AwsFailureKind {
  if (name === 'AccessDenied' || name === 'AccessDeniedException' || e.$metadata?.httpStatusCode === 403) return 'denied';
  if (name === 'CredentialsProviderError') return 'no-credentials';
  if (REFUSED_CREDENTIALS.has(name)) return 'credentials-refused';
  if (name === 'NoSuchBucket') return 'no-such-bucket';
  if (name === 'NotFoundException') return 'key-not-found';
  if (name === 'ResourceNotFoundException' && action.startsWith('dynamodb:')) return 'table-not-found';
  if (name === 'MalformedPolicyDocumentException' || name === 'MalformedPolicy') return 'malformed-policy';
  if (name === 'KMSInvalidStateException') return 'key-unusable';
  return 'failed';
}

/** One operator sentence for an AWS error; aborts and operator errors pass through untouched. */
export function explainAwsError(error: unknown, action: string, resource: string, region?: string): unknown {
  if (error instanceof OperatorError || isAbort(error)) return error;
  const e = (error ?? {}) as AwsLikeError;
  const name = e.name ?? 'Error';
  const detail = (e.message ?? '').replace(/\s+/g, ' ').slice(0, 300);
  return new AwsOperatorError({ kind: kindOf(e, name, action), action, resource, ...(region ? { region } : {}), name, detail });
}

/** The same failure in another audience's words; anything that is not an explained AWS error passes through. */
export function rewordAwsError(error: unknown, wording: AwsErrorWording): unknown {
  return error instanceof AwsOperatorError ? new AwsOperatorError(error.failure, wording) : error;
}
