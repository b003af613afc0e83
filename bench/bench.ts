/**
 * npm run bench: cold start, AWS calls per request, a 200-account fleet rollout, policy capacity per layout, the
 * 1,000th enrollment in the account-list layout and the delivery check of 2,000 accounts, measured
 * side by side in one run. Prints a table per section and writes bench/results.json.
 * Exits 1 only when something is functionally wrong (a request failed, an enrollment is missing, calls differ
 * from the expected pattern); times never fail it.
 * `npm run bench:cold-start [-- ROUNDS]` runs section 1 alone, over ROUNDS interleaved rounds (default 21).
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { startAwsProxy } from '../devtools/aws-proxy';
import { createEstate } from '../devtools/estate';
import { createLedgerTable, LEDGER_TABLE } from '../devtools/ledger-table';
import { motoEnvironment, startMoto } from '../devtools/moto';
import { projectRoot } from '../devtools/project-root';
import { startResponseServer } from '../devtools/response-server';
import { quietSdkNodeWarning } from '../devtools/semantic';
import { measureAwsCalls, ScenarioResult } from './aws-calls';
import { ConcurrentRun, measureConcurrent } from './concurrent';
import { measureCapacity, CapacityRow } from './capacity';
import { ColdStartResult, LOAD_RUNS, measureColdStart } from './cold-start';
import { DeliveryResult, measureDelivery } from './delivery';
import { FleetResult, measureFleet } from './fleet';
import { loadHandler } from './harness';
import { Problems } from './report';
import { measureThousandth, ThousandthResult } from './thousandth';

interface Results {
  timestamp: string;
  node: string;
  platform: string;
  cpus: { count: number; model: string };
  wallTimeMs?: number;
  coldStart?: ColdStartResult;
  awsCalls?: ScenarioResult[];
  fleet?: FleetResult;
  capacity?: CapacityRow[];
  thousandth?: ThousandthResult;
  concurrent?: ConcurrentRun[];
  delivery?: DeliveryResult;
  problems: string[];
}

async function main(): Promise<Results> {
  quietSdkNodeWarning();
  const started = process.hrtime.bigint();
  const root = projectRoot();
  const problems = new Problems();
  const results: Results = {
    timestamp: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: { count: cpus().length, model: cpus()[0]?.model ?? 'unknown' },
    problems: problems.list,
  };
  console.log(`bench: node ${results.node}, ${results.platform}, ${results.cpus.count} x ${results.cpus.model}`);

  const coldStartOnly = process.argv[2] === 'cold-start';
  try {
    results.coldStart = measureColdStart(root, problems, coldStartOnly ? Number(process.argv[3] ?? LOAD_RUNS) : LOAD_RUNS);
    if (coldStartOnly) return finish(results, started, root, problems);

    const moto = await startMoto();
    const proxy = await startAwsProxy(moto.endpoint);
    const responses = await startResponseServer();
    try {
      // The estate is built straight on moto; the handler goes through the proxy so every call it makes is counted.
      const estate = await createEstate({ endpoint: moto.endpoint });
      await createLedgerTable(moto.endpoint);
      Object.assign(process.env, motoEnvironment(proxy.endpoint), { TRAIL_BUCKET_NAME: estate.bucket, TRAIL_KEY_ARN: estate.keyArn, LEDGER_TABLE_NAME: LEDGER_TABLE });
      const invoker = loadHandler(root, responses);
      results.awsCalls = await measureAwsCalls(invoker, proxy, responses, estate, problems);
      results.fleet = await measureFleet(invoker, proxy, responses, estate, problems);
      results.thousandth = await measureThousandth(invoker, proxy, responses, moto.endpoint, problems);
      results.delivery = await measureDelivery(root, proxy, moto.endpoint, problems);
    } finally {
      await responses.close();
      await proxy.close();
      await moto.stop();
    }

    results.concurrent = await measureConcurrent(problems);
    results.capacity = measureCapacity(problems);
  } catch (error) {
    problems.add(`the bench stopped: ${(error as Error)?.stack ?? String(error)}`);
  }

  return finish(results, started, root, problems);
}

function finish(results: Results, started: bigint, root: string, problems: Problems): Results {
  results.wallTimeMs = Number(process.hrtime.bigint() - started) / 1e6;
  const out = join(root, 'bench', 'results.json');
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwall time ${(results.wallTimeMs / 1000).toFixed(1)} s; results written to ${out}`);
  if (problems.list.length > 0) {
    console.log(`\n${problems.list.length} functional problem(s):`);
    for (const p of problems.list) console.log(`- ${p}`);
  } else {
    console.log('no functional problems');
  }
  return results;
}

main()
  .then((results) => {
    process.exitCode = results.problems.length > 0 ? 1 : 0;
  })
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
