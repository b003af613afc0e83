import { isAccountId, parseKeyArn, parseTrailArn } from '../core/arns';
import { Enrollment } from '../config/enrollment';
import { fail } from '../core/errors';
import { validateBucketName, validateLogFilePrefix } from '../config/validate';

/**
 * PhysicalResourceId (SPEC R15): deterministic, starts with the account, and carries everything Delete needs:
 *   222222222222;bucket=my-trail-bucket;prefix=org%2Flogs;key=arn:aws:kms:…:key/…;trail=
 * Field values never contain ';': the prefix escapes only '%', ';' and control characters (as %XX), so an id
 * with a 200-character prefix still fits in 1 KB.
 */
const NOT_ENROLLED = 'not-enrolled';

/** CloudFormation's limit on a PhysicalResourceId (SPEC R15). */
export const MAX_PHYSICAL_ID_BYTES = 1024;
const FIELDS = ['bucket', 'prefix', 'key', 'trail'] as const;

export function physicalIdOf(enrollment: Enrollment): string {
  const parts: Array<[string, string]> = [
    ['BucketName', `bucket=${enrollment.bucketName}`],
    ['LogFilePrefix', `prefix=${escapeField(enrollment.logFilePrefix)}`],
    ['KeyArn', `key=${enrollment.key.arn}`],
    ['TrailArn', `trail=${enrollment.trailArn ?? ''}`],
  ];
  const id = [enrollment.accountId, ...parts.map(([, field]) => field)].join(';');
  const size = Buffer.byteLength(id, 'utf8');
  if (size > MAX_PHYSICAL_ID_BYTES) {
    const [name, field] = parts.reduce((a, b) => (Buffer.byteLength(b[1], 'utf8') > Buffer.byteLength(a[1], 'utf8') ? b : a));
    fail(`The PhysicalResourceId would be ${size} bytes, over CloudFormation's limit of ${MAX_PHYSICAL_ID_BYTES}, because the property ${name} takes ${Buffer.byteLength(field, 'utf8')} bytes of it; shorten ${name}.`);
  }
  return id;
}

function escapeField(value: string): string {
  return value.replace(/[%;\u0000-\u001f\u007f]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`);
}

/** The id of a Create that failed before it recorded anything: its Delete (the rollback) writes nothing (SPEC R17). */
export function notEnrolledId(accountId: string | undefined, requestId: string): string {
  // A request that names no valid account at all (hand-made) gets an id that names none either.
  return [...(accountId ? [accountId] : []), NOT_ENROLLED, requestId.replace(/[^A-Za-z0-9-]/g, '').slice(0, 64)].join(';');
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
    const name = field.slice(0, eq);
    // Only ids this function issued: each known field once, nothing else (SPEC R15).
    if (!(FIELDS as readonly string[]).includes(name) || values.has(name)) return undefined;
    values.set(name, field.slice(eq + 1));
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
