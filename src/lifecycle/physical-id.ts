import { isAccountId, parseKeyArn, parseTrailArn } from '../core/arns';
import { Enrollment } from '../config/enrollment';
import { validateBucketName, validateLogFilePrefix } from '../config/validate';

/**
 * PhysicalResourceId (SPEC R15): deterministic, starts with the account, and carries everything Delete needs:
 *   222222222222;bucket=my-trail-bucket;prefix=org%2Flogs;key=arn:aws:kms:…:key/…;trail=
 * Field values never contain ';': the prefix escapes only '%', ';' and control characters (as %XX), so an id
 * with a 200-character prefix still fits in 1 KB.
 */
const NOT_ENROLLED = 'not-enrolled';

export function physicalIdOf(enrollment: Enrollment): string {
  return [
    enrollment.accountId,
    `bucket=${enrollment.bucketName}`,
    `prefix=${escapeField(enrollment.logFilePrefix)}`,
    `key=${enrollment.key.arn}`,
    `trail=${enrollment.trailArn ?? ''}`,
  ].join(';');
}

function escapeField(value: string): string {
  return value.replace(/[%;\u0000-\u001f\u007f]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`);
}

/** The id of a Create that failed: its Delete (the rollback) writes nothing (SPEC R17). */
export function notEnrolledId(accountId: string, requestId: string): string {
  return [accountId, NOT_ENROLLED, requestId.replace(/[^A-Za-z0-9-]/g, '').slice(0, 64)].join(';');
}

/** The enrollment an id stands for, or undefined for a failed Create's id and anything we did not issue. */
export function enrollmentOfPhysicalId(id: string | undefined): Enrollment | undefined {
  if (!id) return undefined;
  const [accountId, ...fields] = id.split(';');
  if (!accountId || !isAccountId(accountId)) return undefined;
  const values = new Map<string, string>();
  for (const field of fields) {
    const eq = field.indexOf('=');
    if (eq < 0) return undefined;
    values.set(field.slice(0, eq), field.slice(eq + 1));
  }
  try {
    const bucketName = validateBucketName(values.get('bucket') ?? '', 'bucket');
    const logFilePrefix = decodeURIComponent(values.get('prefix') ?? '');
    if (logFilePrefix) validateLogFilePrefix(logFilePrefix, 'prefix');
    const key = parseKeyArn(values.get('key') ?? '', 'key');
    const trailArn = values.get('trail') ?? '';
    if (trailArn && parseTrailArn(trailArn)?.accountId !== accountId) return undefined;
    return { accountId, bucketName, logFilePrefix, key, ...(trailArn ? { trailArn } : {}) };
  } catch {
    return undefined;
  }
}
