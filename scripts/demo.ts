/**
 * npm run demo: the whole job on a local emulator. Starts moto, builds the owner's bucket, CloudTrail key and
 * enrollment ledger table, runs the built Lambda bundle for a Create of member 222222222222 from two stacks
 * (a StackSet deployed to two regions), shows both policy diffs and who holds the entry in the ledger, deletes
 * one stack's enrollment (the entry stays) and then the other's (both policies are back), and stops moto.
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
const EAST = `arn:aws:cloudformation:us-east-1:${MEMBER}:stack/StackSet-cloudtrail-enrollment-east/0d6f1c90-0001-4000-8000-000000000001`;
const WEST = `arn:aws:cloudformation:us-west-2:${MEMBER}:stack/StackSet-cloudtrail-enrollment-west/0d6f1c90-0002-4000-8000-000000000002`;

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
    // Lambda's own log lines are JSON; keep them off the demo's screen unless asked.
    const quiet = !process.argv.includes('--verbose');
    // Its EMF metric records (raw stdout lines) likewise: on stderr with --verbose, else not shown.
    divertMetricRecords(quiet ? undefined : (record) => void process.stderr.write(record));
    const originalLog = console.log;
    const { handler } = require(join(projectRoot(), 'dist', 'handler.js')) as typeof import('../src/handler');
    const invoke = async (event: ReturnType<typeof cfnEvent>) => {
      if (quiet) console.log = () => undefined;
      try {
        await handler(event, lambdaContext());
      } finally {
        console.log = originalLog;
      }
      const response = responses.received.at(-1)!;
      console.log(`response: ${response.body.Status} ${response.body.PhysicalResourceId}${response.body.Reason ? ` — ${response.body.Reason}` : ''}`);
      return response;
    };

    const bucketBefore = await estate.readBucketPolicy();
    const keyBefore = await estate.readKeyPolicy();

    heading(`Create: enroll ${MEMBER} (stack in us-east-1)`);
    const created = await invoke(cfnEvent('Create', { AccountId: MEMBER }, { responseUrl: responses.url('create'), stackId: EAST }));
    console.log('Data:', JSON.stringify(created.body.Data, null, 2));
    await showLedger();
    const bucketEnrolled = await estate.readBucketPolicy();
    const keyEnrolled = await estate.readKeyPolicy();
    heading('Bucket policy change');
    console.log(policyDiff(bucketBefore, bucketEnrolled));
    heading('Key policy change');
    console.log(policyDiff(keyBefore, keyEnrolled));

    heading(`Create from a second stack of ${MEMBER} (the StackSet also deployed to us-west-2): shares the entry`);
    const second = await invoke(cfnEvent('Create', { AccountId: MEMBER }, { responseUrl: responses.url('create-west'), stackId: WEST }));
    const unchanged = (await estate.readBucketPolicy()) === bucketEnrolled && (await estate.readKeyPolicy()) === keyEnrolled;
    console.log(unchanged ? 'both policies unchanged (no write)' : 'UNEXPECTED: a policy changed');
    await showLedger();

    heading(`Delete the us-east-1 stack's enrollment: the us-west-2 stack still holds the entry`);
    await invoke(cfnEvent('Delete', { AccountId: MEMBER }, { responseUrl: responses.url('delete-east'), physicalResourceId: created.body.PhysicalResourceId, stackId: EAST }));
    const kept = (await estate.readBucketPolicy()) === bucketEnrolled && (await estate.readKeyPolicy()) === keyEnrolled;
    console.log(kept ? `both policies still list ${MEMBER}` : 'UNEXPECTED: a policy changed');
    await showLedger();

    heading(`Delete the us-west-2 stack's enrollment: the last holder, so ${MEMBER} is removed`);
    await invoke(cfnEvent('Delete', { AccountId: MEMBER }, { responseUrl: responses.url('delete-west'), physicalResourceId: second.body.PhysicalResourceId, stackId: WEST }));
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
