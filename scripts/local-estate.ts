/**
 * npm run local-estate: an owner account on moto for `npm run invoke`, until Ctrl-C.
 * Starts moto on a free loopback port, creates the trail bucket, the CloudTrail key and the ledger table, and writes
 * .local/env.json (events/env.json with this estate's key ARN and moto's endpoint) and .local/events/*.json (the
 * shipped events with the example key ARN replaced by the real one). Then prints the commands to run.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEstate } from '../devtools/estate';
import { createLedgerTable } from '../devtools/ledger-table';
import { motoEnvironment, startMoto } from '../devtools/moto';
import { projectRoot } from '../devtools/project-root';
import { quietSdkNodeWarning } from '../devtools/semantic';

async function main(): Promise<void> {
  quietSdkNodeWarning();
  const root = projectRoot();
  const moto = await startMoto();
  const estate = await createEstate({ endpoint: moto.endpoint });
  await createLedgerTable(moto.endpoint);

  const shipped = JSON.parse(readFileSync(join(root, 'events', 'env.json'), 'utf8')) as Record<string, Record<string, string>>;
  const exampleKeyArn = shipped.EnrollmentFunction!.TRAIL_KEY_ARN!;
  const out = join(root, '.local');
  mkdirSync(join(out, 'events'), { recursive: true });
  const { AWS_ENDPOINT_URL: _endpoint, ...credentials } = motoEnvironment(moto.endpoint);
  writeFileSync(join(out, 'env.json'), `${JSON.stringify({ EnrollmentFunction: { ...shipped.EnrollmentFunction, TRAIL_KEY_ARN: estate.keyArn, TRAIL_BUCKET_NAME: estate.bucket } }, null, 2)}\n`);
  for (const file of readdirSync(join(root, 'events')).filter((f) => f.endsWith('.json') && f !== 'env.json')) {
    writeFileSync(join(out, 'events', file), readFileSync(join(root, 'events', file), 'utf8').replaceAll(exampleKeyArn, estate.keyArn));
  }
  const exports = Object.entries({ AWS_ENDPOINT_URL: moto.endpoint, ...credentials })
    .filter(([name]) => name.startsWith('AWS_') || name === 'S3_FORCE_PATH_STYLE')
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');
  console.log(`moto is up at ${moto.endpoint}: bucket ${estate.bucket}, key ${estate.keyArn}, ledger table in us-east-1`);
  console.log('In another shell, from the project folder:');
  console.log(`  export ${exports}`);
  console.log('  npm run invoke -- .local/events/create.json --env .local/env.json');
  console.log(`  node dist/cli.js status --bucket ${estate.bucket} --key ${estate.keyArn} --table cloudtrail-enrollment-ledger`);
  console.log(`  node dist/cli.js doctor --bucket ${estate.bucket} --key ${estate.keyArn} --table cloudtrail-enrollment-ledger`);
  console.log('ready (Ctrl-C stops moto)');
  const stop = async () => {
    await moto.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
