import { DescribeContinuousBackupsCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { explainAwsError } from './aws-errors';
import { dynamoClient } from './clients';
import { withRetries } from './retry';

/** The key aws-ledger.ts reads and writes items under (`pk`, `sk`, both strings), as template.yaml creates it. */
export const LEDGER_KEY_SCHEMA = [
  { name: 'pk', keyType: 'HASH', type: 'S' },
  { name: 'sk', keyType: 'RANGE', type: 'S' },
] as const;

/** What `doctor` (SPEC R37) reads of the ledger table's definition: not its items. */
export interface LedgerTableDescription {
  exists: boolean;
  /** Key attributes with their role and type, e.g. { name: 'pk', keyType: 'HASH', type: 'S' }. */
  keySchema: Array<{ name: string; keyType: string; type?: string }>;
  status?: string;
  pointInTimeRecovery?: boolean;
}

const isNotFound = (error: unknown) => ['ResourceNotFoundException', 'TableNotFoundException'].includes((error as { name?: string }).name ?? '');

export async function describeLedgerTable(tableName: string, region: string, signal: AbortSignal): Promise<LedgerTableDescription> {
  const dynamo = dynamoClient(region);
  const call = async <T>(action: string, operation: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await withRetries(operation, signal);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw explainAwsError(error, action, `the ledger table ${tableName}`, region);
    }
  };
  const table = (await call('dynamodb:DescribeTable', () => dynamo.send(new DescribeTableCommand({ TableName: tableName }), { abortSignal: signal })))?.Table;
  if (!table) return { exists: false, keySchema: [] };
  const types = new Map((table.AttributeDefinitions ?? []).map((a) => [a.AttributeName, a.AttributeType]));
  const backups = await call('dynamodb:DescribeContinuousBackups', () => dynamo.send(new DescribeContinuousBackupsCommand({ TableName: tableName }), { abortSignal: signal }));
  const recovery = backups?.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus;
  return {
    exists: true,
    keySchema: (table.KeySchema ?? []).map((k) => ({ name: k.AttributeName ?? '', keyType: k.KeyType ?? '', ...(types.get(k.AttributeName) ? { type: types.get(k.AttributeName)! } : {}) })),
    ...(table.TableStatus ? { status: table.TableStatus } : {}),
    pointInTimeRecovery: recovery === 'ENABLED',
  };
}
