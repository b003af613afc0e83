import { AwsErrorWording, AwsFailure, FUNCTION_WORDING, rewordAwsError } from '../aws/aws-errors';
import { readSettings, Settings, SettingsWording } from '../config/settings';

/**
 * The CLI's words for what the function's messages say about its deployment: the flag or environment variable
 * the CLI read instead of a resource property or function setting, "your credentials" instead of the function's
 * role, "run the command again" instead of retrying the stack operation. What went wrong is decided once, by
 * explainAwsError and readSettings; only the sentences differ.
 */

type Env = Record<string, string | undefined>;

export const CLI_SETTINGS: SettingsWording = {
  name: (variable) => `The environment variable ${variable}`,
  fixLedgerTable: "set it to the stack's LedgerTableName output or pass --table",
  fixIn: 'in your environment',
};

/**
 * The function settings the CLI reads; the others (PROTECTED_ACCOUNT_IDS, POLICY_LAYOUT, …) do not change what
 * it reports, so a bad value there, say in a deployment's variables loaded into the shell, does not stop it.
 */
export const CLI_VARIABLES = ['TRAIL_BUCKET_NAME', 'TRAIL_KEY_ARN', 'TRAIL_LOG_FILE_PREFIX', 'BUCKET_POLICY_SID', 'KEY_POLICY_SID', 'LEDGER_TABLE_NAME', 'S3_FORCE_PATH_STYLE'] as const;
export type CliVariable = (typeof CLI_VARIABLES)[number];

/** readSettings on the CLI's variables, less those a flag replaces, with messages that name the variable. */
export function readCliSettings(env: Env, replacedByFlags: readonly CliVariable[] = []): Settings {
  const read = CLI_VARIABLES.filter((name) => !replacedByFlags.includes(name));
  return readSettings(Object.fromEntries(read.map((name) => [name, env[name]])), CLI_SETTINGS);
}

/** Where each target came from: the flag when given, else the variable the CLI read. */
export interface TargetSources {
  bucket: '--bucket' | 'TRAIL_BUCKET_NAME';
  key: '--key' | 'TRAIL_KEY_ARN';
  table: '--table' | 'LEDGER_TABLE_NAME';
  /** doctor's ServiceToken topic: only ever a flag. */
  topic: '--topic';
}

export function targetSources(args: { bucket?: string; key?: string; table?: string }): TargetSources {
  return {
    bucket: args.bucket !== undefined ? '--bucket' : 'TRAIL_BUCKET_NAME',
    key: args.key !== undefined ? '--key' : 'TRAIL_KEY_ARN',
    table: args.table !== undefined ? '--table' : 'LEDGER_TABLE_NAME',
    topic: '--topic',
  };
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function cliAwsWording(sources: TargetSources): AwsErrorWording {
  const sourceOf = (f: AwsFailure): string | undefined => ({ s3: sources.bucket, kms: sources.key, dynamodb: sources.table, sns: sources.topic })[f.action.split(':')[0]!];
  const failedWith = (f: AwsFailure) => `${f.action} on ${f.resource} failed with ${f.name}${f.detail ? ` (${f.detail})` : ''}`;
  return {
    denied: (f) => {
      const source = sourceOf(f);
      return `Your credentials were denied ${f.action} on ${f.resource} (${f.name}); use credentials with that permission${source ? `, or check ${source} if that is not the intended target` : ''}.`;
    },
    'no-credentials': (f) => `No AWS credentials were found${f.detail ? ` (${f.detail})` : ''}; set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, then run the command again.`,
    'credentials-refused': (f) => `AWS refused your credentials for ${f.action} on ${f.resource} (${f.name}${f.detail ? `: ${f.detail}` : ''}); refresh or replace them, then run the command again.`,
    'no-such-bucket': (f) => `The bucket ${f.resource} does not exist or is not visible to your credentials; check ${sources.bucket}.`,
    'key-not-found': (f) => `The KMS key ${f.resource} was not found; check ${sources.key}, including its region and account.`,
    'table-not-found': (f) => `${capitalised(f.resource)} was not found${f.region ? ` in ${f.region}` : ''}; check ${sources.table}, and set AWS_REGION if the table is in another region.`,
    'malformed-policy': (f) => `AWS rejected the new policy for ${f.resource} as malformed (${f.detail}); inspect the policy for statements this tool does not understand.`,
    'key-unusable': FUNCTION_WORDING['key-unusable'],
    failed: (f) => `${failedWith(f)}; run the command again, and check your credentials and network if it persists.`,
  };
}

/** An error from the AWS calls of a command, in the CLI's words. */
export function forCli(error: unknown, sources: TargetSources): unknown {
  return rewordAwsError(error, cliAwsWording(sources));
}
