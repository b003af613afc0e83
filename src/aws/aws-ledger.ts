import {
  AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { BucketEntry, bucketEntryKey, Holding, holdingKey, KeyEntry, keyEntryKey, LedgerSnapshot, LedgerState, Origin } from '../ledger/model';
import { LedgerStore } from '../lifecycle/ports';
import { explainAwsError } from './aws-errors';
import { dynamoClient } from './clients';
import { withRetries } from './retry';

/**
 * The ledger in one DynamoDB partition (`pk` = "ledger", `sk` = the item): one deployment pins one bucket and
 * one key, so its whole ledger is one pair's, read with one strongly consistent Query and serialised by one
 * lease item (`sk` = "state").
 */
const PARTITION = 'ledger';
const STATE = 'state';
type Item = Record<string, AttributeValue>;

const s = (value: string): AttributeValue => ({ S: value });
const n = (value: number): AttributeValue => ({ N: String(value) });
const str = (item: Item, name: string): string | undefined => item[name]?.S;
const num = (item: Item, name: string): number | undefined => (item[name]?.N === undefined ? undefined : Number(item[name]!.N));
const keyOf = (sk: string): Item => ({ pk: s(PARTITION), sk: s(sk) });

function holdingItem(h: Holding): Item {
  return {
    ...keyOf(holdingKey(h)),
    kind: s('holding'),
    stackId: s(h.stackId),
    logicalResourceId: s(h.logicalResourceId),
    accountId: s(h.accountId),
    bucketName: s(h.bucketName),
    logFilePrefix: s(h.logFilePrefix),
    keyArn: s(h.keyArn),
    ...(h.trailArn ? { trailArn: s(h.trailArn) } : {}),
    ...(h.retiredTrailArns?.length ? { retiredTrailArns: { L: h.retiredTrailArns.map(s) } } : {}),
  };
}

function holdingOfItem(item: Item): Holding {
  const rejectedIn = num(item, 'rejectedIn');
  return {
    stackId: str(item, 'stackId')!,
    logicalResourceId: str(item, 'logicalResourceId')!,
    accountId: str(item, 'accountId')!,
    bucketName: str(item, 'bucketName')!,
    logFilePrefix: str(item, 'logFilePrefix') ?? '',
    keyArn: str(item, 'keyArn')!,
    ...(str(item, 'trailArn') ? { trailArn: str(item, 'trailArn') } : {}),
    ...(item.retiredTrailArns?.L ? { retiredTrailArns: item.retiredTrailArns.L.flatMap((v) => (v.S ? [v.S] : [])) } : {}),
    ...(str(item, 'rejected') ? { rejected: str(item, 'rejected') } : {}),
    ...(rejectedIn !== undefined ? { rejectedIn } : {}),
  };
}

function bucketEntryItem(e: BucketEntry): Item {
  return { ...keyOf(bucketEntryKey(e)), kind: s('bucket-entry'), accountId: s(e.accountId), bucketName: s(e.bucketName), logFilePrefix: s(e.logFilePrefix), keyArn: s(e.keyArn), origin: s(e.origin) };
}

function keyEntryItem(e: KeyEntry): Item {
  return { ...keyOf(keyEntryKey(e)), kind: s('key-entry'), accountId: s(e.accountId), keyArn: s(e.keyArn), bucketName: s(e.bucketName), origin: s(e.origin) };
}

function stateOfItem(item: Item | undefined): LedgerState {
  const leaseOwner = item && str(item, 'leaseOwner');
  const leaseExpiresAt = item && num(item, 'leaseExpiresAt');
  const failure = item && str(item, 'failure');
  return {
    generation: (item && num(item, 'generation')) ?? 0,
    applied: (item && num(item, 'applied')) ?? 0,
    failedThrough: (item && num(item, 'failedThrough')) ?? 0,
    ...(failure ? { failure } : {}),
    ...(leaseOwner ? { leaseOwner } : {}),
    ...(leaseExpiresAt !== undefined ? { leaseExpiresAt } : {}),
  };
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException || (error as { name?: string })?.name === 'ConditionalCheckFailedException';
}

export function awsLedgerStore(tableName: string, region: string): LedgerStore {
  const dynamo = () => dynamoClient(region);
  async function call<T>(action: string, signal: AbortSignal, operation: () => Promise<T>): Promise<T> {
    try {
      return await withRetries(operation, signal);
    } catch (error) {
      throw explainAwsError(error, action, `the ledger table ${tableName}`, region);
    }
  }
  /** A conditional write: false when its condition did not hold. */
  async function conditional(action: string, signal: AbortSignal, operation: () => Promise<unknown>): Promise<boolean> {
    try {
      await withRetries(operation, signal);
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw explainAwsError(error, action, `the ledger table ${tableName}`, region);
    }
  }
  const put = (item: Item, signal: AbortSignal) => call('dynamodb:PutItem', signal, () => dynamo().send(new PutItemCommand({ TableName: tableName, Item: item }), { abortSignal: signal }));
  const remove = (sk: string, signal: AbortSignal) => call('dynamodb:DeleteItem', signal, () => dynamo().send(new DeleteItemCommand({ TableName: tableName, Key: keyOf(sk) }), { abortSignal: signal }));

  async function queryAll(signal: AbortSignal): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const out = await call('dynamodb:Query', signal, () =>
        dynamo().send(
          new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': s(PARTITION) }, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }),
          { abortSignal: signal },
        ),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  return {
    async readState(signal) {
      const out = await call('dynamodb:GetItem', signal, () => dynamo().send(new GetItemCommand({ TableName: tableName, Key: keyOf(STATE), ConsistentRead: true }), { abortSignal: signal }));
      return stateOfItem(out.Item);
    },
    async bumpGeneration(signal) {
      const out = await call('dynamodb:UpdateItem', signal, () =>
        dynamo().send(
          new UpdateItemCommand({ TableName: tableName, Key: keyOf(STATE), UpdateExpression: 'ADD generation :one', ExpressionAttributeValues: { ':one': n(1) }, ReturnValues: 'UPDATED_NEW' }),
          { abortSignal: signal },
        ),
      );
      return Number(out.Attributes?.generation?.N ?? 0);
    },
    async tryAcquireLease(owner, expiresAt, now, signal) {
      let state: LedgerState | undefined;
      const taken = await conditional('dynamodb:UpdateItem', signal, async () => {
        const out = await dynamo().send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: keyOf(STATE),
            UpdateExpression: 'SET leaseOwner = :owner, leaseExpiresAt = :expires',
            ConditionExpression: 'attribute_not_exists(leaseOwner) OR leaseOwner = :owner OR leaseExpiresAt < :now',
            ExpressionAttributeValues: { ':owner': s(owner), ':expires': n(expiresAt), ':now': n(now) },
            ReturnValues: 'ALL_NEW',
          }),
          { abortSignal: signal },
        );
        state = stateOfItem(out.Attributes);
      });
      return taken ? state : undefined;
    },
    releaseLease(owner, outcome, signal) {
      const record = 'applied' in outcome ? 'SET applied = :generation' : 'SET failedThrough = :generation, failure = :failure';
      const values: Item = 'applied' in outcome ? { ':generation': n(outcome.applied) } : { ':generation': n(outcome.failedThrough), ':failure': s(outcome.failure) };
      return conditional('dynamodb:UpdateItem', signal, () =>
        dynamo().send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: keyOf(STATE),
            UpdateExpression: `${record} REMOVE leaseOwner, leaseExpiresAt`,
            ConditionExpression: 'leaseOwner = :owner',
            ExpressionAttributeValues: { ...values, ':owner': s(owner) },
          }),
          { abortSignal: signal },
        ),
      );
    },
    async readSnapshot(signal) {
      const snapshot: LedgerSnapshot = { holdings: [], bucketEntries: [], keyEntries: [] };
      for (const item of await queryAll(signal)) {
        const kind = str(item, 'kind');
        if (kind === 'holding') snapshot.holdings.push(holdingOfItem(item));
        else if (kind === 'bucket-entry') {
          snapshot.bucketEntries.push({ accountId: str(item, 'accountId')!, bucketName: str(item, 'bucketName')!, logFilePrefix: str(item, 'logFilePrefix') ?? '', keyArn: str(item, 'keyArn')!, origin: str(item, 'origin') as Origin });
        } else if (kind === 'key-entry') {
          snapshot.keyEntries.push({ accountId: str(item, 'accountId')!, keyArn: str(item, 'keyArn')!, bucketName: str(item, 'bucketName')!, origin: str(item, 'origin') as Origin });
        }
      }
      return snapshot;
    },
    async getHolding(holding, signal) {
      const out = await call('dynamodb:GetItem', signal, () => dynamo().send(new GetItemCommand({ TableName: tableName, Key: keyOf(holdingKey(holding)), ConsistentRead: true }), { abortSignal: signal }));
      return out.Item ? holdingOfItem(out.Item) : undefined;
    },
    async putHolding(holding, signal) {
      const out = await call('dynamodb:PutItem', signal, () => dynamo().send(new PutItemCommand({ TableName: tableName, Item: holdingItem(holding), ReturnValues: 'ALL_OLD' }), { abortSignal: signal }));
      return out.Attributes ? holdingOfItem(out.Attributes) : undefined;
    },
    async deleteHolding(holding, signal) {
      const out = await call('dynamodb:DeleteItem', signal, () => dynamo().send(new DeleteItemCommand({ TableName: tableName, Key: keyOf(holdingKey(holding)), ReturnValues: 'ALL_OLD' }), { abortSignal: signal }));
      return out.Attributes ? holdingOfItem(out.Attributes) : undefined;
    },
    async holdingsOf(holder, signal) {
      const items = await queryAll(signal);
      return items.filter((i) => str(i, 'kind') === 'holding' && str(i, 'stackId') === holder.stackId && str(i, 'logicalResourceId') === holder.logicalResourceId).map(holdingOfItem);
    },
    async rejectHolding(holding, reason, generation, signal) {
      await conditional('dynamodb:UpdateItem', signal, () =>
        dynamo().send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: keyOf(holdingKey(holding)),
            UpdateExpression: 'SET rejected = :reason, rejectedIn = :generation',
            ConditionExpression: 'attribute_exists(sk)',
            ExpressionAttributeValues: { ':reason': s(reason), ':generation': n(generation) },
          }),
          { abortSignal: signal },
        ),
      );
    },
    putBucketEntry: async (entry, signal) => void (await put(bucketEntryItem(entry), signal)),
    putKeyEntry: async (entry, signal) => void (await put(keyEntryItem(entry), signal)),
    deleteBucketEntry: async (entry, signal) => void (await remove(bucketEntryKey(entry), signal)),
    deleteKeyEntry: async (entry, signal) => void (await remove(keyEntryKey(entry), signal)),
  };
}
