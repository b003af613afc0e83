import {
  AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { log } from '../log';
import {
  accountItemsPrefix,
  BucketEntry,
  bucketEntryKey,
  Holder,
  holderKey,
  Holding,
  holdingKey,
  KeyEntry,
  keyEntryKey,
  LedgerSnapshot,
  LedgerState,
  PairFailure,
} from '../ledger/model';
import { checkBucketEntry, checkHolding, checkKeyEntry, ItemRecord } from '../ledger/validate-items';
import { MAX_PLAUSIBLE_LEASE_MS } from '../lifecycle/lease';
import { HolderRecord, LedgerStore, RecordedAnswer } from '../lifecycle/ports';
import { explainAwsError } from './aws-errors';
import { dynamoClient } from './clients';
import { DEFAULT_RETRY, RetryOptions, withRetries } from './retry';

/** Giving the lease back rides out a DynamoDB blip of a few seconds. */
const RELEASE_RETRY: RetryOptions = { attempts: 10, baseDelayMs: 200, maxDelayMs: 1000 };

/**
 * The ledger in one DynamoDB table with a `pk`/`sk` key:
 * - pk "ledger": the state item (sk "state": lease, counters, pending changes) and every account's items, whose
 *   sort keys start with the account (`<account>|holding|…`, `<account>|bucket|…`, `<account>|key|…`), so a
 *   request's projection reads only the accounts it changes (one Query each) and reconcile reads the partition;
 * - pk "holder": one record per resource (StackId + LogicalResourceId): its holdings and its current one;
 * - pk "answer": answered requests, expired by DynamoDB's TTL on `ttl`.
 */
const LEDGER = 'ledger';
const HOLDER = 'holder';
const ANSWER = 'answer';
const STATE = 'state';
const PAIR_FAILURE = 'pairFailure:';
/** Accounts whose items are read at once. */
const PARALLEL_READS = 8;

type Item = Record<string, AttributeValue>;

const s = (value: string): AttributeValue => ({ S: value });
const n = (value: number): AttributeValue => ({ N: String(value) });
const keyOf = (pk: string, sk: string): Item => ({ pk: s(pk), sk: s(sk) });
const str = (item: Item | undefined, name: string): string | undefined => item?.[name]?.S;

/** A DynamoDB item as plain values, for the validators (numbers that are not numbers stay strings). */
function recordOf(item: Item): ItemRecord {
  const record: ItemRecord = {};
  for (const [name, value] of Object.entries(item)) {
    if (value.S !== undefined) record[name] = value.S;
    else if (value.N !== undefined) record[name] = Number(value.N);
    else if (value.L !== undefined) record[name] = value.L.flatMap((v) => (v.S !== undefined ? [v.S] : []));
    else if (value.SS !== undefined) record[name] = value.SS;
  }
  return record;
}

function holdingItem(h: Holding): Item {
  return {
    ...keyOf(LEDGER, holdingKey(h)),
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

function bucketEntryItem(e: BucketEntry): Item {
  return {
    ...keyOf(LEDGER, bucketEntryKey(e)),
    kind: s('bucket-entry'),
    accountId: s(e.accountId),
    bucketName: s(e.bucketName),
    logFilePrefix: s(e.logFilePrefix),
    keyArn: s(e.keyArn),
    origin: s(e.origin),
    ...(e.recordedIn !== undefined ? { recordedIn: n(e.recordedIn) } : {}),
  };
}

function keyEntryItem(e: KeyEntry): Item {
  return {
    ...keyOf(LEDGER, keyEntryKey(e)),
    kind: s('key-entry'),
    accountId: s(e.accountId),
    keyArn: s(e.keyArn),
    bucketName: s(e.bucketName),
    origin: s(e.origin),
    ...(e.recordedIn !== undefined ? { recordedIn: n(e.recordedIn) } : {}),
  };
}

/** The state item, with counters that are not numbers read as 0 and named (SPEC R39: items are input). */
function stateOfItem(item: Item | undefined): LedgerState {
  const malformed: string[] = [];
  const counter = (name: string): number => {
    const value = item?.[name];
    if (value === undefined) return 0;
    const number = value.N === undefined ? NaN : Number(value.N);
    if (!Number.isSafeInteger(number) || number < 0) {
      malformed.push(name);
      return 0;
    }
    return number;
  };
  const pairFailures: Record<string, PairFailure> = {};
  for (const [name, value] of Object.entries(item ?? {})) {
    if (!name.startsWith(PAIR_FAILURE) || value.S === undefined) continue;
    try {
      const parsed = JSON.parse(value.S) as PairFailure;
      if (Number.isSafeInteger(parsed.through) && typeof parsed.reason === 'string') pairFailures[name.slice(PAIR_FAILURE.length)] = parsed;
    } catch {
      malformed.push(name);
    }
  }
  const expires = item?.leaseExpiresAt?.N === undefined ? undefined : Number(item.leaseExpiresAt.N);
  const failure = str(item, 'failure');
  const owner = str(item, 'leaseOwner');
  const reported = str(item, 'reported');
  return {
    generation: counter('generation'),
    applied: counter('applied'),
    failedThrough: counter('failedThrough'),
    ...(failure ? { failure } : {}),
    pairFailures,
    pending: item?.pending?.SS ?? [],
    ...(owner ? { leaseOwner: owner } : {}),
    // A lease whose expiry is not a number blocks nobody.
    ...(owner ? { leaseExpiresAt: Number.isFinite(expires) ? expires : 0 } : {}),
    ...(reported ? { reported } : {}),
    ...(malformed.length > 0 ? { malformed } : {}),
  };
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException || (error as { name?: string })?.name === 'ConditionalCheckFailedException';
}

function isValidationError(error: unknown): boolean {
  return (error as { name?: string })?.name === 'ValidationException';
}

/** Splits a snapshot's items by kind and validates each; invalid ones are left out and described. */
function snapshotOf(items: Item[]): LedgerSnapshot {
  const snapshot: LedgerSnapshot = { holdings: [], bucketEntries: [], keyEntries: [], invalid: [] };
  for (const item of items) {
    const sk = str(item, 'sk') ?? '';
    if (sk === STATE) continue;
    const record = recordOf(item);
    const kind = str(item, 'kind');
    const checked =
      kind === 'holding' ? checkHolding(sk, record) : kind === 'bucket-entry' ? checkBucketEntry(sk, record) : kind === 'key-entry' ? checkKeyEntry(sk, record) : { invalid: `ledger item ${JSON.stringify(sk.slice(0, 200))}: kind ${JSON.stringify(kind ?? null)} is unknown` };
    if ('invalid' in checked) snapshot.invalid!.push(checked.invalid);
    else if (kind === 'holding') snapshot.holdings.push(checked.ok as Holding);
    else if (kind === 'bucket-entry') snapshot.bucketEntries.push(checked.ok as BucketEntry);
    else snapshot.keyEntries.push(checked.ok as KeyEntry);
  }
  return snapshot;
}

export function awsLedgerStore(tableName: string, region: string): LedgerStore {
  const dynamo = () => dynamoClient(region);
  const table = `the ledger table ${tableName}`;
  async function call<T>(action: string, signal: AbortSignal, operation: () => Promise<T>): Promise<T> {
    try {
      return await withRetries(operation, signal);
    } catch (error) {
      throw explainAwsError(error, action, table, region);
    }
  }
  /** A conditional write: false when its condition did not hold. */
  async function conditional(action: string, signal: AbortSignal, operation: () => Promise<unknown>, retry: RetryOptions = DEFAULT_RETRY): Promise<boolean> {
    try {
      await withRetries(operation, signal, retry);
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw explainAwsError(error, action, table, region);
    }
  }
  const update = (input: Omit<ConstructorParameters<typeof UpdateItemCommand>[0], 'TableName'>, signal: AbortSignal) => dynamo().send(new UpdateItemCommand({ TableName: tableName, ...input }), { abortSignal: signal });
  const put = (item: Item, signal: AbortSignal) => call('dynamodb:PutItem', signal, () => dynamo().send(new PutItemCommand({ TableName: tableName, Item: item }), { abortSignal: signal }));
  const remove = (sk: string, signal: AbortSignal) => call('dynamodb:DeleteItem', signal, () => dynamo().send(new DeleteItemCommand({ TableName: tableName, Key: keyOf(LEDGER, sk) }), { abortSignal: signal }));
  const getItem = async (pk: string, sk: string, signal: AbortSignal) =>
    (await call('dynamodb:GetItem', signal, () => dynamo().send(new GetItemCommand({ TableName: tableName, Key: keyOf(pk, sk), ConsistentRead: true }), { abortSignal: signal }))).Item;

  async function query(condition: string, values: Item, signal: AbortSignal): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const out = await call('dynamodb:Query', signal, () =>
        dynamo().send(new QueryCommand({ TableName: tableName, KeyConditionExpression: condition, ExpressionAttributeValues: values, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }), { abortSignal: signal }),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /** Counters or a pending set of the wrong type make every ADD fail: reset them to values no waiter has seen. */
  async function repairState(signal: AbortSignal): Promise<void> {
    const item = await getItem(LEDGER, STATE, signal);
    const state = stateOfItem(item);
    const next = Math.max(state.generation, state.applied, state.failedThrough) + 1;
    const wrongType = (name: string, type: 'N' | 'SS') => item?.[name] !== undefined && item[name]![type] === undefined;
    log.error('the ledger state item held values of the wrong type; they were reset and waiting requests register their changes again', { malformed: [...(state.malformed ?? []), ...(wrongType('pending', 'SS') ? ['pending'] : [])] });
    const sets = ['generation', 'applied', 'failedThrough'].filter((name) => wrongType(name, 'N') || state.malformed?.includes(name));
    const expression = [sets.length > 0 ? `SET ${sets.map((name) => `${name} = :${name}`).join(', ')}` : '', wrongType('pending', 'SS') ? 'REMOVE pending' : ''].filter(Boolean).join(' ');
    if (!expression) return;
    const values = Object.fromEntries(sets.map((name) => [`:${name}`, n(name === 'generation' ? next : Math.max(0, next - 1))]));
    await call('dynamodb:UpdateItem', signal, () => update({ Key: keyOf(LEDGER, STATE), UpdateExpression: expression, ...(sets.length > 0 ? { ExpressionAttributeValues: values } : {}) }, signal));
  }

  function holderRecordKey(holder: Holder): Item {
    return keyOf(HOLDER, holderKey(holder));
  }

  async function readHolding(sk: string, signal: AbortSignal): Promise<Holding | undefined> {
    const item = await getItem(LEDGER, sk, signal);
    if (!item) return undefined;
    const checked = checkHolding(sk, recordOf(item));
    if ('invalid' in checked) {
      log.error('a ledger item failed validation and was skipped; fix or delete it in the table', { invalid: checked.invalid });
      return undefined;
    }
    return checked.ok;
  }

  const store: LedgerStore = {
    async readState(signal) {
      return stateOfItem(await getItem(LEDGER, STATE, signal));
    },
    async registerChange(accounts, signal) {
      const tokens = accounts.map((account) => `${account}#${randomUUID().slice(0, 13)}`);
      const register = () =>
        update(
          {
            Key: keyOf(LEDGER, STATE),
            UpdateExpression: tokens.length > 0 ? 'ADD generation :one, pending :tokens' : 'ADD generation :one',
            ExpressionAttributeValues: { ':one': n(1), ...(tokens.length > 0 ? { ':tokens': { SS: tokens } } : {}) },
            ReturnValues: 'UPDATED_NEW',
          },
          signal,
        );
      let out;
      try {
        out = await withRetries(register, signal);
      } catch (error) {
        if (!isValidationError(error)) throw explainAwsError(error, 'dynamodb:UpdateItem', table, region);
        await repairState(signal);
        out = await call('dynamodb:UpdateItem', signal, register);
      }
      return Number(out.Attributes?.generation?.N ?? 0);
    },
    async tryAcquireLease(owner, expiresAt, now, signal) {
      let state: LedgerState | undefined;
      const taken = await conditional('dynamodb:UpdateItem', signal, async () => {
        const out = await update(
          {
            Key: keyOf(LEDGER, STATE),
            UpdateExpression: 'SET leaseOwner = :owner, leaseExpiresAt = :expires',
            // Free, ours, lapsed, implausibly far ahead, or not a number: take it (SPEC R39).
            ConditionExpression: 'attribute_not_exists(leaseOwner) OR leaseOwner = :owner OR leaseExpiresAt < :now OR leaseExpiresAt > :implausible OR NOT attribute_type(leaseExpiresAt, :number)',
            ExpressionAttributeValues: { ':owner': s(owner), ':expires': n(expiresAt), ':now': n(now), ':implausible': n(now + MAX_PLAUSIBLE_LEASE_MS), ':number': s('N') },
            ReturnValues: 'ALL_NEW',
          },
          signal,
        );
        state = stateOfItem(out.Attributes);
      });
      return taken ? state : undefined;
    },
    renewLease(owner, expiresAt, signal) {
      return conditional('dynamodb:UpdateItem', signal, () =>
        update({ Key: keyOf(LEDGER, STATE), UpdateExpression: 'SET leaseExpiresAt = :expires', ConditionExpression: 'leaseOwner = :owner', ExpressionAttributeValues: { ':owner': s(owner), ':expires': n(expiresAt) } }, signal),
      );
    },
    releaseLease(owner, release, signal) {
      const sets: string[] = [];
      const names: Record<string, string> = {};
      const values: Item = { ':owner': s(owner), ':generation': n(release.generation) };
      if (release.failure === undefined) sets.push('applied = :generation');
      else {
        sets.push('failedThrough = :generation', 'failure = :failure');
        values[':failure'] = s(release.failure);
      }
      Object.entries(release.pairFailures ?? {}).forEach(([pair, reason], i) => {
        names[`#pf${i}`] = `${PAIR_FAILURE}${pair}`;
        values[`:pf${i}`] = s(JSON.stringify({ through: release.generation, reason }));
        sets.push(`#pf${i} = :pf${i}`);
      });
      if (release.reported !== undefined) {
        sets.push('reported = :reported');
        values[':reported'] = s(release.reported);
      }
      const completed = release.completed ?? [];
      if (completed.length > 0) values[':completed'] = { SS: [...completed] };
      const expression = `SET ${sets.join(', ')} REMOVE leaseOwner, leaseExpiresAt${completed.length > 0 ? ' DELETE pending :completed' : ''}`;
      return conditional('dynamodb:UpdateItem', signal, () =>
        update({ Key: keyOf(LEDGER, STATE), UpdateExpression: expression, ConditionExpression: 'leaseOwner = :owner', ExpressionAttributeValues: values, ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}) }, signal),
        // Longer than other calls: a lease left behind blocks every other request until it lapses (R39).
        RELEASE_RETRY,
      );
    },
    async readSnapshot(signal) {
      return snapshotOf(await query('pk = :pk', { ':pk': s(LEDGER) }, signal));
    },
    async readAccounts(accounts, signal) {
      const items: Item[] = [];
      const queue = [...new Set(accounts)];
      const worker = async () => {
        for (let account = queue.shift(); account !== undefined; account = queue.shift()) {
          items.push(...(await query('pk = :pk AND begins_with(sk, :prefix)', { ':pk': s(LEDGER), ':prefix': s(accountItemsPrefix(account)) }, signal)));
        }
      };
      await Promise.all(Array.from({ length: Math.min(PARALLEL_READS, queue.length) }, worker));
      return snapshotOf(items);
    },
    getHolding(holding, signal) {
      return readHolding(holdingKey(holding), signal);
    },
    async putHolding(holding, signal) {
      // Indexed under its holder first: a holding the holder's record does not name could never be released with it.
      await call('dynamodb:UpdateItem', signal, () =>
        update({ Key: holderRecordKey(holding), UpdateExpression: 'SET stackId = :stack, logicalResourceId = :logical ADD holdings :sk', ExpressionAttributeValues: { ':stack': s(holding.stackId), ':logical': s(holding.logicalResourceId), ':sk': { SS: [holdingKey(holding)] } } }, signal),
      );
      const out = await call('dynamodb:PutItem', signal, () => dynamo().send(new PutItemCommand({ TableName: tableName, Item: holdingItem(holding), ReturnValues: 'ALL_OLD' }), { abortSignal: signal }));
      if (!out.Attributes) return undefined;
      const checked = checkHolding(holdingKey(holding), recordOf(out.Attributes));
      return 'ok' in checked ? checked.ok : undefined;
    },
    async deleteHolding(holding, signal) {
      const sk = holdingKey(holding);
      const out = await call('dynamodb:DeleteItem', signal, () => dynamo().send(new DeleteItemCommand({ TableName: tableName, Key: keyOf(LEDGER, sk), ReturnValues: 'ALL_OLD' }), { abortSignal: signal }));
      await call('dynamodb:UpdateItem', signal, () => update({ Key: holderRecordKey(holding), UpdateExpression: 'DELETE holdings :sk', ExpressionAttributeValues: { ':sk': { SS: [sk] } } }, signal));
      if (!out.Attributes) return undefined;
      const checked = checkHolding(sk, recordOf(out.Attributes));
      // An invalid item that was deleted is gone either way; its holder had it.
      return 'ok' in checked ? checked.ok : { ...holding };
    },
    async holderRecord(holder, signal): Promise<HolderRecord> {
      const record = await getItem(HOLDER, holderKey(holder), signal);
      const holdings: Holding[] = [];
      for (const sk of record?.holdings?.SS ?? []) {
        const holding = await readHolding(sk, signal);
        if (holding && holding.stackId === holder.stackId && holding.logicalResourceId === holder.logicalResourceId) holdings.push(holding);
      }
      const current = str(record, 'current');
      return { holdings, ...(current ? { current } : {}) };
    },
    async setCurrentHolding(holding, signal) {
      await call('dynamodb:UpdateItem', signal, () => update({ Key: holderRecordKey(holding), UpdateExpression: 'SET stackId = :stack, logicalResourceId = :logical, #current = :sk', ExpressionAttributeNames: { '#current': 'current' }, ExpressionAttributeValues: { ':stack': s(holding.stackId), ':logical': s(holding.logicalResourceId), ':sk': s(holdingKey(holding)) } }, signal));
    },
    async rejectHolding(holding, reason, generation, signal) {
      await conditional('dynamodb:UpdateItem', signal, () =>
        update({ Key: keyOf(LEDGER, holdingKey(holding)), UpdateExpression: 'SET rejected = :reason, rejectedIn = :generation', ConditionExpression: 'attribute_exists(sk)', ExpressionAttributeValues: { ':reason': s(reason), ':generation': n(generation) } }, signal),
      );
    },
    putBucketEntry: async (entry, signal) => void (await put(bucketEntryItem(entry), signal)),
    putKeyEntry: async (entry, signal) => void (await put(keyEntryItem(entry), signal)),
    deleteBucketEntry: async (entry, signal) => void (await remove(bucketEntryKey(entry), signal)),
    deleteKeyEntry: async (entry, signal) => void (await remove(keyEntryKey(entry), signal)),
    async recallAnswer(requestKey, signal) {
      const item = await getItem(ANSWER, requestKey, signal);
      const status = str(item, 'status');
      const physicalResourceId = str(item, 'physicalResourceId');
      const ttl = Number(item?.ttl?.N ?? 0);
      // DynamoDB deletes expired items lazily; an expired one no longer counts.
      if (!item || (status !== 'SUCCESS' && status !== 'FAILED') || !physicalResourceId || ttl * 1000 < Date.now()) return undefined;
      const reason = str(item, 'reason');
      let data: Record<string, string> | undefined;
      try {
        data = str(item, 'data') ? (JSON.parse(str(item, 'data')!) as Record<string, string>) : undefined;
      } catch {
        data = undefined;
      }
      return { status, physicalResourceId, ...(reason ? { reason } : {}), ...(data ? { data } : {}) };
    },
    async recordAnswer(requestKey, answer: RecordedAnswer, expiresAt, signal) {
      await put(
        {
          ...keyOf(ANSWER, requestKey),
          status: s(answer.status),
          physicalResourceId: s(answer.physicalResourceId),
          ...(answer.reason ? { reason: s(answer.reason) } : {}),
          ...(answer.data ? { data: s(JSON.stringify(answer.data)) } : {}),
          answeredAt: n(Date.now()),
          ttl: n(Math.ceil(expiresAt / 1000)),
        },
        signal,
      );
    },
  };
  return store;
}
