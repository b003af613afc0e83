import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEstate, Estate } from '../../devtools/estate';
import { createLedgerTable } from '../../devtools/ledger-table';
import { motoEnvironment, MotoServer, startMoto } from '../../devtools/moto';
import { projectRoot } from '../../devtools/project-root';
import { samePolicy } from '../../devtools/semantic';
import type { ReceivedResponse } from '../../devtools/response-server';
import { ProcessRun, runNode } from '../support/run-node';

/**
 * The built invoke script (dist/tools/scripts/invoke.js, `node scripts/build.mjs` first) on the shipped
 * events/*.json against moto. moto cannot create a key with a chosen ID, so each event and the env file are
 * copied with the example key ARN replaced by the moto key's ARN; nothing else is changed.
 */
const ROOT = projectRoot();
const INVOKE = join(ROOT, 'dist', 'tools', 'scripts', 'invoke.js');
const MEMBER = '222222222222';
const EXAMPLE_KEY_ARN = (JSON.parse(readFileSync(join(ROOT, 'events', 'env.json'), 'utf8')) as Record<string, Record<string, string>>).EnrollmentFunction!.TRAIL_KEY_ARN!;

interface Run extends ProcessRun {
  responses: Array<ReceivedResponse['body']>;
}

let moto: MotoServer;
let dir: string;

beforeAll(async () => {
  moto = await startMoto();
  dir = mkdtempSync(join(tmpdir(), 'invoke-test-'));
}, 60_000);

afterAll(async () => {
  await moto?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  await moto.reset();
  await createLedgerTable(moto.endpoint);
});

/** events/<name> with the example key ARN replaced (and any further edit), written to the temp folder. */
function eventFile(name: string, estate: Estate, edit: (text: string) => string = (t) => t): string {
  const file = join(dir, name);
  writeFileSync(file, edit(readFileSync(join(ROOT, 'events', name), 'utf8').replaceAll(EXAMPLE_KEY_ARN, estate.keyArn)));
  return file;
}

/** Runs the script with only moto's endpoint and credentials from the caller: everything else comes from the env file. */
async function invoke(args: string[]): Promise<Run> {
  const aws = Object.fromEntries(Object.entries(motoEnvironment(moto.endpoint)).filter(([k]) => k.startsWith('AWS_')));
  const env: Record<string, string | undefined> = { ...process.env, ...aws };
  for (const name of ['TRAIL_BUCKET_NAME', 'TRAIL_KEY_ARN', 'TRAIL_LOG_FILE_PREFIX', 'RESPONSE_URL_EXTRA_HOSTS', 'S3_FORCE_PATH_STYLE']) delete env[name];
  const run = await runNode(INVOKE, args, { env, cwd: ROOT });
  // stdout holds only the response bodies, each one pretty-printed JSON object (or the usage, for --help).
  const responses = !run.stdout.startsWith('{') ? [] : run.stdout.trim().split(/\n(?=\{)/).map((chunk) => JSON.parse(chunk) as ReceivedResponse['body']);
  return { ...run, responses };
}

const bucketResource = `arn:aws:s3:::my-trail-bucket/AWSLogs/${MEMBER}/*`;
const trailPattern = `arn:aws:cloudtrail:*:${MEMBER}:trail/*`;

describe('scripts/invoke.ts', () => {
  it('runs events/create.json with events/env.json against moto: SUCCESS, both policies list the member', async () => {
    const estate = await createEstate({ endpoint: moto.endpoint });
    const run = await invoke([eventFile('create.json', estate), '--env', eventFile('env.json', estate)]);
    expect(run.code).toBe(0);
    expect(run.responses).toHaveLength(1);
    expect(run.responses[0]).toMatchObject({ Status: 'SUCCESS', LogicalResourceId: 'AccountEnrollment', Data: { AccountId: MEMBER, KeyArn: estate.keyArn, BucketName: 'my-trail-bucket' } });
    expect(run.stdout).toBe(`${JSON.stringify(run.responses[0], null, 2)}\n`);
    expect(await estate.readBucketPolicy()).toContain(bucketResource);
    expect(await estate.readKeyPolicy()).toContain(trailPattern);
  });

  it('answers an SNS-wrapped request (events/create-sns.json) at the local server too', async () => {
    const estate = await createEstate({ endpoint: moto.endpoint });
    const run = await invoke([eventFile('create-sns.json', estate), '--env', eventFile('env.json', estate)]);
    expect(run.code).toBe(0);
    expect(run.responses).toEqual([expect.objectContaining({ Status: 'SUCCESS' })]);
    expect(await estate.readBucketPolicy()).toContain(bucketResource);
    expect(await estate.readKeyPolicy()).toContain(trailPattern);
  });

  it('gives each run a fresh RequestId; with --same-request-id a request answered before gets its recorded answer and nothing is applied', async () => {
    const estate = await createEstate({ endpoint: moto.endpoint });
    const env = eventFile('env.json', estate);
    const first = await invoke([eventFile('create.json', estate), '--env', env, '--same-request-id']);
    expect(first.responses).toEqual([expect.objectContaining({ Status: 'SUCCESS', RequestId: 'd3b2a7c4-0001-4e5f-9a1b-2c3d4e5f6a71' })]);
    const created = first.responses[0]!;
    const deleteEvent = eventFile('delete.json', estate, (text) => JSON.stringify({ ...JSON.parse(text), PhysicalResourceId: created.PhysicalResourceId }));
    expect((await invoke([deleteEvent, '--env', env])).responses[0]!.Status).toBe('SUCCESS');
    // A late duplicate of the Create: the same answer again, and the account stays removed.
    const duplicate = await invoke([eventFile('create.json', estate), '--env', env, '--same-request-id']);
    expect(duplicate.responses).toEqual([expect.objectContaining({ Status: 'SUCCESS', RequestId: created.RequestId, PhysicalResourceId: created.PhysicalResourceId })]);
    expect(duplicate.stderr).toContain('was answered before');
    expect(await estate.readBucketPolicy()).not.toContain(bucketResource);
    // Without the flag the same file is a new request and enrolls the account again.
    const again = await invoke([eventFile('create.json', estate), '--env', env]);
    expect(again.responses[0]!.RequestId).not.toBe(created.RequestId);
    expect(await estate.readBucketPolicy()).toContain(bucketResource);
  });

  it('removes the member again with a Delete that carries the PhysicalResourceId the Create returned', async () => {
    const estate = await createEstate({ endpoint: moto.endpoint });
    const bucketBefore = await estate.readBucketPolicy();
    const keyBefore = await estate.readKeyPolicy();
    const env = eventFile('env.json', estate);
    const created = await invoke([eventFile('create.json', estate), '--env', env]);
    const physicalId = created.responses[0]!.PhysicalResourceId;
    const deleteEvent = eventFile('delete.json', estate, (text) => JSON.stringify({ ...JSON.parse(text), PhysicalResourceId: physicalId }));
    const deleted = await invoke([deleteEvent, '--env', env]);
    expect(deleted.code).toBe(0);
    expect(deleted.responses).toEqual([expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: physicalId })]);
    expect(samePolicy(await estate.readBucketPolicy(), bucketBefore)).toBe(true);
    expect(samePolicy(await estate.readKeyPolicy(), keyBefore)).toBe(true);
  });

  it('runs every shipped event as a member lifecycle: create, update in place, move, cleanup delete, SNS create', async () => {
    const estate = await createEstate({ endpoint: moto.endpoint });
    const env = eventFile('env.json', estate);
    const statuses: Record<string, ReceivedResponse['body']> = {};
    for (const name of ['create.json', 'update-same.json', 'update-move.json', 'delete.json', 'create-sns.json']) {
      const run = await invoke([eventFile(name, estate), '--env', env]);
      expect(run.responses).toHaveLength(1);
      statuses[name] = run.responses[0]!;
    }
    expect(Object.values(statuses).map((r) => r.Status)).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS', 'SUCCESS', 'SUCCESS']);
    // update-same carries the id create returns, so it keeps it; update-move gets a new one.
    expect(statuses['update-same.json']!.PhysicalResourceId).toBe(statuses['create.json']!.PhysicalResourceId);
    expect(statuses['update-move.json']!.PhysicalResourceId.startsWith('333333333333;')).toBe(true);
    const bucket = (await estate.readBucketPolicy()) ?? '';
    expect(bucket).toContain('AWSLogs/333333333333/*');
    expect(bucket).toContain(bucketResource); // removed by delete.json, enrolled again by create-sns.json
    expect(await estate.readKeyPolicy()).toContain('arn:aws:cloudtrail:*:333333333333:trail/*');
  });

  it('exits 1 and prints the FAILED response when the request fails; nothing is written', async () => {
    const estate = await createEstate({ endpoint: moto.endpoint });
    const bucketBefore = await estate.readBucketPolicy();
    // The event names another bucket than the one the env file pins (R2, R20).
    const event = eventFile('create.json', estate, (text) => text.replace('"BucketName": "my-trail-bucket"', '"BucketName": "other-trail-bucket"'));
    const run = await invoke([event, '--env', eventFile('env.json', estate)]);
    expect(run.code).toBe(1);
    expect(run.responses).toEqual([expect.objectContaining({ Status: 'FAILED', Reason: expect.stringContaining('other-trail-bucket') })]);
    expect(await estate.readBucketPolicy()).toBe(bucketBefore);
  });

  it.each(['--help', '-h'])('prints the usage on stdout and exits 0 for %s', async (flag) => {
    const run = await invoke([flag]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^Usage: node dist\/tools\/scripts\/invoke\.js <event\.json>/);
  });

  it('exits 2 with usage for a missing event file', async () => {
    const run = await invoke([join(dir, 'no-such-event.json')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('cannot read the event file');
    expect(run.stdout).toBe('');
  });
});
