/**
 * Section: concurrent. The same 200 accounts enrolled one at a time and 20 at a time, each request run by the
 * built handler in its own OS process ("Lambda instance"), against a fresh moto estate per run. Group commit
 * (SPEC R30) shows as policy writes per enrollment well under 2.
 */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { Fleet, startFleet } from '../devtools/process-fleet';
import { heading, median, ms, percentile, printTable, Problems } from './report';

const ACCOUNTS = 200;
const FIRST_MEMBER = 300_000_000_000;

export interface ConcurrentRun {
  concurrency: number;
  accounts: number;
  succeeded: number;
  wallMs: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  bucketWrites: number;
  keyWrites: number;
  writesPerEnrollment: number;
  /** Accounts that answered SUCCESS but are missing from a policy at the end. */
  entriesLost: number;
}

async function enrollAll(fleet: Fleet, accounts: string[], concurrency: number, problems: Problems): Promise<ConcurrentRun> {
  const queue = [...accounts];
  const latencies: number[] = [];
  const succeeded: string[] = [];
  fleet.proxy.clear();
  const started = process.hrtime.bigint();
  await Promise.all(
    fleet.pool.workers.slice(0, concurrency).map(async (worker) => {
      for (let account = queue.shift(); account !== undefined; account = queue.shift()) {
        const event: CloudFormationCustomResourceEvent = fleet.request('Create', { AccountId: account });
        const t0 = process.hrtime.bigint();
        const response = await fleet.run(worker, event, 60_000);
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (problems.check(response?.Status === 'SUCCESS', `concurrency ${concurrency}: Create of ${account} answered ${response?.Status ?? 'nothing'}${response?.Reason ? `: ${response.Reason}` : ''}`)) succeeded.push(account);
      }
    }),
  );
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const bucketWrites = fleet.proxy.count('PutBucketPolicy');
  const keyWrites = fleet.proxy.count('PutKeyPolicy');
  const inBucket = new Set(await fleet.bucketAccounts());
  const inKey = new Set(await fleet.keyAccounts());
  const lost = succeeded.filter((a) => !inBucket.has(a) || !inKey.has(a));
  problems.check(lost.length === 0, `concurrency ${concurrency}: ${lost.length} accounts answered SUCCESS but are missing from a policy (${lost.slice(0, 5).join(', ')})`);
  return {
    concurrency,
    accounts: accounts.length,
    succeeded: succeeded.length,
    wallMs,
    p50Ms: median(latencies),
    p95Ms: percentile(latencies, 95),
    maxMs: Math.max(...latencies),
    bucketWrites,
    keyWrites,
    writesPerEnrollment: (bucketWrites + keyWrites) / accounts.length,
    entriesLost: lost.length,
  };
}

export async function measureConcurrent(problems: Problems): Promise<ConcurrentRun[]> {
  heading(`concurrent: ${ACCOUNTS} accounts enrolled one at a time, then 20 at a time (separate processes, fresh moto estate each)`);
  const accounts = Array.from({ length: ACCOUNTS }, (_, i) => String(FIRST_MEMBER + i));
  const runs: ConcurrentRun[] = [];
  for (const concurrency of [1, 20]) {
    const fleet = await startFleet(concurrency);
    try {
      runs.push(await enrollAll(fleet, accounts, concurrency, problems));
    } finally {
      await fleet.stop();
    }
  }
  printTable(
    ['at a time', 'requests', 'ok', 'wall', 'p50', 'p95', 'max', 'bucket writes', 'key writes', 'policy writes / enrollment', 'entries lost'],
    runs.map((r) => [r.concurrency, r.accounts, r.succeeded, ms(r.wallMs, 0), ms(r.p50Ms), ms(r.p95Ms), ms(r.maxMs), r.bucketWrites, r.keyWrites, r.writesPerEnrollment.toFixed(2), r.entriesLost]),
  );
  return runs;
}
