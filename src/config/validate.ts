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

/** CloudTrail's S3KeyPrefix: at most 200 characters; anything that would widen an ARN is refused too. */
export function validateLogFilePrefix(value: string, source: string): string {
  if (value.startsWith('/') || value.endsWith('/')) {
    fail(`${source} '${value}' starts or ends with '/'; give the trail's S3 key prefix without leading or trailing slashes.`);
  }
  if (value.length > 200) {
    fail(`${source} is ${value.length} characters long, over CloudTrail's limit of 200; use a shorter S3 key prefix.`);
  }
  if (/[*?]/.test(value) || /[\u0000-\u001f\u007f]/.test(value) || value.includes('//')) {
    fail(`${source} '${value}' contains a wildcard, a control character or an empty path segment, which would change what the bucket policy grants; use a plain S3 key prefix.`);
  }
  return value;
}
