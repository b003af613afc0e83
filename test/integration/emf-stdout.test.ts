// SPEC R36 on the built bundle: with the console patched the way the Lambda runtime patches it under
// AWS_LAMBDA_LOG_FORMAT=JSON (devtools/lambda-console.ts, from the runtime interface client's LogPatch.js), the
// function's stdout holds its EMF records as raw top-level JSON lines, next to its log lines that the runtime
// wrapped. Each invocation runs in its own node process (dist/tools/devtools/runtime-invoke.js) against moto.
import { join } from 'node:path';
import { createEstate } from '../../devtools/estate';
import { cfnEvent } from '../../devtools/events';
import { createLedgerTable, LEDGER_TABLE } from '../../devtools/ledger-table';
import { motoEnvironment, MotoServer, startMoto } from '../../devtools/moto';
import { projectRoot } from '../../devtools/project-root';
import { ResponseServer, startResponseServer } from '../../devtools/response-server';
import { runNode } from '../support/run-node';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const RUNTIME_INVOKE = join(projectRoot(), 'dist', 'tools', 'devtools', 'runtime-invoke.js');
const DEPLOYMENT = 'enrollment-emf-test';

let moto: MotoServer;
let responses: ResponseServer;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  moto = await startMoto();
  responses = await startResponseServer();
  const estate = await createEstate({ endpoint: moto.endpoint });
  await createLedgerTable(moto.endpoint);
  env = {
    PATH: process.env.PATH,
    ...motoEnvironment(moto.endpoint),
    TRAIL_BUCKET_NAME: estate.bucket,
    TRAIL_KEY_ARN: estate.keyArn,
    LEDGER_TABLE_NAME: LEDGER_TABLE,
    AWS_LAMBDA_LOG_FORMAT: 'JSON',
    METRICS_DEPLOYMENT: DEPLOYMENT,
  };
}, 60_000);

afterAll(async () => {
  await responses?.close();
  await moto?.stop();
});

/** The child's stdout, one parsed JSON object per line (a line that is not JSON fails the test). */
async function invoke(event: unknown): Promise<Json[]> {
  const run = await runNode(RUNTIME_INVOKE, [JSON.stringify(event)], { env });
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
  return run.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

const metricLines = (lines: Json[]) => lines.filter((l) => '_aws' in l);
const runtimeLines = (lines: Json[]) => lines.filter((l) => !('_aws' in l));

it('a Create writes one raw EMF line on stdout, and its log lines come out wrapped by the runtime', async () => {
  const lines = await invoke(cfnEvent('Create', { AccountId: '222222222222' }, { responseUrl: responses.url('create') }));
  expect(responses.received.at(-1)?.body.Status).toBe('SUCCESS');
  const [record, ...more] = metricLines(lines);
  expect(more).toEqual([]);
  expect(record._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'CloudTrailEnrollment', Dimensions: [['Deployment']] });
  expect(record).toMatchObject({ Deployment: DEPLOYMENT, RequestsSucceeded: 1, RequestsFailed: 0 });
  // Everything else went through the patched console: each line is the runtime's record around our message.
  const logs = runtimeLines(lines);
  expect(logs.length).toBeGreaterThan(0);
  for (const line of logs) expect(Object.keys(line).sort()).toEqual(['level', 'message', 'requestId', 'timestamp']);
  expect(logs.map((l) => l.message?.message)).toContain('response sent');
  // No metric record went through the console.
  expect(JSON.stringify(logs)).not.toContain('CloudWatchMetrics');
});

it('a scheduled reconcile writes its record the same way', async () => {
  const lines = await invoke({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} });
  const [record, ...more] = metricLines(lines);
  expect(more).toEqual([]);
  expect(record).toMatchObject({ Deployment: DEPLOYMENT, ReconcileSucceeded: 1, ReconcileFailed: 0 });
  expect(runtimeLines(lines).map((l) => l.message?.message)).toContain('reconciled');
});
