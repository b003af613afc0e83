import { isAccountId, KeyRef, parseKeyArn } from '../core/arns';
import { DEFAULT_BUCKET_POLICY_SID } from '../core/bucket-policy';
import { fail } from '../core/errors';
import { DEFAULT_KEY_POLICY_SID } from '../core/key-policy';
import { validateBucketName, validateLogFilePrefix } from './validate';

/**
 * The function's environment (SPEC R2), validated on each request so a bad deployment fails loudly.
 * S3_FORCE_PATH_STYLE and the AWS_ENDPOINT_URL* variables belong to the SDK clients (src/aws/clients.ts).
 */
export interface Settings {
  pinnedBucketName?: string;
  pinnedKey?: KeyRef;
  pinnedLogFilePrefix?: string;
  protectedAccountIds: ReadonlySet<string>;
  adminAccountIds: ReadonlySet<string>;
  bucketPolicySid: string;
  keyPolicySid: string;
  organizationId?: string;
  /** The enrollment ledger's DynamoDB table (SPEC R26): required by the function, optional for `status`. */
  ledgerTableName?: string;
}

type Env = Record<string, string | undefined>;

function setting(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function accountList(env: Env, name: string): Set<string> {
  const items = (setting(env, name) ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const item of items) {
    if (!isAccountId(item)) fail(`The function setting ${name} contains '${item}', which is not a 12-digit account ID; fix the comma-separated list in the deployment.`);
  }
  return new Set(items);
}

/** RESPONSE_URL_EXTRA_HOSTS, read before anything else: it decides whether a request is answered at all. */
export function responseUrlExtraHosts(env: Env = process.env): string[] {
  return (setting(env, 'RESPONSE_URL_EXTRA_HOSTS') ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
}

export function readSettings(env: Env = process.env): Settings {
  const bucket = setting(env, 'TRAIL_BUCKET_NAME');
  const key = setting(env, 'TRAIL_KEY_ARN');
  // Not trimmed: white space around the prefix is refused, not silently dropped (SPEC R33).
  const prefix = env.TRAIL_LOG_FILE_PREFIX ? env.TRAIL_LOG_FILE_PREFIX : undefined;
  const organizationId = setting(env, 'ORGANIZATION_ID');
  if (organizationId && !/^o-[a-z0-9]{10,32}$/.test(organizationId)) {
    fail(`The function setting ORGANIZATION_ID '${organizationId}' is not an organization ID like o-a1b2c3d4e5; fix it in the deployment or leave it empty.`);
  }
  const ledgerTableName = setting(env, 'LEDGER_TABLE_NAME');
  if (ledgerTableName !== undefined && !/^[A-Za-z0-9_.-]{3,255}$/.test(ledgerTableName)) {
    fail(`The function setting LEDGER_TABLE_NAME '${ledgerTableName}' is not a DynamoDB table name (3-255 letters, digits, '_', '-' or '.'); fix it in the deployment.`);
  }
  return {
    ...(ledgerTableName ? { ledgerTableName } : {}),
    pinnedBucketName: bucket === undefined ? undefined : validateBucketName(bucket, 'The function setting TRAIL_BUCKET_NAME'),
    pinnedKey: key === undefined ? undefined : parseKeyArn(key, 'The function setting TRAIL_KEY_ARN'),
    pinnedLogFilePrefix: prefix === undefined ? undefined : validateLogFilePrefix(prefix, 'The function setting TRAIL_LOG_FILE_PREFIX'),
    protectedAccountIds: accountList(env, 'PROTECTED_ACCOUNT_IDS'),
    adminAccountIds: accountList(env, 'ADMIN_ACCOUNT_IDS'),
    bucketPolicySid: setting(env, 'BUCKET_POLICY_SID') ?? DEFAULT_BUCKET_POLICY_SID,
    keyPolicySid: setting(env, 'KEY_POLICY_SID') ?? DEFAULT_KEY_POLICY_SID,
    organizationId,
  };
}

export function requireLedgerTable(settings: Settings): string {
  if (!settings.ledgerTableName) fail('The function setting LEDGER_TABLE_NAME is empty, but the function records every enrollment in that DynamoDB table; set it to the table the deployment created.');
  return settings.ledgerTableName;
}
