/**
 * Section 3c: the delivery check (SPEC R35) of 2,000 enrolled accounts with CloudTrail-shaped files on moto. The
 * built bundle runs {"check": "delivery"} in a fresh Node.js process (as the scheduled function would) through the
 * counting proxy: S3 requests per account and region, requests in flight, wall time and the process's peak RSS.
 * The accounts are written straight into both policies (account-list layout) and the ledger; moto does not hold
 * S3's 20 KB bucket policy limit, which in reality admits about 1,330 accounts per bucket policy.
 */
import { spawn } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import type { AwsProxy } from '../devtools/aws-proxy';
import { decodedPath } from '../devtools/aws-proxy';
import { putTrailFiles, Situation, situationFiles, TrailFile } from '../devtools/cloudtrail-files';
import { createEstate } from '../devtools/estate';
import { createLedgerTable } from '../devtools/ledger-table';
import { motoEnvironment, OWNER_ACCOUNT_ID } from '../devtools/moto';
import { awsLedgerStore } from '../src/aws/aws-ledger';
import { enrollInAccountListBucket, enrollInAccountListKey } from '../src/core/account-list';
import { parsePolicy, PolicyDocument, toCompactJson } from '../src/core/policy-document';
import { BUCKET_SID, KEY_SID } from './harness';
import { heading, ms, printTable, Problems } from './report';

export const DELIVERY_ACCOUNTS = 2_000;
const BUCKET = 'org-cloudtrail-delivery';
const TABLE = 'bench-ledger-delivery';
const OTHER_KEY = 'arn:aws:kms:us-east-1:111111111111:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';

export interface DeliveryResult {
  accounts: number;
  checked: number;
  states: Record<string, number>;
  s3Requests: { listObjectsV2: number; headObject: number; perAccountMean: number; perAccountMax: number };
  otherCalls: Record<string, number>;
  maxInFlight: number;
  wallMs: number;
  peakRssMiB: number;
  seedMs: number;
  /** S3 requests of one run at 1,000 accounts: the per-account mean times 1,000 plus the two policy reads. */
  s3RequestsAt1000: number;
}

/**
 * Of every 50 accounts one is silent, one unencrypted and one has no files at all; the rest deliver (one in ten with
 * two trails' digests, the others with the log files' key given as a bare key id). Home region: 1 in 10 eu-west-1.
 */
function situationOf(index: number): Situation {
  return (['silent', 'unencrypted', 'no files'] as const)[index % 50] ?? (index % 10 === 3 ? 'delivering' : 'delivering, key id');
}
const regionOf = (index: number) => (index % 10 === 9 ? 'eu-west-1' : 'us-east-1');

/** Runs the built handler once with {"check": "delivery"} in its own process; its stdout lines and its own figures. */
function runCheckProcess(root: string, env: NodeJS.ProcessEnv): Promise<{ lines: string[]; wallMs: number; maxRssKiB: number }> {
  const script = [
    `const { handler } = require(${JSON.stringify(join(root, 'dist', 'handler.js'))});`,
    'const deadline = Date.now() + 300000;',
    'const started = process.hrtime.bigint();',
    'handler({ check: "delivery" }, { getRemainingTimeInMillis: () => deadline - Date.now() }).then(() => {',
    '  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;',
    '  process.stderr.write(`\\nBENCH ${JSON.stringify({ wallMs, maxRssKiB: process.resourceUsage().maxRSS })}\\n`);',
    '});',
  ].join('\n');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const figures = /\nBENCH (\{.*\})\n/.exec(stderr)?.[1];
      if (code !== 0 || !figures) return reject(new Error(`the delivery check process exited ${code}: ${stderr.slice(-800)}`));
      const lines = [...stdout.split('\n'), ...stderr.split('\n')].filter((l) => l.startsWith('{'));
      resolve({ lines, ...(JSON.parse(figures) as { wallMs: number; maxRssKiB: number }) });
    });
  });
}

export async function measureDelivery(root: string, proxy: AwsProxy, motoEndpoint: string, problems: Problems): Promise<DeliveryResult | undefined> {
  heading(`3c. Delivery check: ${DELIVERY_ACCOUNTS.toLocaleString('en-US')} enrolled accounts with CloudTrail files (built bundle, own process, moto behind the counting proxy)`);
  const seedStart = process.hrtime.bigint();
  const estate = await createEstate({ endpoint: motoEndpoint, bucket: BUCKET });
  await createLedgerTable(motoEndpoint, TABLE);
  const accounts = Array.from({ length: DELIVERY_ACCOUNTS }, (_, i) => String(700_000_000_000 + i));

  const bucketTarget = { partition: 'aws' as const, bucketName: BUCKET, logFilePrefix: '', sid: BUCKET_SID };
  const keyTarget = { keyArn: estate.keyArn, sid: KEY_SID };
  let bucket: PolicyDocument = parsePolicy((await estate.readBucketPolicy())!, 'seed bucket policy');
  let key: PolicyDocument = parsePolicy(await estate.readKeyPolicy(), 'console key policy');
  for (const accountId of accounts) {
    bucket = enrollInAccountListBucket(bucket, bucketTarget, { partition: 'aws', accountId });
    key = enrollInAccountListKey(key, keyTarget, { partition: 'aws', accountId });
  }
  await estate.putBucketPolicy(toCompactJson(bucket));
  await estate.putKeyPolicy(toCompactJson(key));

  // The ledger through the proxy, as the check reads it (process.env points the SDK there).
  const ledger = awsLedgerStore(TABLE, 'us-east-1');
  const signal = new AbortController().signal;
  setMaxListeners(64, signal);
  for (let i = 0; i < accounts.length; i += 32) {
    await Promise.all(accounts.slice(i, i + 32).map((accountId, j) =>
      ledger.putHolding({ stackId: `arn:aws:cloudformation:${regionOf(i + j)}:${accountId}:stack/StackSet-trail/00000000-0000-4000-8000-${accountId}`, logicalResourceId: 'Enrollment', accountId, bucketName: BUCKET, logFilePrefix: '', keyArn: estate.keyArn }, signal),
    ));
  }
  const now = Date.now();
  const keys = { trailKey: estate.keyArn, otherKey: OTHER_KEY };
  const files: TrailFile[] = [
    ...accounts.flatMap((accountId, i) => situationFiles(situationOf(i), { accountId, region: regionOf(i) }, now, keys)),
    // The owner account, in the seed policy and held by no stack: checked in the key's region.
    ...situationFiles('delivering', { accountId: OWNER_ACCOUNT_ID, region: 'us-east-1' }, now, keys),
  ];
  await putTrailFiles(estate.s3, BUCKET, files, 32);
  const seedMs = Number(process.hrtime.bigint() - seedStart) / 1e6;

  proxy.clear();
  const env: NodeJS.ProcessEnv = { ...process.env, ...motoEnvironment(proxy.endpoint), TRAIL_BUCKET_NAME: BUCKET, TRAIL_KEY_ARN: estate.keyArn, LEDGER_TABLE_NAME: TABLE, METRICS_DEPLOYMENT: 'bench' };
  delete env.TRAIL_LOG_FILE_PREFIX;
  const run = await runCheckProcess(root, env);
  const records = run.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const summary = records.find((r) => r.message === 'delivery checked');
  const failure = records.find((r) => r.level === 'ERROR' && r.accountId === undefined);
  if (!problems.check(summary !== undefined && failure === undefined, `the delivery check logged no summary line${failure ? `: ${JSON.stringify(failure).slice(0, 300)}` : ''}`)) return undefined;

  const perAccount = new Map<string, number>();
  for (const call of proxy.calls) {
    if (call.operation !== 'ListObjectsV2' && call.operation !== 'HeadObject') continue;
    const account = /AWSLogs\/(\d{12})\//.exec(decodedPath(call.path))?.[1] ?? '?';
    perAccount.set(account, (perAccount.get(account) ?? 0) + 1);
  }
  const counts = [...perAccount.values()];
  const listObjectsV2 = proxy.count('ListObjectsV2');
  const headObject = proxy.count('HeadObject');
  const otherCalls: Record<string, number> = {};
  for (const call of proxy.calls) if (call.operation !== 'ListObjectsV2' && call.operation !== 'HeadObject') otherCalls[call.operation] = (otherCalls[call.operation] ?? 0) + 1;
  const states = { delivering: Number(summary!.delivering), silent: Number(summary!.silent), unencrypted: Number(summary!.unencrypted), unknown: Number(summary!.unknown) };
  const special = Math.ceil(accounts.length / 50);
  const expected = { delivering: accounts.length - 3 * special + 1, silent: 2 * special, unencrypted: special, unknown: 0 };
  problems.check(JSON.stringify(states) === JSON.stringify(expected), `the delivery check found ${JSON.stringify(states)}, expected ${JSON.stringify(expected)}`);
  problems.check(Math.max(...counts) <= 4, `an account and region took ${Math.max(...counts)} S3 requests, more than 4`);
  problems.check(proxy.maxInFlight() <= 32, `${proxy.maxInFlight()} requests were in flight at once, more than 32`);
  const checked = accounts.length + 1;
  problems.check(perAccount.size === checked && Number(summary!.checked) === checked, `the check read ${perAccount.size} accounts' folders and counted ${String(summary!.checked)}, expected ${checked} (the owner included)`);

  const mean = (listObjectsV2 + headObject) / checked;
  const fixed = (otherCalls.GetBucketPolicy ?? 0) + (otherCalls.GetBucketLocation ?? 0);
  const result: DeliveryResult = {
    accounts: checked,
    checked: Number(summary!.checked),
    states,
    s3Requests: { listObjectsV2, headObject, perAccountMean: mean, perAccountMax: Math.max(...counts) },
    otherCalls,
    maxInFlight: proxy.maxInFlight(),
    wallMs: run.wallMs,
    peakRssMiB: run.maxRssKiB / 1024,
    seedMs,
    s3RequestsAt1000: Math.round(mean * 1000) + fixed,
  };
  printTable(
    ['accounts', 'checked', 'delivering / silent / unencrypted / unknown', 'ListObjectsV2', 'HeadObject', 'S3 requests per account (mean, max)', 'in flight (max)', 'wall time', 'peak RSS', 'seeding'],
    [[
      result.accounts, result.checked, `${states.delivering} / ${states.silent} / ${states.unencrypted} / ${states.unknown}`, listObjectsV2, headObject,
      `${mean.toFixed(2)}, ${result.s3Requests.perAccountMax}`, result.maxInFlight, ms(result.wallMs, 0), `${result.peakRssMiB.toFixed(1)} MiB`, ms(seedMs, 0),
    ]],
  );
  console.log('');
  console.log(`other calls of the run: ${Object.entries(otherCalls).map(([op, n]) => `${op} ${n}`).join(', ')}`);
  console.log(`S3 requests of one run at 1,000 accounts (this mix): about ${result.s3RequestsAt1000.toLocaleString('en-US')}`);
  console.log(`moto answered ${((listObjectsV2 + headObject) / (result.wallMs / 1000)).toFixed(0)} S3 requests a second with ${result.maxInFlight} in flight: the wall time is moto's (its listing reads the whole bucket), not S3's`);
  return result;
}
