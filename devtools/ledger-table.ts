import { CreateTableCommand, DeleteTableCommand, DynamoDBClient, UpdateContinuousBackupsCommand } from '@aws-sdk/client-dynamodb';

/** The ledger table on an emulator, as template.yaml creates it: key schema pk, sk; point-in-time recovery on. */
export const LEDGER_TABLE = 'cloudtrail-enrollment-ledger';

export async function createLedgerTable(endpoint: string, tableName = LEDGER_TABLE, region = 'us-east-1'): Promise<string> {
  const dynamo = new DynamoDBClient({ region, endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  await dynamo.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    }),
  );
  await dynamo.send(new UpdateContinuousBackupsCommand({ TableName: tableName, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }));
  dynamo.destroy();
  return tableName;
}

/** Deletes the ledger table on an emulator, as an operator deleting the table by mistake would. */
export async function deleteLedgerTable(endpoint: string, tableName = LEDGER_TABLE, region = 'us-east-1'): Promise<void> {
  const dynamo = new DynamoDBClient({ region, endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  await dynamo.send(new DeleteTableCommand({ TableName: tableName }));
  dynamo.destroy();
}
