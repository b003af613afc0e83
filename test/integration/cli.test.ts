import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEstate, Estate, seedBucketPolicy } from '../../devtools/estate';
import { motoEnvironment, MotoServer, OWNER_ACCOUNT_ID, startMoto } from '../../devtools/moto';
import { projectRoot } from '../../devtools/project-root';
import type { StatusReport } from '../../src/estate/status-report';
import { ProcessRun, runNode } from '../support/run-node';

/** The built operator CLI (dist/cli.js, `node scripts/build.mjs` first) against moto, as a child process. */
const CLI = join(projectRoot(), 'dist', 'cli.js');
const MEMBER = '222222222222';
const WRITE_SID = 'AWSCloudTrailWrite20131101';

type Run = ProcessRun;

let moto: MotoServer;

beforeAll(async () => {
  moto = await startMoto();
}, 60_000);

afterAll(async () => {
  await moto?.stop();
});

beforeEach(async () => {
  await moto.reset();
});

function runCli(estate: Estate, args: string[], extraEnv: Record<string, string> = {}): Promise<Run> {
  return runNode(CLI, args, { env: { ...process.env, ...motoEnvironment(moto.endpoint), TRAIL_BUCKET_NAME: estate.bucket, TRAIL_KEY_ARN: estate.keyArn, ...extraEnv } });
}

async function status(estate: Estate, extraEnv: Record<string, string> = {}): Promise<{ run: Run; report: StatusReport }> {
  const run = await runCli(estate, ['status', '--json'], extraEnv);
  return { run, report: JSON.parse(run.stdout) as StatusReport };
}

/** The seed bucket policy with its write statement changed by `edit`. */
function bucketPolicyWith(edit: (write: Record<string, unknown>) => void): string {
  const document = JSON.parse(seedBucketPolicy()) as { Statement: Array<Record<string, unknown>> };
  edit(document.Statement.find((s) => s.Sid === WRITE_SID)!);
  return JSON.stringify(document);
}

function keyPolicyListing(estate: Estate, accounts: string[]): Promise<string> {
  return estate.readKeyPolicy().then((text) => {
    const document = JSON.parse(text) as { Statement: Array<{ Sid?: string; Condition?: Record<string, Record<string, unknown>> }> };
    const statement = document.Statement.find((s) => s.Sid === 'Allow CloudTrail to encrypt logs')!;
    statement.Condition!.StringLike!['kms:EncryptionContext:aws:cloudtrail:arn'] = accounts.map((a) => `arn:aws:cloudtrail:*:${a}:trail/*`);
    return JSON.stringify(document);
  });
}

describe('the built dist/cli.js', () => {
  it('is executable, so npm can link it as the cloudtrail-enrollment command and ./dist/cli.js runs directly', () => {
    expect(statSync(CLI).mode & 0o111).not.toBe(0);
    const usage = execFileSync(CLI, ['--help'], { encoding: 'utf8' });
    expect(usage).toMatch(/^Usage: cloudtrail-enrollment status /);
  });
});

describe('cloudtrail-enrollment status', () => {
  it('reports the seeded estate as clean: the owner in both policies, exit 0', async () => {
    const estate = await createEstate({ endpoint: moto.endpoint });
    const { run, report } = await status(estate);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(report).toEqual({
      bucket: estate.bucket,
      key: estate.keyArn,
      prefix: null,
      layout: { bucketPolicy: 'resource-list', keyPolicy: 'resource-list' },
      accounts: [{ accountId: OWNER_ACCOUNT_ID, bucketPrefixes: [''], inBucketPolicy: true, inKeyPolicy: true, problems: [] }],
      problems: [],
      notes: [],
      drift: false,
    });
  });

  it('flags an account listed only in the bucket policy as half-enrolled, exit 1', async () => {
    const bucketPolicy = bucketPolicyWith((write) => {
      write.Resource = [...(write.Resource as string[]), `arn:aws:s3:::my-trail-bucket/AWSLogs/${MEMBER}/*`];
    });
    const estate = await createEstate({ endpoint: moto.endpoint, bucketPolicy });
    const { run, report } = await status(estate);
    expect(run.code).toBe(1);
    expect(report.drift).toBe(true);
    expect(report.problems).toEqual([]);
    expect(report.accounts.map((a) => a.accountId)).toEqual([OWNER_ACCOUNT_ID, MEMBER]);
    expect(report.accounts[0]!.problems).toEqual([]);
    expect(report.accounts[1]).toEqual({
      accountId: MEMBER,
      bucketPrefixes: [''],
      inBucketPolicy: true,
      inKeyPolicy: false,
      problems: ['half-enrolled: in the bucket policy but not in the key policy'],
    });
  });

  it('reports a bucket policy without the CloudTrail write statement as estate drift, exit 1', async () => {
    const document = JSON.parse(seedBucketPolicy()) as { Statement: Array<{ Sid?: string }> };
    const bucketPolicy = JSON.stringify({ ...document, Statement: document.Statement.filter((s) => s.Sid !== WRITE_SID) });
    const estate = await createEstate({ endpoint: moto.endpoint, bucketPolicy });
    const { run, report } = await status(estate);
    expect(run.code).toBe(1);
    expect(report.drift).toBe(true);
    expect(report.problems).toEqual([expect.stringContaining('has no statement that lets CloudTrail write')]);
    // The owner is still in the key policy, so it is half-enrolled too.
    expect(report.accounts).toEqual([expect.objectContaining({ accountId: OWNER_ACCOUNT_ID, inBucketPolicy: false, inKeyPolicy: true })]);
  });

  it('reports a bucket with no policy at all as estate drift, exit 1', async () => {
    const estate = await createEstate({ endpoint: moto.endpoint, bucketPolicy: null });
    const { run, report } = await status(estate);
    expect(run.code).toBe(1);
    expect(report.problems).toEqual([`the bucket ${estate.bucket} has no bucket policy`]);
  });

  it('flags an enrolled account that an aws:SourceAccount condition would still deny (R14)', async () => {
    const bucketPolicy = bucketPolicyWith((write) => {
      write.Resource = [...(write.Resource as string[]), `arn:aws:s3:::my-trail-bucket/AWSLogs/${MEMBER}/*`];
      (write.Condition as Record<string, Record<string, unknown>>).StringEquals!['aws:SourceAccount'] = [OWNER_ACCOUNT_ID];
    });
    const estate = await createEstate({ endpoint: moto.endpoint, bucketPolicy });
    await estate.putKeyPolicy(await keyPolicyListing(estate, [OWNER_ACCOUNT_ID, MEMBER]));
    const { run, report } = await status(estate);
    expect(run.code).toBe(1);
    const owner = report.accounts.find((a) => a.accountId === OWNER_ACCOUNT_ID)!;
    const member = report.accounts.find((a) => a.accountId === MEMBER)!;
    expect(owner.problems).toEqual([]);
    expect(member).toMatchObject({ inBucketPolicy: true, inKeyPolicy: true });
    expect(member.problems).toEqual(['bucket policy: StringEquals aws:SourceAccount does not list the account']);
  });

  it('shows prefixes and flags an entry outside the pinned prefix', async () => {
    const bucketPolicy = bucketPolicyWith((write) => {
      write.Resource = ['arn:aws:s3:::my-trail-bucket/org/logs/AWSLogs/111111111111/*', `arn:aws:s3:::my-trail-bucket/old/AWSLogs/${MEMBER}/*`];
    });
    const estate = await createEstate({ endpoint: moto.endpoint, bucketPolicy });
    await estate.putKeyPolicy(await keyPolicyListing(estate, [OWNER_ACCOUNT_ID, MEMBER]));
    const { run, report } = await status(estate, { TRAIL_LOG_FILE_PREFIX: 'org/logs' });
    expect(run.code).toBe(1);
    expect(report.prefix).toBe('org/logs');
    expect(report.accounts).toEqual([
      { accountId: OWNER_ACCOUNT_ID, bucketPrefixes: ['org/logs'], inBucketPolicy: true, inKeyPolicy: true, problems: [] },
      { accountId: MEMBER, bucketPrefixes: ['old'], inBucketPolicy: true, inKeyPolicy: true, problems: ["the bucket policy does not list it under the expected prefix 'org/logs', only under prefix 'old'"] },
    ]);
  });

  it('prints an aligned table and a summary line without --json', async () => {
    const bucketPolicy = bucketPolicyWith((write) => {
      write.Resource = [...(write.Resource as string[]), `arn:aws:s3:::my-trail-bucket/AWSLogs/${MEMBER}/*`];
    });
    const estate = await createEstate({ endpoint: moto.endpoint, bucketPolicy });
    const run = await runCli(estate, ['status']);
    expect(run.code).toBe(1);
    const lines = run.stdout.trimEnd().split('\n');
    const header = lines.find((l) => l.startsWith('ACCOUNT'))!;
    const ownerRow = lines.find((l) => l.startsWith(OWNER_ACCOUNT_ID))!;
    const memberRow = lines.find((l) => l.startsWith(MEMBER))!;
    expect(header.split(/\s{2,}/)).toEqual(['ACCOUNT', 'BUCKET', 'PREFIXES', 'KEY', 'PROBLEMS']);
    expect(ownerRow.split(/\s{2,}/)).toEqual([OWNER_ACCOUNT_ID, 'yes', '(none)', 'yes', 'ok']);
    expect(memberRow.split(/\s{2,}/)).toEqual([MEMBER, 'yes', '(none)', 'no', 'half-enrolled: in the bucket policy but not in the key policy']);
    // Columns line up: every column starts at the same offset in every row.
    for (const column of ['BUCKET', 'KEY', 'PROBLEMS']) {
      const at = header.indexOf(column);
      expect(ownerRow[at - 1]).toBe(' ');
      expect(ownerRow[at]).not.toBe(' ');
      expect(memberRow[at]).not.toBe(' ');
    }
    expect(lines.at(-1)).toBe('2 accounts: 1 clean, 1 with problems; drift found.');
  });

  it('flags override the environment', async () => {
    const estate = await createEstate({ endpoint: moto.endpoint });
    const run = await runCli(estate, ['status', '--json', '--bucket', estate.bucket, '--key', estate.keyArn], { TRAIL_BUCKET_NAME: 'not a bucket!', TRAIL_KEY_ARN: 'nonsense' });
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as StatusReport).accounts).toHaveLength(1);
  });

  it('exits 2 with one line on stderr for usage errors and AWS errors', async () => {
    const estate = await createEstate({ endpoint: moto.endpoint });
    const usage = await runCli(estate, ['status', '--bogus']);
    expect(usage.code).toBe(2);
    expect(usage.stdout).toBe('');
    expect(usage.stderr).toBe("cloudtrail-enrollment: Unknown option '--bogus'; run 'cloudtrail-enrollment --help' for usage.\n");

    const missingKey = await runCli(estate, ['status', '--key', estate.keyArn.replace(/key\/.*/, 'key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0')]);
    expect(missingKey.code).toBe(2);
    expect(missingKey.stdout).toBe('');
    expect(missingKey.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(missingKey.stderr).toMatch(/^cloudtrail-enrollment: The KMS key arn:aws:kms:.* was not found/);
    expect(missingKey.stderr).not.toMatch(/\n\s+at /);
  });
});

/** The one stderr line of a failed run, without the program name. */
function errorLine(run: Run): string {
  expect(run.code).toBe(2);
  expect(run.stdout).toBe('');
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0]!.replace(/^cloudtrail-enrollment: /, '');
}

describe('cloudtrail-enrollment errors name the flag or variable the CLI read, not the function\'s settings', () => {
  const missingKey = (arn: string) => arn.replace(/key\/.*/, 'key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0');

  it('a key that does not exist: check --key, or TRAIL_KEY_ARN when the key came from there', async () => {
    const estate = await createEstate({ endpoint: moto.endpoint });
    const key = missingKey(estate.keyArn);
    expect(errorLine(await runCli(estate, ['status', '--key', key]))).toBe(`The KMS key ${key} was not found; check --key, including its region and account.`);
    expect(errorLine(await runCli(estate, ['status'], { TRAIL_KEY_ARN: key }))).toBe(`The KMS key ${key} was not found; check TRAIL_KEY_ARN, including its region and account.`);
  });

  it('a bucket that does not exist: check --bucket, or TRAIL_BUCKET_NAME, and "your credentials"', async () => {
    const estate = await createEstate({ endpoint: moto.endpoint });
    expect(errorLine(await runCli(estate, ['status', '--bucket', 'no-such-trail-bucket']))).toBe('The bucket no-such-trail-bucket does not exist or is not visible to your credentials; check --bucket.');
    expect(errorLine(await runCli(estate, ['status'], { TRAIL_BUCKET_NAME: 'no-such-trail-bucket' }))).toBe('The bucket no-such-trail-bucket does not exist or is not visible to your credentials; check TRAIL_BUCKET_NAME.');
  });

  it('a ledger table that does not exist: check --table and AWS_REGION, not "retry the stack operation"', async () => {
    const estate = await createEstate({ endpoint: moto.endpoint });
    const line = errorLine(await runCli(estate, ['status', '--table', 'no-such-ledger']));
    expect(line).toBe("The ledger table no-such-ledger was not found in us-east-1; check --table, and set AWS_REGION if the table is in another region.");
    const handover = errorLine(await runCli(estate, ['handover', '--all'], { LEDGER_TABLE_NAME: 'no-such-ledger' }));
    expect(handover).toBe("The ledger table no-such-ledger was not found in us-east-1; check LEDGER_TABLE_NAME, and set AWS_REGION if the table is in another region.");
  });

  it('no credentials: says how to give some', async () => {
    const estate = await createEstate({ endpoint: moto.endpoint });
    const empty = join(tmpdir(), 'cli-test-no-such-aws-config');
    const noCredentials = {
      AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SESSION_TOKEN: '', AWS_PROFILE: '', AWS_WEB_IDENTITY_TOKEN_FILE: '', AWS_ROLE_ARN: '',
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '', AWS_CONTAINER_CREDENTIALS_FULL_URI: '', AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SHARED_CREDENTIALS_FILE: join(empty, 'credentials'), AWS_CONFIG_FILE: join(empty, 'config'), HOME: empty,
    };
    expect(errorLine(await runCli(estate, ['status'], noCredentials))).toMatch(/^No AWS credentials were found \(.*\); set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, then run the command again\.$/);
  });

  it('a bad value in a variable is named as the environment variable, not as a function setting', async () => {
    const estate = await createEstate({ endpoint: moto.endpoint });
    expect(errorLine(await runCli(estate, ['status'], { TRAIL_BUCKET_NAME: 'Not A Bucket' }))).toMatch(/^The environment variable TRAIL_BUCKET_NAME 'Not A Bucket' is not a valid S3 bucket name; /);
    expect(errorLine(await runCli(estate, ['status'], { TRAIL_KEY_ARN: 'nonsense' }))).toMatch(/^The environment variable TRAIL_KEY_ARN 'nonsense' is not a KMS key ARN; /);
    expect(errorLine(await runCli(estate, ['status'], { TRAIL_LOG_FILE_PREFIX: '/logs' }))).toMatch(/^The environment variable TRAIL_LOG_FILE_PREFIX "\/logs" starts or ends with '\/'; /);
    expect(errorLine(await runCli(estate, ['status'], { S3_FORCE_PATH_STYLE: 'yes' }))).toMatch(/^The environment variable S3_FORCE_PATH_STYLE is 'yes', not 'true', 'false' or empty; /);
    expect(errorLine(await runCli(estate, ['status'], { LEDGER_TABLE_NAME: 'a b' }))).toBe(
      "The environment variable LEDGER_TABLE_NAME 'a b' is not a DynamoDB table name (3-255 letters, digits, '_', '-' or '.'); set it to the stack's LedgerTableName output or pass --table.",
    );
  });

  it('ignores the function settings it does not use, so a deployment env file does not get in the way', async () => {
    const estate = await createEstate({ endpoint: moto.endpoint });
    const run = await runCli(estate, ['status', '--json'], { PROTECTED_ACCOUNT_IDS: 'nope', ADMIN_ACCOUNT_IDS: 'x', ORGANIZATION_ID: 'org', POLICY_LAYOUT: 'bogus', RESPONSE_URL_EXTRA_HOSTS: 'http://x/' });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });
});
