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
    bucketAccounts: async () => accountsIn(await estate.bucketResources(), /\/AWSLogs\/([0-9]{12})\/\*$/),
    keyAccounts: async () => accountsIn(await estate.keyPatterns(), /:([0-9]{12}):trail\//),
    policyWrites: () => proxy.count('PutBucketPolicy') + proxy.count('PutKeyPolicy') + proxy.count('DeleteBucketPolicy'),
    async stop() {
      await pool.stop();
      await responses.close();
      await proxy.close();
      await moto.stop();
    },
  };
}

function accountsIn(values: string[], pattern: RegExp): string[] {
  return [...new Set(values.flatMap((v) => pattern.exec(v)?.[1] ?? []))].sort();
}
