import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { AwsProxy, startAwsProxy } from './aws-proxy';
import { createEstate, Estate } from './estate';
import { cfnEvent, EventOptions } from './events';
import { createLedgerTable, LEDGER_TABLE } from './ledger-table';
import { MotoServer, motoEnvironment, startMoto } from './moto';
import { ReceivedResponse, ResponseServer, startResponseServer } from './response-server';
import { startWorkerPool, Worker, WorkerPool } from './worker-pool';

/**
 * The built bundle in several OS processes (one per "Lambda instance") against one moto, through the
 * fault-injecting proxy, answering a loopback response server. For tests where concurrency is the point.
 */
export interface Fleet {
  moto: MotoServer;
  proxy: AwsProxy;
  responses: ResponseServer;
  estate: Estate;
  pool: WorkerPool;
  request(type: 'Create' | 'Update' | 'Delete', properties: Record<string, string>, options?: Omit<EventOptions, 'responseUrl'>): CloudFormationCustomResourceEvent;
  /** Runs the request on the worker and returns its response (undefined when the worker died first). */
  run(worker: Worker, event: CloudFormationCustomResourceEvent, remainingMs?: number): Promise<ReceivedResponse['body'] | undefined>;
  /** The event to send to the function for a scheduled reconcile (R31). */
  reconcile(worker: Worker, remainingMs?: number): Promise<void>;
  bucketAccounts(): Promise<string[]>;
  keyAccounts(): Promise<string[]>;
  policyWrites(): number;
  stop(): Promise<void>;
}

export async function startFleet(workers: number, env: Record<string, string> = {}): Promise<Fleet> {
  const moto = await startMoto();
  const proxy = await startAwsProxy(moto.endpoint);
  const responses = await startResponseServer();
  const estate = await createEstate({ endpoint: moto.endpoint });
  await createLedgerTable(moto.endpoint);
  const pool = startWorkerPool(workers, {
    ...motoEnvironment(proxy.endpoint),
    TRAIL_BUCKET_NAME: estate.bucket,
    TRAIL_KEY_ARN: estate.keyArn,
    LEDGER_TABLE_NAME: LEDGER_TABLE,
    ...env,
  });
  const responseOf = (requestId: string) => responses.received.find((r) => r.body.RequestId === requestId)?.body;
  return {
    moto,
    proxy,
    responses,
    estate,
    pool,
    request: (type, properties, options = {}) => cfnEvent(type, properties, { responseUrl: responses.url(type.toLowerCase()), ...options }),
    async run(worker, event, remainingMs = 20_000) {
      try {
        await worker.invoke(event, remainingMs);
      } catch {
        return undefined;
      }
      return responseOf(event.RequestId);
    },
    async reconcile(worker, remainingMs = 20_000) {
      await worker.invoke({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} }, remainingMs);
    },
    async bucketAccounts() {
      return accountsIn(await estate.readBucketPolicy(), 'AWSCloudTrailWrite20131101', (s) => [s.Resource].flat(), /\/AWSLogs\/([0-9]{12})\/\*$/);
    },
    async keyAccounts() {
      return accountsIn(await estate.readKeyPolicy(), 'Allow CloudTrail to encrypt logs', (s) => [s.Condition?.StringLike?.['kms:EncryptionContext:aws:cloudtrail:arn'] ?? []].flat(), /:([0-9]{12}):trail\//);
    },
    policyWrites: () => proxy.count('PutBucketPolicy') + proxy.count('PutKeyPolicy') + proxy.count('DeleteBucketPolicy'),
    async stop() {
      await pool.stop();
      await responses.close();
      await proxy.close();
      await moto.stop();
    },
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function accountsIn(text: string | undefined, sid: string, values: (s: any) => string[], pattern: RegExp): string[] {
  const statement = text === undefined ? undefined : (JSON.parse(text).Statement as Array<{ Sid?: string }>).find((s) => s.Sid === sid);
  const accounts = statement ? values(statement).flatMap((v) => pattern.exec(v)?.[1] ?? []) : [];
  return [...new Set(accounts)].sort();
}
