import { isAccountId, KeyRef, parseKeyArn } from '../core/arns';
import { DEFAULT_BUCKET_POLICY_SID } from '../core/bucket-policy';
import { fail } from '../core/errors';
import { DEFAULT_KEY_POLICY_SID } from '../core/key-policy';
import { isPolicyLayoutName, POLICY_LAYOUTS, PolicyLayoutName } from '../core/layout-names';
import { validateBucketName, validateLogFilePrefix } from './validate';

/**
 * The function's environment (SPEC R2), validated on each request so a bad deployment fails loudly.
 * The AWS_ENDPOINT_URL* variables belong to the SDK, which reads them itself.
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
  /** How both statements list the accounts (SPEC R34); POLICY_LAYOUT, default resource-list. */
  policyLayout: PolicyLayoutName;
  /** Extra response hosts for local runs (SPEC R18), lower case. */
  responseUrlExtraHosts: string[];
  /** S3 path-style addressing, for local emulators. */
  s3ForcePathStyle: boolean;
}

type Env = Record<string, string | undefined>;

/** How a settings message names a variable and where to fix it: the function's deployment, or the shell running the CLI. */
export interface SettingsWording {
  /** "The function setting TRAIL_BUCKET_NAME". */
  name(variable: string): string;
  /** How to correct LEDGER_TABLE_NAME. */
  fixLedgerTable: string;
  /** Where a value is corrected: "in the deployment". */
  fixIn: string;
}

export const FUNCTION_SETTINGS: SettingsWording = {
  name: (variable) => `The function setting ${variable}`,
  fixLedgerTable: 'fix it in the deployment',
  fixIn: 'in the deployment',
};

function setting(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function accountList(env: Env, name: string, wording: SettingsWording): Set<string> {
  const items = (setting(env, name) ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const item of items) {
    if (!isAccountId(item)) fail(`${wording.name(name)} contains '${item}', which is not a 12-digit account ID; fix the comma-separated list ${wording.fixIn}.`);
  }
  return new Set(items);
}

const HOST_LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const HOST_NAME = new RegExp(`^(?=.{1,253}$)${HOST_LABEL}(?:\\.${HOST_LABEL})*$`);
const IPV6 = /^\[[0-9a-f:.]+\]$/;

function extraHostItems(env: Env): string[] {
  return (setting(env, 'RESPONSE_URL_EXTRA_HOSTS') ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
}

function isHostName(value: string): boolean {
  return HOST_NAME.test(value) || IPV6.test(value);
}

/**
 * RESPONSE_URL_EXTRA_HOSTS, read before anything else: it decides whether a request is answered at all. Only
 * well-formed entries count here; a malformed value fails the request itself in readSettings (SPEC R2).
 */
export function responseUrlExtraHosts(env: Env = process.env): string[] {
  return extraHostItems(env).filter(isHostName);
}

function validatedExtraHosts(env: Env, wording: SettingsWording): string[] {
  const items = extraHostItems(env);
  for (const item of items) {
    if (!isHostName(item)) {
      fail(`${wording.name('RESPONSE_URL_EXTRA_HOSTS')} contains '${item.slice(0, 100)}', which is not a host name; list bare host names separated by commas, without scheme, port or path (any port on them is admitted).`);
    }
  }
  return items;
}

/** S3_FORCE_PATH_STYLE, validated: also for building S3 clients where the full settings are not at hand (the CLI). */
export function s3ForcePathStyle(env: Env = process.env, wording: SettingsWording = FUNCTION_SETTINGS): boolean {
  const value = env.S3_FORCE_PATH_STYLE ?? '';
  if (value === '' || value === 'false') return false;
  if (value === 'true') return true;
  fail(`${wording.name('S3_FORCE_PATH_STYLE')} is '${value.slice(0, 40)}', not 'true', 'false' or empty; set it to 'true' only for a local S3 emulator and leave it empty otherwise.`);
}

export function readSettings(env: Env = process.env, wording: SettingsWording = FUNCTION_SETTINGS): Settings {
  const bucket = setting(env, 'TRAIL_BUCKET_NAME');
  const key = setting(env, 'TRAIL_KEY_ARN');
  // Not trimmed: white space around the prefix is refused, not silently dropped (SPEC R33).
  const prefix = env.TRAIL_LOG_FILE_PREFIX ? env.TRAIL_LOG_FILE_PREFIX : undefined;
  const organizationId = setting(env, 'ORGANIZATION_ID');
  if (organizationId && !/^o-[a-z0-9]{10,32}$/.test(organizationId)) {
    fail(`${wording.name('ORGANIZATION_ID')} '${organizationId}' is not an organization ID like o-a1b2c3d4e5; fix it ${wording.fixIn} or leave it empty.`);
  }
  const ledgerTableName = setting(env, 'LEDGER_TABLE_NAME');
  if (ledgerTableName !== undefined && !/^[A-Za-z0-9_.-]{3,255}$/.test(ledgerTableName)) {
    fail(`${wording.name('LEDGER_TABLE_NAME')} '${ledgerTableName}' is not a DynamoDB table name (3-255 letters, digits, '_', '-' or '.'); ${wording.fixLedgerTable}.`);
  }
  const policyLayout = setting(env, 'POLICY_LAYOUT') ?? 'resource-list';
  if (!isPolicyLayoutName(policyLayout)) {
    fail(`${wording.name('POLICY_LAYOUT')} '${policyLayout}' is not a policy layout; set it to ${POLICY_LAYOUTS.join(' or ')}, or leave it empty for resource-list.`);
  }
  return {
    ...(ledgerTableName ? { ledgerTableName } : {}),
    policyLayout,
    pinnedBucketName: bucket === undefined ? undefined : validateBucketName(bucket, wording.name('TRAIL_BUCKET_NAME')),
    pinnedKey: key === undefined ? undefined : parseKeyArn(key, wording.name('TRAIL_KEY_ARN')),
    pinnedLogFilePrefix: prefix === undefined ? undefined : validateLogFilePrefix(prefix, wording.name('TRAIL_LOG_FILE_PREFIX')),
    protectedAccountIds: accountList(env, 'PROTECTED_ACCOUNT_IDS', wording),
    adminAccountIds: accountList(env, 'ADMIN_ACCOUNT_IDS', wording),
    bucketPolicySid: setting(env, 'BUCKET_POLICY_SID') ?? DEFAULT_BUCKET_POLICY_SID,
    keyPolicySid: setting(env, 'KEY_POLICY_SID') ?? DEFAULT_KEY_POLICY_SID,
    organizationId,
    responseUrlExtraHosts: validatedExtraHosts(env, wording),
    s3ForcePathStyle: s3ForcePathStyle(env, wording),
  };
}

export function requireLedgerTable(settings: Settings): string {
  if (!settings.ledgerTableName) fail('The function setting LEDGER_TABLE_NAME is empty, but the function records every enrollment in that DynamoDB table; set it to the table the deployment created.');
  return settings.ledgerTableName;
}
