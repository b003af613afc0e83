import { parseKeyArn } from '../core/arns';
import { fail } from '../core/errors';
import { validateBucketName, validateLogFilePrefix } from '../config/validate';
import { StatusTargets } from '../estate/status-report';
import { StatusArgs } from './args';
import { CliVariable, readCliSettings } from './wording';

export type { StatusTargets };

type Env = Record<string, string | undefined>;

/** The bucket, key and statements to inspect: flags first, then the function's own settings (SPEC R2). */
export function resolveTargets(args: Pick<StatusArgs, 'bucket' | 'key' | 'prefix'>, env: Env): StatusTargets {
  // A flag replaces its variable entirely, so a bad value in an overridden variable does not get in the way.
  const replaced: CliVariable[] = [
    ...(args.bucket !== undefined ? ['TRAIL_BUCKET_NAME' as const] : []),
    ...(args.key !== undefined ? ['TRAIL_KEY_ARN' as const] : []),
    ...(args.prefix !== undefined ? ['TRAIL_LOG_FILE_PREFIX' as const] : []),
  ];
  const settings = readCliSettings(env, replaced);
  const bucketName = args.bucket !== undefined ? validateBucketName(args.bucket, '--bucket') : settings.pinnedBucketName;
  if (!bucketName) fail('No trail bucket given; pass --bucket NAME or set TRAIL_BUCKET_NAME.');
  const key = args.key !== undefined ? parseKeyArn(args.key, '--key') : settings.pinnedKey;
  if (!key) fail('No trail key given; pass --key with the full KMS key ARN or set TRAIL_KEY_ARN.');
  const prefix = args.prefix !== undefined ? (args.prefix === '' ? '' : validateLogFilePrefix(args.prefix, '--prefix')) : settings.pinnedLogFilePrefix;
  return { bucketName, key, ...(prefix !== undefined ? { prefix } : {}), bucketSid: settings.bucketPolicySid, keySid: settings.keyPolicySid };
}
