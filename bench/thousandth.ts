/**
 * Section 5: the time to enroll the 1,000th account in the account-list layout (SPEC R34), warm, against moto.
 * 999 held enrollments are seeded cheaply: both policies are written directly (built with the pure core) and the
 * ledger items (holding, bucket entry, key entry per account) are put directly; then one Create is timed, and the
 * bytes it read from the ledger are counted next to what reading the whole ledger costs (what every projection
 * read before a request's projection read only its own accounts).
 */
import { setMaxListeners } from 'node:events';
import { createEstate } from '../devtools/estate';
import { cfnEvent, stackIdIn } from '../devtools/events';
import { createLedgerTable } from '../devtools/ledger-table';
import type { AwsProxy } from '../devtools/aws-proxy';
import type { ResponseServer } from '../devtools/response-server';
import { awsLedgerStore } from '../src/aws/aws-ledger';
import { enrollInAccountListBucket, enrollInAccountListKey } from '../src/core/account-list';
import { parsePolicy, PolicyDocument, toCompactJson } from '../src/core/policy-document';
import { Holding } from '../src/ledger/model';
import { BUCKET_SID, describeFailure, Invoker, KEY_SID } from './harness';
import { heading, ms, printTable, Problems } from './report';

export interface ThousandthResult {
  layout: 'account-list';
  bucketName: string;
  heldBefore: number;
  seedMs: number;
  enrollMs: number;
  bucketBytes: number;
  keyBytes: number;
  /** DynamoDB Query and GetItem answers of the one Create, in bytes, and how many Queries. */
  ledgerReadBytes: number;
  ledgerQueries: number;
  /** One read of the whole ledger partition, in bytes. */
  wholeLedgerBytes: number;
}

const HELD = 999;
const BUCKET = 'org-cloudtrail-logs1';
const TABLE = 'bench-ledger-thousand';

function sourceAccounts(policy: string | undefined, sid: string): string[] {
  const statement = JSON.parse(policy ?? '{"Statement":[]}').Statement.find((s: { Sid?: string }) => s.Sid === sid);
  return statement?.Condition?.StringEquals?.['aws:SourceAccount'] ?? [];
}

export async function measureThousandth(invoker: Invoker, proxy: AwsProxy, responses: ResponseServer, motoEndpoint: string, problems: Problems): Promise<ThousandthResult | undefined> {
  heading('3b. Enrolling the 1,000th account (moto, account-list layout, warm; 999 held enrollments seeded)');
  const saved = { ...process.env };
  try {
    const seedStart = process.hrtime.bigint();
    const estate = await createEstate({ endpoint: motoEndpoint, bucket: BUCKET });
    await createLedgerTable(motoEndpoint, TABLE);
    const accounts = Array.from({ length: HELD + 1 }, (_, i) => String(600_000_000_000 + i));
    const member = (accountId: string) => ({ partition: 'aws' as const, accountId });
    const bucketTarget = { partition: 'aws' as const, bucketName: BUCKET, logFilePrefix: '', sid: BUCKET_SID };
    const keyTarget = { keyArn: estate.keyArn, sid: KEY_SID };
    let bucket: PolicyDocument = parsePolicy((await estate.readBucketPolicy())!, 'seed bucket policy');
    let key: PolicyDocument = parsePolicy(await estate.readKeyPolicy(), 'console key policy');
    for (const accountId of accounts.slice(0, HELD)) {
      bucket = enrollInAccountListBucket(bucket, bucketTarget, member(accountId));
      key = enrollInAccountListKey(key, keyTarget, member(accountId));
    }
    await estate.putBucketPolicy(toCompactJson(bucket));
    await estate.putKeyPolicy(toCompactJson(key));

    Object.assign(process.env, { TRAIL_BUCKET_NAME: BUCKET, TRAIL_KEY_ARN: estate.keyArn, POLICY_LAYOUT: 'account-list', LEDGER_TABLE_NAME: TABLE });
    const ledger = awsLedgerStore(TABLE, 'us-east-1');
    const signal = new AbortController().signal;
    // The seeding below runs 32 calls at a time on this one signal: one abort listener each.
    setMaxListeners(64, signal);
    const seedOne = async (accountId: string) => {
      const holding: Holding = { stackId: stackIdIn(accountId), logicalResourceId: 'Enrollment', accountId, bucketName: BUCKET, logFilePrefix: '', keyArn: estate.keyArn };
      await ledger.putHolding(holding, signal);
      await ledger.putBucketEntry({ accountId, bucketName: BUCKET, logFilePrefix: '', keyArn: estate.keyArn, origin: 'written' }, signal);
      await ledger.putKeyEntry({ accountId, keyArn: estate.keyArn, bucketName: BUCKET, origin: 'written' }, signal);
    };
    const held = accounts.slice(0, HELD);
    for (let i = 0; i < held.length; i += 32) await Promise.all(held.slice(i, i + 32).map(seedOne));
    const seedMs = Number(process.hrtime.bigint() - seedStart) / 1e6;

    const last = accounts[HELD]!;
    proxy.clear();
    const invocation = await invoker.invoke(cfnEvent('Create', { AccountId: last }, { responseUrl: responses.url('create') }));
    if (!problems.check(invocation.response?.body.Status === 'SUCCESS', describeFailure(`enrolling account ${HELD + 1} in the account-list layout`, invocation))) return undefined;
    const reads = proxy.calls.filter((c) => c.operation === 'Query' || c.operation === 'GetItem');
    const ledgerReadBytes = reads.reduce((total, c) => total + c.responseBytes, 0);
    const ledgerQueries = reads.filter((c) => c.operation === 'Query').length;
    proxy.clear();
    await ledger.readSnapshot(signal);
    const wholeLedgerBytes = proxy.calls.filter((c) => c.operation === 'Query').reduce((total, c) => total + c.responseBytes, 0);
    const bucketText = await estate.readBucketPolicy();
    const keyText = await estate.readKeyPolicy();
    const inBucket = sourceAccounts(bucketText, BUCKET_SID);
    const inKey = sourceAccounts(keyText, KEY_SID);
    problems.check(inBucket.length === HELD + 2 && inBucket.includes(last), `the bucket policy lists ${inBucket.length} accounts after the 1,000th enrollment, expected ${HELD + 2} (owner included)`);
    problems.check(inKey.length === HELD + 2 && inKey.includes(last), `the key policy lists ${inKey.length} accounts after the 1,000th enrollment, expected ${HELD + 2} (owner included)`);
    const result: ThousandthResult = {
      layout: 'account-list',
      bucketName: BUCKET,
      heldBefore: HELD,
      seedMs,
      enrollMs: invocation.elapsedMs,
      bucketBytes: Buffer.byteLength(bucketText ?? ''),
      keyBytes: Buffer.byteLength(keyText),
      ledgerReadBytes,
      ledgerQueries,
      wholeLedgerBytes,
    };
    printTable(
      ['layout', 'bucket name (length)', 'held before', 'enroll 1,000th (one Create)', 'bucket policy bytes', 'key policy bytes', 'ledger read by the Create', 'whole ledger', 'seeding'],
      [[result.layout, `${BUCKET} (${BUCKET.length})`, HELD, ms(result.enrollMs), result.bucketBytes.toLocaleString('en-US'), result.keyBytes.toLocaleString('en-US'), `${ledgerReadBytes.toLocaleString('en-US')} bytes (${ledgerQueries} Query)`, `${wholeLedgerBytes.toLocaleString('en-US')} bytes`, ms(seedMs, 0)]],
    );
    return result;
  } finally {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  }
}
