import { awsLedgerStore } from '../aws/aws-ledger';
import { fail } from '../core/errors';
import { LedgerStore } from '../lifecycle/ports';
import { readCliSettings } from './wording';

type Env = Record<string, string | undefined>;

/** The ledger table's name from --table or LEDGER_TABLE_NAME, and its region: AWS_REGION, else the fallback region. */
export function ledgerTableOf(table: string | undefined, env: Env, fallbackRegion: string): { name: string; region: string } | undefined {
  const name = table ?? readCliSettings(env, ['TRAIL_BUCKET_NAME', 'TRAIL_KEY_ARN', 'TRAIL_LOG_FILE_PREFIX']).ledgerTableName;
  if (name === undefined) return undefined;
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(name)) fail(`--table '${name}' is not a DynamoDB table name; give the enrollment ledger table (the stack's LedgerTableName output).`);
  return { name, region: env.AWS_REGION?.trim() || fallbackRegion };
}

/** The ledger table from --table or LEDGER_TABLE_NAME, read in AWS_REGION (else the fallback region). */
export function ledgerOf(table: string | undefined, env: Env, fallbackRegion: string): LedgerStore | undefined {
  const found = ledgerTableOf(table, env, fallbackRegion);
  return found && awsLedgerStore(found.name, found.region);
}

/**
 * The ledger a command that only edits the ledger (handover, release) needs: --table or LEDGER_TABLE_NAME, read in
 * AWS_REGION, else the pinned key's region, else us-east-1.
 */
export function requiredLedger(table: string | undefined, env: Env): LedgerStore {
  const keyRegion = readCliSettings(env, ['TRAIL_BUCKET_NAME', 'TRAIL_LOG_FILE_PREFIX', 'LEDGER_TABLE_NAME']).pinnedKey?.region;
  const ledger = ledgerOf(table, env, keyRegion ?? 'us-east-1');
  if (!ledger) fail("No enrollment ledger table given; pass --table NAME or set LEDGER_TABLE_NAME (the stack's LedgerTableName output).");
  return ledger;
}
