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

function display(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

/**
 * CloudTrail's S3KeyPrefix: at most 200 characters; anything that would widen an ARN, point into another
 * account's AWSLogs folder or be read by IAM as something else is refused (SPEC R33).
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
  if (/[*?]/.test(value) || /[\u0000-\u001f\u007f-\u009f]/.test(value) || value.includes('//')) {
    fail(`${source} ${shown} contains a wildcard, a control character or an empty path segment, which would change what the bucket policy grants; use a plain S3 key prefix.`);
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
