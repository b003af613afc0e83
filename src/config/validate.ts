import { fail } from '../core/errors';

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function isBucketName(value: string): boolean {
  return BUCKET_NAME.test(value) && !value.includes('..') && !/^\d+\.\d+\.\d+\.\d+$/.test(value);
}

export function validateBucketName(value: string, source: string): string {
  if (!isBucketName(value)) {
    fail(`${source} '${value}' is not a valid S3 bucket name; give the trail bucket's name (3-63 lowercase letters, digits, dots or hyphens), not its ARN or URL.`);
  }
  return value;
}

/** Unicode white space, including the format characters that render as nothing (SPEC R33: any Unicode space). */
const SPACE = '[\\s\\u0085\\u180e\\u200b-\\u200d\\u2060]';
const EDGE_SPACE = new RegExp(`^${SPACE}|${SPACE}$`, 'u');

/** Printable ASCII, space to '~' (SPEC R39: no bidi controls, zero-width characters or look-alike letters). */
const NOT_PRINTABLE_ASCII = /[^\x20-\x7e]/u;

/** The value for a message, quoted, with anything outside printable ASCII escaped so it cannot reorder or hide text. */
function display(value: string): string {
  const quoted = JSON.stringify(value.slice(0, 80)).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return value.length > 80 ? `${quoted.slice(0, -1)}…"` : quoted;
}

function codePoint(character: string): string {
  return `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * CloudTrail's S3KeyPrefix: at most 200 characters of printable ASCII; anything that would widen an ARN, point
 * into another account's AWSLogs folder or be read by IAM or a person as something else is refused (SPEC R33, R39).
 */
export function validateLogFilePrefix(value: string, source: string): string {
  const shown = display(value);
  if (EDGE_SPACE.test(value)) {
    fail(`${source} ${shown} starts or ends with white space, which CloudTrail would keep as part of the S3 key; remove the spaces.`);
  }
  if (value.startsWith('/') || value.endsWith('/')) {
    fail(`${source} ${shown} starts or ends with '/'; give the trail's S3 key prefix without leading or trailing slashes.`);
  }
  if (value.length > 200) {
    fail(`${source} is ${value.length} characters long, over CloudTrail's limit of 200; use a shorter S3 key prefix.`);
  }
  const unprintable = NOT_PRINTABLE_ASCII.exec(value);
  if (unprintable) {
    fail(`${source} ${shown} contains ${codePoint(unprintable[0])}, a character outside printable ASCII that can make the prefix look like another one (bidi controls, zero-width characters and look-alike letters do); use only printable ASCII letters, digits and punctuation.`);
  }
  if (/[*?]/.test(value) || value.includes('//')) {
    fail(`${source} ${shown} contains a wildcard or an empty path segment, which would change what the bucket policy grants; use a plain S3 key prefix.`);
  }
  if (value.includes('${')) {
    fail(`${source} ${shown} contains '\${', which IAM reads as a policy variable in the bucket policy's Resource; use a plain S3 key prefix.`);
  }
  const segments = value.split('/');
  if (segments.includes('AWSLogs')) {
    fail(`${source} ${shown} has an AWSLogs path segment, so one account's logs could land in another account's AWSLogs/<account> folder; use a prefix without an AWSLogs segment.`);
  }
  if (segments.some((segment) => segment === '.' || segment === '..')) {
    fail(`${source} ${shown} has a '.' or '..' path segment, which names another folder than it seems to; use a prefix without such segments.`);
  }
  return value;
}
