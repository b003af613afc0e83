// The delivery check (SPEC R35, R36) against moto with CloudTrail-shaped files: the same estate and files drive
// the operator CLI (dist/cli.js status --delivery, a child process) and the scheduled check of the built bundle
// (dist/handler.js with {"check": "delivery"}), both through the counting proxy.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodedPath } from '../../devtools/aws-proxy';
import { HOUR, MINUTE, putTrailFiles, Situation, situationFiles, TrailFolder } from '../../devtools/cloudtrail-files';
import { Estate } from '../../devtools/estate';
import { LEDGER_TABLE } from '../../devtools/ledger-table';
import { motoEnvironment, OWNER_ACCOUNT_ID } from '../../devtools/moto';
import { projectRoot } from '../../devtools/project-root';
import { awsLogObjects } from '../../src/aws/aws-log-objects';
import { parseKeyArn } from '../../src/core/arns';
import { checkPlace } from '../../src/delivery/check-place';
import type { DeliveryStatus } from '../../src/delivery/delivery-status';
import { findingReason } from '../../src/delivery/estate-delivery';
import type { StatusReport } from '../../src/estate/status-report';
import { Harness, only, useHarness } from '../support/harness';
import { runNode } from '../support/run-node';

const CLI = join(projectRoot(), 'dist', 'cli.js');
const OTHER_KEY = `arn:aws:kms:us-east-1:${OWNER_ACCOUNT_ID}:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`;

/** One enrolled member per situation; each enrolled by a Create from a stack in `stackRegion`. */
interface Member {
  accountId: string;
  situation: Situation;
  stackRegion?: string;
  prefix?: string;
  /** The proxy answers its listings with AccessDenied. */
  denied?: boolean;
}

const MEMBERS: Member[] = [
  { accountId: '222222222201', situation: 'delivering' },
  { accountId: '222222222202', situation: 'silent' },
  { accountId: '222222222203', situation: 'no files' },
  { accountId: '222222222204', situation: 'unencrypted' },
  { accountId: '222222222205', situation: 'another key' },
  { accountId: '222222222206', situation: 'backfill' },
  { accountId: '222222222207', situation: 'delivering', prefix: 'org/logs' },
  { accountId: '222222222208', situation: 'delivering', denied: true },
  { accountId: '222222222209', situation: 'delivering, key id', stackRegion: 'eu-west-1' },
  { accountId: '222222222210', situation: 'validation off' },
];
const byId = (id: string) => MEMBERS.find((m) => m.accountId === id)!;

let h: Harness;
let estate: Estate;

function stackIdOf(member: Member): string {
  const region = member.stackRegion ?? 'us-east-1';
  return `arn:aws:cloudformation:${region}:${member.accountId}:stack/StackSet-trail-${member.accountId}/00000000-0000-4000-8000-${member.accountId}`;
}

function folderOf(member: Member): TrailFolder {
  return { accountId: member.accountId, region: member.stackRegion ?? 'us-east-1', logFilePrefix: member.prefix ?? '' };
}

useHarness({ harness: (harness) => (h = harness) });

beforeAll(async () => {
  estate = await h.estate();
  for (const member of MEMBERS) {
    const body = only(await h.invoke(h.request('Create', { AccountId: member.accountId, ...(member.prefix ? { LogFilePrefix: member.prefix } : {}) }, { stackId: stackIdOf(member) })));
    expect({ account: member.accountId, status: body.Status, reason: body.Reason }).toEqual({ account: member.accountId, status: 'SUCCESS', reason: undefined });
  }
  const now = Date.now();
  const keys = { trailKey: estate.keyArn, otherKey: OTHER_KEY };
  const files = [
    ...MEMBERS.flatMap((m) => situationFiles(m.situation, folderOf(m), now, keys)),
    // The owner account: listed in the seed policy, held by no stack, so looked for in the key's region.
    ...situationFiles('delivering', { accountId: OWNER_ACCOUNT_ID, region: 'us-east-1' }, now, keys),
  ];
  await putTrailFiles(estate.s3, estate.bucket, files);
}, 120_000);

beforeEach(() => {
  h.proxy.clear();
  for (const member of MEMBERS.filter((m) => m.denied)) {
    h.proxy.inject({ operation: 'ListObjectsV2', pathIncludes: `AWSLogs/${member.accountId}/`, status: 403, code: 'AccessDenied', message: 'Access Denied' });
  }
});

function runCli(args: string[]) {
  return runNode(CLI, args, { env: { ...process.env, ...motoEnvironment(h.proxy.endpoint), TRAIL_BUCKET_NAME: estate.bucket, TRAIL_KEY_ARN: estate.keyArn, LEDGER_TABLE_NAME: LEDGER_TABLE } });
}

async function cliReport(extra: string[] = []): Promise<{ code: number | null; stderr: string; report: StatusReport }> {
  const run = await runCli(['status', '--delivery', '--json', ...extra]);
  return { code: run.code, stderr: run.stderr, report: JSON.parse(run.stdout) as StatusReport };
}

const deliveryOf = (report: StatusReport, accountId: string): DeliveryStatus | undefined => report.accounts.find((a) => a.accountId === accountId)?.delivery;

/** ListObjectsV2 and HeadObject requests the proxy saw for one account's folders. */
function s3RequestsFor(accountId: string): number {
  return h.proxy.calls.filter((c) => (c.operation === 'ListObjectsV2' || c.operation === 'HeadObject') && decodedPath(c.path).includes(`AWSLogs/${accountId}/`)).length;
}

describe('status --delivery against CloudTrail-shaped files', () => {
  it('tells each enrolled account\'s state from the names and encryption of its newest files, and exits 1', async () => {
    const { code, stderr, report } = await cliReport();
    expect(stderr).toBe('');
    expect(code).toBe(1);
    const state = (id: string) => deliveryOf(report, id)?.state;
    expect(Object.fromEntries([...MEMBERS.map((m) => m.accountId), OWNER_ACCOUNT_ID].map((id) => [id, state(id)]))).toEqual({
      '222222222201': 'delivering',
      '222222222202': 'silent',
      '222222222203': 'silent',
      '222222222204': 'unencrypted',
      '222222222205': 'unencrypted',
      '222222222206': 'delivering',
      '222222222207': 'delivering',
      '222222222208': 'unknown',
      '222222222209': 'delivering',
      '222222222210': 'silent',
      [OWNER_ACCOUNT_ID]: 'delivering',
    });
    expect(report.delivery).toMatchObject({ silentAfterHours: 3, checked: 11, delivering: 5, silent: 3, unencrypted: 2, unknown: 1 });
  });

  it('reads times from the file names, not LastModified: the 6-hour-old digest written a moment ago is silent', async () => {
    const { report } = await cliReport();
    const silent = deliveryOf(report, '222222222202')!;
    expect(silent).toMatchObject({ region: 'us-east-1', prefix: '', state: 'silent', logEncryptedWithTrailKey: true });
    const digestAge = Date.now() - Date.parse(silent.latestDigestAt!);
    expect(digestAge).toBeGreaterThan(6 * HOUR - MINUTE);
    expect(digestAge).toBeLessThan(6 * HOUR + 5 * MINUTE);
    expect(silent.reason).toMatch(/^The newest digest file is from \S+Z, 6\.\d hours ago, older than the 3-hour threshold; /);
    // With a threshold above its age the same account is delivering.
    expect(deliveryOf((await cliReport(['--silent-after', '7'])).report, '222222222202')?.state).toBe('delivering');
  });

  it('explains each account that is not delivering in one sentence', async () => {
    const { report } = await cliReport();
    expect(deliveryOf(report, '222222222203')).toEqual({
      region: 'us-east-1', prefix: '', latestDigestAt: null, latestLogAt: null, logEncryptedWithTrailKey: null, state: 'silent',
      reason: 'There is no digest file in AWSLogs/222222222203/CloudTrail-Digest/us-east-1/ for yesterday or today (UTC); the trail is not delivering here, or delivers without log file validation.',
    });
    expect(deliveryOf(report, '222222222204')).toMatchObject({ logEncryptedWithTrailKey: false, reason: expect.stringMatching(/is encrypted with AES256, not SSE-KMS under the trail key; set the trail's KMS key to arn:aws:kms:/) });
    expect(deliveryOf(report, '222222222205')).toMatchObject({ logEncryptedWithTrailKey: false, reason: expect.stringContaining(`is encrypted under the KMS key ${OTHER_KEY}, not the trail key ${estate.keyArn}`) });
    expect(deliveryOf(report, '222222222208')).toMatchObject({
      latestDigestAt: null,
      reason: `Your credentials were denied s3:ListBucket on ${estate.bucket}/AWSLogs/222222222208/CloudTrail-Digest/us-east-1/ (AccessDenied); use credentials with that permission, or check TRAIL_BUCKET_NAME if that is not the intended target.`,
    });
    // Validation off: log files arrive under the trail key, but no digest proves the hours.
    expect(deliveryOf(report, '222222222210')).toMatchObject({
      latestDigestAt: null,
      latestLogAt: expect.any(String),
      logEncryptedWithTrailKey: true,
      reason: expect.stringMatching(/^There is no digest file in AWSLogs\/222222222210\/CloudTrail-Digest\/us-east-1\/ for yesterday or today \(UTC\), but log files still arrive \(the newest from \S+Z\), so log file validation is probably off for the trail; turn it on\.$/),
    });
  });

  it('looks in each holder\'s home region, under its prefix; the owner entry no stack holds in the key\'s region', async () => {
    const { report } = await cliReport();
    expect(deliveryOf(report, '222222222209')).toMatchObject({ region: 'eu-west-1', prefix: '', state: 'delivering', logEncryptedWithTrailKey: true });
    expect(deliveryOf(report, '222222222207')).toMatchObject({ region: 'us-east-1', prefix: 'org/logs', state: 'delivering' });
    expect(deliveryOf(report, OWNER_ACCOUNT_ID)).toMatchObject({ region: 'us-east-1', state: 'delivering' });
    expect(report.accounts.find((a) => a.accountId === OWNER_ACCOUNT_ID)!.ledger).toBe('not held');
    // A _backfill digest counts by the time in its name; the older plain digest alone would be silent.
    expect(deliveryOf(report, '222222222206')).toMatchObject({ state: 'delivering', latestDigestAt: expect.any(String) });
    expect(Date.now() - Date.parse(deliveryOf(report, '222222222206')!.latestDigestAt!)).toBeLessThan(HOUR);
  });

  it('makes at most 4 S3 requests per account and region: 3 for a delivering account, 1 when the first listing is denied', async () => {
    await cliReport();
    const counts = Object.fromEntries([...MEMBERS.map((m) => m.accountId), OWNER_ACCOUNT_ID].map((id) => [id, s3RequestsFor(id)]));
    for (const [id, count] of Object.entries(counts)) expect({ id, atMost4: count <= 4 }).toEqual({ id, atMost4: true });
    expect(counts['222222222201']).toBe(3);
    expect(counts['222222222208']).toBe(1);
    expect(counts['222222222203']).toBe(3);
    expect(h.proxy.count('ListObjectsV2') + h.proxy.count('HeadObject')).toBe(Object.values(counts).reduce((a, b) => a + b, 0));
  });

  it('prints the delivery columns, the reasons and a summary line in the table', async () => {
    const run = await runCli(['status', '--delivery']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    const lines = run.stdout.trimEnd().split('\n');
    const header = lines.find((l) => l.startsWith('ACCOUNT'))!;
    expect(header.split(/\s{2,}/)).toEqual(['ACCOUNT', 'BUCKET', 'PREFIXES', 'KEY', 'HOLDERS', 'DELIVERY', 'REGION', 'LATEST DIGEST', 'LATEST LOG', 'TRAIL KEY', 'PROBLEMS']);
    expect(lines.find((l) => l.startsWith('222222222204'))!.split(/\s{2,}/)).toEqual(['222222222204', 'yes', '(none)', 'yes', '1', 'unencrypted', 'us-east-1', expect.stringMatching(/Z$/), expect.stringMatching(/Z$/), 'no', 'ok']);
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}222222222202 {2}us-east-1 {2}silent: The newest digest file is from /));
    expect(lines.at(-1)).toMatch(/^Delivery at \S+Z, silent after 3 h: 11 account folders checked: 5 delivering, 3 silent, 2 unencrypted, 1 unknown\.$/);
  });

  it('shows a progress line on stderr only when stderr is a terminal, and clears it', async () => {
    const preload = join(mkdtempSync(join(tmpdir(), 'delivery-tty-')), 'stderr-tty.js');
    writeFileSync(preload, "Object.defineProperty(process.stderr, 'isTTY', { value: true });\n");
    const run = await runNode(CLI, ['status', '--delivery', '--json'], { env: { ...process.env, ...motoEnvironment(h.proxy.endpoint), TRAIL_BUCKET_NAME: estate.bucket, TRAIL_KEY_ARN: estate.keyArn, LEDGER_TABLE_NAME: LEDGER_TABLE, NODE_OPTIONS: `--require ${preload}` } });
    expect(run.stderr).toContain('\rchecking delivery: 11 of 11 account folders');
    expect(run.stderr.endsWith('\r\x1b[2K')).toBe(true);
    expect((JSON.parse(run.stdout) as StatusReport).delivery?.checked).toBe(11);
  });

  it('refuses --silent-after without --delivery, and thresholds outside (0, 24] hours', async () => {
    expect((await runCli(['status', '--silent-after', '2'])).stderr).toBe('cloudtrail-enrollment: The flag --silent-after sets the threshold of --delivery; add --delivery, or leave --silent-after out.\n');
    for (const bad of ['0', '25', 'three', '-1']) {
      const run = await runCli(['status', '--delivery', `--silent-after=${bad}`]);
      expect({ bad, code: run.code, stderr: run.stderr }).toEqual({ bad, code: 2, stderr: expect.stringContaining(`--silent-after '${bad}' is not a number of hours above 0 and at most 24;`) });
    }
  });
});

describe('the scheduled check {"check": "delivery"} on the same files', () => {
  const logLines = () => h.logs.map((l) => JSON.parse(l) as Record<string, unknown>);

  it('logs one line per account that is not delivering, the same findings as the CLI, and one summary line', async () => {
    const { report } = await cliReport();
    h.logs.length = 0;
    h.proxy.clear();
    for (const member of MEMBERS.filter((m) => m.denied)) h.proxy.inject({ operation: 'ListObjectsV2', pathIncludes: `AWSLogs/${member.accountId}/`, status: 403, code: 'AccessDenied' });
    expect(await h.invoke({ check: 'delivery' })).toEqual([]);
    const lines = logLines();
    const findings = lines.filter((l) => l.accountId !== undefined);
    const notDelivering = report.accounts.filter((a) => a.delivery && a.delivery.state !== 'delivering');
    expect(findings.map((l) => l.accountId).sort()).toEqual(notDelivering.map((a) => a.accountId).sort());
    for (const line of findings) {
      const cli = deliveryOf(report, String(line.accountId))!;
      const { reason, ...same } = cli;
      expect(line).toMatchObject({ level: cli.state === 'unknown' ? 'ERROR' : 'WARN', ...same });
      if (cli.state !== 'unknown') expect(line.reason).toBe(reason);
    }
    expect(findings.find((l) => l.accountId === '222222222208')!.reason).toMatch(/^The function's role was denied s3:ListBucket on .*AWSLogs\/222222222208\/CloudTrail-Digest\/us-east-1\/ \(AccessDenied\)/);
    expect(lines.filter((l) => l.message === 'delivery checked')).toEqual([
      expect.objectContaining({ level: 'INFO', accounts: 11, checked: 11, delivering: 5, silent: 3, silentAccounts: 3, unencrypted: 2, unknown: 1, outOfTime: false }),
    ]);
  });

  it('records DeliveryChecked, SilentAccounts, UnencryptedDeliveries and DeliveryCheckFailed 0 in one EMF record', async () => {
    h.metricRecords.length = 0;
    await h.invoke({ check: 'delivery' });
    expect(h.metricRecords).toHaveLength(1);
    const record = JSON.parse(h.metricRecords[0]!);
    expect(record).toMatchObject({ DeliveryChecked: 11, SilentAccounts: 3, UnencryptedDeliveries: 2, DeliveryCheckFailed: 0 });
    expect(record._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => m.Name).sort()).toEqual(['DeliveryCheckFailed', 'DeliveryChecked', 'SilentAccounts', 'UnencryptedDeliveries']);
  });

  it('keeps to 4 S3 requests per account and region', async () => {
    await h.invoke({ check: 'delivery' });
    for (const id of [...MEMBERS.map((m) => m.accountId), OWNER_ACCOUNT_ID]) expect({ id, atMost4: s3RequestsFor(id) <= 4 }).toEqual({ id, atMost4: true });
    expect(s3RequestsFor('222222222201')).toBe(3);
  });

  it('without the pinned bucket logs one error line and records DeliveryCheckFailed 1, no finding', async () => {
    h.logs.length = 0;
    h.metricRecords.length = 0;
    const bucket = process.env.TRAIL_BUCKET_NAME;
    delete process.env.TRAIL_BUCKET_NAME;
    try {
      await h.invoke({ check: 'delivery' });
    } finally {
      process.env.TRAIL_BUCKET_NAME = bucket;
    }
    expect(logLines()).toEqual([expect.objectContaining({ level: 'ERROR', message: 'the delivery check failed; the next scheduled run tries again', step: 'validating the settings', reason: expect.stringMatching(/^The delivery check needs the function settings TRAIL_BUCKET_NAME and TRAIL_KEY_ARN/) })]);
    expect(h.metricRecords).toHaveLength(1);
    const record = JSON.parse(h.metricRecords[0]!);
    expect(record.DeliveryCheckFailed).toBe(1);
    expect(record._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => m.Name)).toEqual(['DeliveryCheckFailed']);
  });
});

describe('just after midnight UTC (the check\'s "now" injected)', () => {
  it('finds the newest digest and log file in yesterday\'s folder, within the budget', async () => {
    const midnight = Date.UTC(2031, 0, 1);
    const now = midnight + 7 * MINUTE;
    const folder: TrailFolder = { accountId: '222222222299', region: 'us-east-1' };
    await putTrailFiles(estate.s3, estate.bucket, situationFiles('delivering', folder, now, { trailKey: estate.keyArn, otherKey: OTHER_KEY }));
    h.proxy.clear();
    const { status, requests } = await checkPlace({ ...folder, logFilePrefix: '' }, awsLogObjects(estate.bucket, 'us-east-1', true), {
      now,
      silentAfterMs: 3 * HOUR,
      trailKey: parseKeyArn(estate.keyArn, 'key'),
      signal: new AbortController().signal,
      explain: (error) => findingReason(error, 'out of time'),
    });
    expect(status).toEqual({ region: 'us-east-1', prefix: '', latestDigestAt: '2030-12-31T23:32:00Z', latestLogAt: '2030-12-31T23:57:00Z', logEncryptedWithTrailKey: true, state: 'delivering' });
    expect(requests).toBe(3);
    expect(s3RequestsFor('222222222299')).toBe(3);
  });
});
