import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { join } from 'node:path';
import { AwsProxy, startAwsProxy } from '../../devtools/aws-proxy';
import { createEstate, Estate, EstateOptions } from '../../devtools/estate';
import { createLedgerTable, LEDGER_TABLE } from '../../devtools/ledger-table';
import { isMetricRecord } from '../../devtools/metric-lines';
import { cfnEvent, lambdaContext } from '../../devtools/events';
import { MotoServer, motoEnvironment, startMoto } from '../../devtools/moto';
import { projectRoot } from '../../devtools/project-root';
import { ReceivedResponse, ResponseServer, startResponseServer } from '../../devtools/response-server';

/**
 * The built Lambda bundle against moto, through a loopback proxy that counts calls and injects faults, with a
 * loopback server standing in for CloudFormation's ResponseURL. One per test file.
 */
export interface Harness {
  moto: MotoServer;
  proxy: AwsProxy;
  responses: ResponseServer;
  logs: string[];
  /** The EMF metric records the function wrote to stdout (SPEC R36), one JSON line each. */
  metricRecords: string[];
  /**
   * Resets moto, builds a fresh bucket and key, and pins them in the function's environment. With
   * `ledgerTable: false` the ledger table LEDGER_TABLE_NAME names is not created (a deleted or misnamed table).
   */
  estate(options?: Omit<EstateOptions, 'endpoint'>, env?: Record<string, string>, ledger?: { ledgerTable: boolean }): Promise<Estate>;
  /** Sets the function environment: the moto settings and the ledger table plus these (every other setting unset). */
  configure(env: Record<string, string>): void;
  invoke(event: CloudFormationCustomResourceEvent | unknown, remainingMs?: number): Promise<ReceivedResponse[]>;
  request(type: 'Create' | 'Update' | 'Delete', properties: Record<string, string>, options?: { stackAccount?: string; stackId?: string; logicalResourceId?: string; physicalResourceId?: string; oldProperties?: Record<string, string> }): CloudFormationCustomResourceEvent;
  stop(): Promise<void>;
}

const SETTINGS = ['TRAIL_BUCKET_NAME', 'TRAIL_KEY_ARN', 'TRAIL_LOG_FILE_PREFIX', 'PROTECTED_ACCOUNT_IDS', 'ADMIN_ACCOUNT_IDS', 'BUCKET_POLICY_SID', 'KEY_POLICY_SID', 'ORGANIZATION_ID', 'LEDGER_TABLE_NAME', 'POLICY_LAYOUT'];

export async function startHarness(): Promise<Harness> {
  const moto = await startMoto();
  const proxy = await startAwsProxy(moto.endpoint);
  const responses = await startResponseServer();
  const logs: string[] = [];
  const base = { ...motoEnvironment(proxy.endpoint), LEDGER_TABLE_NAME: LEDGER_TABLE };
  const configure = (env: Record<string, string>) => {
    for (const name of SETTINGS) delete process.env[name];
    Object.assign(process.env, base, env);
  };
  configure({});
  const { handler } = require(join(projectRoot(), 'dist', 'handler.js')) as typeof import('../../src/handler');
  const capture = (...args: unknown[]) => logs.push(args.map(String).join(' '));
  const metricRecords: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const spies = [
    jest.spyOn(console, 'log').mockImplementation(capture),
    jest.spyOn(console, 'warn').mockImplementation(capture),
    jest.spyOn(console, 'error').mockImplementation(capture),
    // EMF records go straight to stdout, not through console.log (SPEC R36).
    jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
      if (isMetricRecord(chunk)) {
        metricRecords.push(...String(chunk).split('\n').filter(Boolean));
        return true;
      }
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stdout.write),
  ];

  return {
    moto,
    proxy,
    responses,
    logs,
    metricRecords,
    configure,
    async estate(options = {}, env = {}, ledger = { ledgerTable: true }) {
      await moto.reset();
      const estate = await createEstate({ endpoint: moto.endpoint, ...options });
      if (ledger.ledgerTable) await createLedgerTable(moto.endpoint);
      configure({ TRAIL_BUCKET_NAME: estate.bucket, TRAIL_KEY_ARN: estate.keyArn, ...env });
      proxy.clear();
      return estate;
    },
    async invoke(event, remainingMs = 30_000) {
      const before = responses.received.length;
      await handler(event, lambdaContext(remainingMs));
      return responses.received.slice(before);
    },
    request(type, properties, options = {}) {
      return cfnEvent(type, properties, { responseUrl: responses.url(type.toLowerCase()), ...options });
    },
    async stop() {
      spies.forEach((s) => s.mockRestore());
      await responses.close();
      await proxy.close();
      await moto.stop();
    },
  };
}

/** The single response an invocation must produce. */
export function only(responses: ReceivedResponse[]): ReceivedResponse['body'] {
  expect(responses).toHaveLength(1);
  return responses[0]!.body;
}

/**
 * One harness for the test file, started before its first test and stopped after its last; with `estate`, a
 * fresh estate before each test. The callbacks hand them to the file's own variables.
 */
export function useHarness(receive: { harness(h: Harness): void; estate?(estate: Estate): void }): void {
  let h: Harness | undefined;
  beforeAll(async () => {
    h = await startHarness();
    receive.harness(h);
  });
  afterAll(async () => {
    await h?.stop();
  });
  if (receive.estate) beforeEach(async () => receive.estate!(await h!.estate()));
}
