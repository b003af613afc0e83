/**
 * npm run demo: the whole job on a local emulator. Starts moto, builds the owner's bucket, CloudTrail key and
 * enrollment ledger table, runs the built Lambda bundle for a Create of member 222222222222 from two stacks of
 * that account in us-east-1, the owner's region (two StackSets that both deploy the member template there: the
 * ServiceToken topic is regional, so member stacks run in the owner stack's region), shows both policy diffs and
 * who holds the entry in the ledger, deletes one stack's enrollment (the entry stays) and then the other's (both
 * policies are back), and stops moto.
 */
import { join } from 'node:path';
import { cfnEvent, lambdaContext } from '../devtools/events';
import { createEstate } from '../devtools/estate';
import { createLedgerTable, LEDGER_TABLE } from '../devtools/ledger-table';
import { awsLedgerStore } from '../src/aws/aws-ledger';
import { motoEnvironment, startMoto } from '../devtools/moto';
import { divertMetricRecords } from '../devtools/metric-lines';
import { policyDiff } from '../devtools/policy-diff';
import { projectRoot } from '../devtools/project-root';
import { startResponseServer } from '../devtools/response-server';
import { quietSdkNodeWarning, samePolicy } from '../devtools/semantic';

const MEMBER = '222222222222';
// Stack instances of two StackSets in the same account and region (StackSet-<set name>-<instance id>).
const FIRST = `arn:aws:cloudformation:us-east-1:${MEMBER}:stack/StackSet-cloudtrail-enrollment-0d6f1c90-0001-4000-8000-000000000001/0d6f1c90-0001-4000-8000-0000000000a1`;
const SECOND = `arn:aws:cloudformation:us-east-1:${MEMBER}:stack/StackSet-security-baseline-0d6f1c90-0002-4000-8000-000000000002/0d6f1c90-0002-4000-8000-0000000000b2`;

function heading(text: string): void {
  console.log(`\n=== ${text} ===`);
}

async function main(): Promise<void> {
  quietSdkNodeWarning();
  heading('Starting moto (S3, KMS, DynamoDB) on loopback');
  const moto = await startMoto();
  const responses = await startResponseServer();
  try {
    Object.assign(process.env, motoEnvironment(moto.endpoint));
    const estate = await createEstate({ endpoint: moto.endpoint });
    await createLedgerTable(moto.endpoint);
    console.log(`owner 111111111111: bucket ${estate.bucket}, key ${estate.keyArn}, ledger table ${LEDGER_TABLE}`);
    process.env.TRAIL_BUCKET_NAME = estate.bucket;
    process.env.TRAIL_KEY_ARN = estate.keyArn;
    process.env.LEDGER_TABLE_NAME = LEDGER_TABLE;
    const ledger = awsLedgerStore(LEDGER_TABLE, 'us-east-1');
    const showLedger = async () => {
      const snapshot = await ledger.readSnapshot(new AbortController().signal);
      const holders = snapshot.holdings.filter((h) => h.accountId === MEMBER).map((h) => h.stackId);
      const entry = snapshot.bucketEntries.find((e) => e.accountId === MEMBER);
      console.log(`ledger: ${MEMBER} held by ${holders.length === 0 ? 'no stack' : holders.join('\n                        and ')}`);
      console.log(`        its entry: ${entry ? `${entry.origin === 'written' ? 'written by the function (removed with its last holder)' : 'adopted (was there before; never removed)'}` : 'not in the ledger'}`);
    };
    // The function's log lines and metric records are JSON; keep them off the demo's screen unless asked.
    const quiet = !process.argv.includes('--verbose');
    // Its EMF metric records (raw stdout lines) likewise: on stderr with --verbose, else not shown.
    divertMetricRecords(quiet ? undefined : (record) => void process.stderr.write(record));
    const originalLog = console.log;
    const { handler } = require(join(projectRoot(), 'dist', 'handler.js')) as typeof import('../src/handler');
    const originalWrite = process.stdout.write;
    const invoke = async (event: ReturnType<typeof cfnEvent>) => {
      if (quiet) {
        console.log = () => undefined;
        // The metric records (CloudWatch Embedded Metric Format) go to stdout directly, one JSON line each.
        process.stdout.write = ((chunk: unknown, ...rest: unknown[]) =>
          String(chunk).startsWith('{"_aws"') ? true : (originalWrite as (...a: unknown[]) => boolean).call(process.stdout, chunk, ...rest)) as typeof process.stdout.write;
      }
      try {
        await handler(event, lambdaContext());
      } finally {
        console.log = originalLog;
        process.stdout.write = originalWrite;
      }
      const response = responses.received.at(-1)!;
      console.log(`response: ${response.body.Status} ${response.body.PhysicalResourceId}${response.body.Reason ? ` — ${response.body.Reason}` : ''}`);
      return response;
    };

    const bucketBefore = await estate.readBucketPolicy();
    const keyBefore = await estate.readKeyPolicy();

    heading(`Create: enroll ${MEMBER} (StackSet cloudtrail-enrollment, stack in us-east-1)`);
    const created = await invoke(cfnEvent('Create', { AccountId: MEMBER }, { responseUrl: responses.url('create'), stackId: FIRST, logicalResourceId: 'AccountEnrollment' }));
    console.log('Data:', JSON.stringify(created.body.Data, null, 2));
    await showLedger();
    const bucketEnrolled = await estate.readBucketPolicy();
    const keyEnrolled = await estate.readKeyPolicy();
    heading('Bucket policy change');
    console.log(policyDiff(bucketBefore, bucketEnrolled));
    heading('Key policy change');
    console.log(policyDiff(keyBefore, keyEnrolled));

    heading(`Create from a second stack of ${MEMBER} in us-east-1 (StackSet security-baseline): shares the entry`);
    const second = await invoke(cfnEvent('Create', { AccountId: MEMBER }, { responseUrl: responses.url('create-second'), stackId: SECOND, logicalResourceId: 'AccountEnrollment' }));
    const unchanged = (await estate.readBucketPolicy()) === bucketEnrolled && (await estate.readKeyPolicy()) === keyEnrolled;
    console.log(unchanged ? 'both policies unchanged (no write)' : 'UNEXPECTED: a policy changed');
    await showLedger();

    heading(`Delete the cloudtrail-enrollment stack's enrollment: the security-baseline stack still holds the entry`);
    await invoke(cfnEvent('Delete', { AccountId: MEMBER }, { responseUrl: responses.url('delete-first'), physicalResourceId: created.body.PhysicalResourceId, stackId: FIRST, logicalResourceId: 'AccountEnrollment' }));
    const kept = (await estate.readBucketPolicy()) === bucketEnrolled && (await estate.readKeyPolicy()) === keyEnrolled;
    console.log(kept ? `both policies still list ${MEMBER}` : 'UNEXPECTED: a policy changed');
    await showLedger();

    heading(`Delete the security-baseline stack's enrollment: the last holder, so ${MEMBER} is removed`);
    await invoke(cfnEvent('Delete', { AccountId: MEMBER }, { responseUrl: responses.url('delete-second'), physicalResourceId: second.body.PhysicalResourceId, stackId: SECOND, logicalResourceId: 'AccountEnrollment' }));
    await showLedger();
    const bucketAfter = await estate.readBucketPolicy();
    const keyAfter = await estate.readKeyPolicy();
    const same = samePolicy;
    heading('After Delete');
    console.log(`bucket policy back to the original: ${same(bucketBefore, bucketAfter) ? 'yes' : 'NO'}`);
    console.log(`key policy back to the original:    ${same(keyBefore, keyAfter) ? 'yes' : 'NO'}`);
    if (!same(bucketBefore, bucketAfter) || !same(keyBefore, keyAfter) || !unchanged || !kept || created.body.Status !== 'SUCCESS' || second.body.Status !== 'SUCCESS') process.exitCode = 1;
  } finally {
    await responses.close();
    await moto.stop();
    heading('moto stopped');
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
