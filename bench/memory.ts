/**
 * npm run bench:memory: is anything retained per request? Runs the built handler in this process against moto
 * for 1,000 requests (Create and Delete of one member, in turn) and prints RSS and heap after a full GC at
 * checkpoints. The response server counts answers and keeps nothing, so the growth measured is the handler's.
 * Run with --expose-gc (the npm script does). Usage: node --expose-gc dist/tools/bench/memory.js [requests]
 */
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { createEstate } from '../devtools/estate';
import { cfnEvent, lambdaContext } from '../devtools/events';
import { createLedgerTable, LEDGER_TABLE } from '../devtools/ledger-table';
import { divertMetricRecords } from '../devtools/metric-lines';
import { motoEnvironment, startMoto } from '../devtools/moto';
import { projectRoot } from '../devtools/project-root';
import { quietSdkNodeWarning } from '../devtools/semantic';

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

const MEMBER = '222222222222';
const MiB = 1024 * 1024;

function collect(): NodeJS.MemoryUsage {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage();
}

async function main(): Promise<void> {
  quietSdkNodeWarning();
  const total = Number(process.argv[2] ?? 1000);
  const checkpoints = new Set([50, 100, 300, 500, 1000, total].filter((n) => n <= total));
  if (!(globalThis as { gc?: unknown }).gc) console.log('note: run node with --expose-gc for numbers after a full collection');

  const answers = { success: 0, failed: 0 };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const status = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Status?: string }).Status;
      if (status === 'SUCCESS') answers.success++;
      else answers.failed++;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const responseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/response`;

  const moto = await startMoto();
  try {
    const estate = await createEstate({ endpoint: moto.endpoint });
    await createLedgerTable(moto.endpoint);
    Object.assign(process.env, motoEnvironment(moto.endpoint), { TRAIL_BUCKET_NAME: estate.bucket, TRAIL_KEY_ARN: estate.keyArn, LEDGER_TABLE_NAME: LEDGER_TABLE });
    const { handler } = require(join(projectRoot(), 'dist', 'handler.js')) as { handler: Handler };
    const original = { log: console.log, error: console.error, warn: console.warn };
    // The EMF metric records (raw stdout lines) would bury the table.
    divertMetricRecords();
    let errorLines = 0;
    const rows: string[][] = [];
    const baseline = collect();
    const started = Date.now();
    let physicalResourceId = '';
    for (let n = 1; n <= total; n++) {
      const event =
        n % 2 === 1
          ? cfnEvent('Create', { AccountId: MEMBER }, { responseUrl })
          : cfnEvent('Delete', { AccountId: MEMBER }, { responseUrl, physicalResourceId });
      console.log = () => undefined;
      console.warn = () => undefined;
      console.error = () => void errorLines++;
      try {
        await handler(event, lambdaContext(60_000));
      } finally {
        Object.assign(console, original);
      }
      if (n % 2 === 1) physicalResourceId = `${MEMBER};bucket=${estate.bucket};prefix=;key=${estate.keyArn};trail=`;
      if (checkpoints.has(n)) {
        const m = collect();
        // MEMORY_SNAPSHOTS=<dir>: a heap snapshot at every checkpoint, to compare in Chrome DevTools.
        if (process.env.MEMORY_SNAPSHOTS) writeHeapSnapshot(join(process.env.MEMORY_SNAPSHOTS, `after-${n}.heapsnapshot`));
        rows.push([String(n), (m.rss / MiB).toFixed(1), (m.heapUsed / MiB).toFixed(2), (((m.heapUsed - baseline.heapUsed) / n) / 1024).toFixed(2), ((Date.now() - started) / n).toFixed(1)]);
      }
    }
    console.log(`memory after N requests (handler in-process against moto; baseline before the first: RSS ${(baseline.rss / MiB).toFixed(1)} MiB, heap ${(baseline.heapUsed / MiB).toFixed(2)} MiB)`);
    console.log(['requests', 'RSS MiB', 'heap MiB', 'heap KB/request', 'ms/request'].map((h) => h.padStart(16)).join(''));
    for (const row of rows) console.log(row.map((c) => c.padStart(16)).join(''));
    console.log(`answers: ${answers.success} SUCCESS, ${answers.failed} FAILED; ${errorLines} error log lines`);
    if (answers.failed > 0 || answers.success !== total) process.exitCode = 1;
  } finally {
    await moto.stop();
    server.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
