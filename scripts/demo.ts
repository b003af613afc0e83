/**
 * npm run demo: the whole job on a local emulator. Starts moto, builds the owner's bucket and CloudTrail key,
 * runs the built Lambda bundle for a Create of member 222222222222, shows both policy diffs, runs the Delete,
 * shows both policies are back, and stops moto.
 */
import { join } from 'node:path';
import { cfnEvent, lambdaContext } from '../devtools/events';
import { createEstate } from '../devtools/estate';
import { motoEnvironment, startMoto } from '../devtools/moto';
import { policyDiff } from '../devtools/policy-diff';
import { projectRoot } from '../devtools/project-root';
import { startResponseServer } from '../devtools/response-server';
import { quietSdkNodeWarning, samePolicy } from '../devtools/semantic';

const MEMBER = '222222222222';

function heading(text: string): void {
  console.log(`\n=== ${text} ===`);
}

async function main(): Promise<void> {
  quietSdkNodeWarning();
  heading('Starting moto (S3, KMS) on loopback');
  const moto = await startMoto();
  const responses = await startResponseServer();
  try {
    Object.assign(process.env, motoEnvironment(moto.endpoint));
    const estate = await createEstate({ endpoint: moto.endpoint });
    console.log(`owner 111111111111: bucket ${estate.bucket}, key ${estate.keyArn}`);
    process.env.TRAIL_BUCKET_NAME = estate.bucket;
    process.env.TRAIL_KEY_ARN = estate.keyArn;
    // Lambda's own log lines are JSON; keep them off the demo's screen unless asked.
    const quiet = !process.argv.includes('--verbose');
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

    heading(`Create: enroll ${MEMBER}`);
    const created = await invoke(cfnEvent('Create', { AccountId: MEMBER }, { responseUrl: responses.url('create') }));
    console.log('Data:', JSON.stringify(created.body.Data, null, 2));
    const bucketEnrolled = await estate.readBucketPolicy();
    const keyEnrolled = await estate.readKeyPolicy();
    heading('Bucket policy change');
    console.log(policyDiff(bucketBefore, bucketEnrolled));
    heading('Key policy change');
    console.log(policyDiff(keyBefore, keyEnrolled));

    heading(`Create again (idempotent): ${MEMBER}`);
    await invoke(cfnEvent('Create', { AccountId: MEMBER }, { responseUrl: responses.url('create-again') }));
    const unchanged = (await estate.readBucketPolicy()) === bucketEnrolled && (await estate.readKeyPolicy()) === keyEnrolled;
    console.log(unchanged ? 'both policies unchanged' : 'UNEXPECTED: a policy changed');

    heading(`Delete: remove ${MEMBER}`);
    await invoke(cfnEvent('Delete', { AccountId: MEMBER }, { responseUrl: responses.url('delete'), physicalResourceId: created.body.PhysicalResourceId }));
    const bucketAfter = await estate.readBucketPolicy();
    const keyAfter = await estate.readKeyPolicy();
    const same = samePolicy;
    heading('After Delete');
    console.log(`bucket policy back to the original: ${same(bucketBefore, bucketAfter) ? 'yes' : 'NO'}`);
    console.log(`key policy back to the original:    ${same(keyBefore, keyAfter) ? 'yes' : 'NO'}`);
    if (!same(bucketBefore, bucketAfter) || !same(keyBefore, keyAfter) || !unchanged || created.body.Status !== 'SUCCESS') process.exitCode = 1;
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
