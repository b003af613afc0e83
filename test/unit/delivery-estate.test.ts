import { parseKeyArn } from '../../src/core/arns';
import { DeliveryPlace } from '../../src/delivery/cloudtrail-names';
import { DeliveryStatus } from '../../src/delivery/delivery-status';
import { findingReason, withDelivery } from '../../src/delivery/estate-delivery';
import { deliveryPlaces } from '../../src/delivery/places';
import { CHECKS_IN_FLIGHT, checkDeliveries } from '../../src/delivery/run-checks';
import { parseSilentAfterHours } from '../../src/delivery/threshold';
import { buildStatusReport, StatusTargets } from '../../src/estate/status-report';
import { Holding, LedgerSnapshot } from '../../src/ledger/model';
import { FakeBucket } from './delivery-fakes';
import { consoleKeyPolicy, KEY_ARN, MEMBER, OTHER, OWNER, seedBucketPolicy, statement } from './helpers';

const HOUR = 3_600_000;
const trailKey = parseKeyArn(KEY_ARN, 'key');
const targets: StatusTargets = { bucketName: 'my-trail-bucket', key: trailKey, bucketSid: 'AWSCloudTrailWrite20131101', keySid: 'Allow CloudTrail to encrypt logs' };
const logs = (account: string, prefix = '') => `arn:aws:s3:::my-trail-bucket/${prefix ? `${prefix}/` : ''}AWSLogs/${account}/*`;
const pattern = (account: string) => `arn:aws:cloudtrail:*:${account}:trail/*`;
const THIRD = '444444444444';

/** The owner, MEMBER and OTHER in both policies (MEMBER also under 'org'); THIRD in the bucket policy only. */
function report(ledger?: LedgerSnapshot) {
  const bucket = seedBucketPolicy();
  statement(bucket, 'AWSCloudTrailWrite20131101').Resource = [logs(OWNER), logs(MEMBER), logs(MEMBER, 'org'), logs(OTHER), logs(THIRD)];
  const key = consoleKeyPolicy();
  statement(key, 'Allow CloudTrail to encrypt logs').Condition!.StringLike!['kms:EncryptionContext:aws:cloudtrail:arn'] = [pattern(OWNER), pattern(MEMBER), pattern(OTHER)];
  return buildStatusReport(targets, { bucketPolicy: bucket, keyPolicy: key, bucketRegion: 'us-east-1' }, ledger);
}

function holding(accountId: string, region: string, logFilePrefix = '', bucketName = 'my-trail-bucket'): Holding {
  return { stackId: `arn:aws:cloudformation:${region}:${accountId}:stack/member-${region}/0`, logicalResourceId: 'Enrollment', accountId, bucketName, logFilePrefix, keyArn: KEY_ARN };
}

describe('deliveryPlaces: where each enrolled account is looked for (SPEC R35)', () => {
  it('without the ledger: every account both policies admit, under each listed prefix, in the key\'s region', () => {
    expect(deliveryPlaces(report(), undefined, 'us-east-1')).toEqual([
      { accountId: OWNER, logFilePrefix: '', region: 'us-east-1' },
      { accountId: MEMBER, logFilePrefix: '', region: 'us-east-1' },
      { accountId: MEMBER, logFilePrefix: 'org', region: 'us-east-1' },
      { accountId: OTHER, logFilePrefix: '', region: 'us-east-1' },
    ]);
  });

  it('with the ledger: each holder\'s home region under its prefix; an entry no stack holds in the key\'s region', () => {
    const ledger: LedgerSnapshot = {
      holdings: [holding(MEMBER, 'eu-west-1', 'org'), holding(MEMBER, 'ap-southeast-2', 'org'), holding(OTHER, 'us-west-2', '', 'another-bucket'), holding(THIRD, 'eu-central-1')],
      bucketEntries: [
        { accountId: MEMBER, bucketName: 'my-trail-bucket', logFilePrefix: 'org', keyArn: KEY_ARN, origin: 'written' },
        { accountId: OTHER, bucketName: 'my-trail-bucket', logFilePrefix: '', keyArn: KEY_ARN, origin: 'adopted' },
      ],
      keyEntries: [],
    };
    expect(deliveryPlaces(report(ledger), ledger, 'us-east-1')).toEqual([
      { accountId: OWNER, logFilePrefix: '', region: 'us-east-1' },
      { accountId: MEMBER, logFilePrefix: 'org', region: 'ap-southeast-2' },
      { accountId: MEMBER, logFilePrefix: 'org', region: 'eu-west-1' },
      { accountId: OTHER, logFilePrefix: '', region: 'us-east-1' },
    ]);
  });
});

describe('checkDeliveries', () => {
  const places: DeliveryPlace[] = Array.from({ length: 200 }, (_, i) => ({ accountId: String(200_000_000_000 + i), logFilePrefix: '', region: 'us-east-1' }));
  const base = { now: Date.parse('2025-06-15T14:20:00Z'), silentAfterMs: 3 * HOUR, trailKey, explain: (e: unknown) => findingReason(e, 'The check ran out of time.') };

  it(`keeps at most ${CHECKS_IN_FLIGHT} requests in flight and gives the findings in the order of the places`, async () => {
    const bucket = new FakeBucket({ delayMs: 2 });
    const progress: number[] = [];
    const findings = await checkDeliveries(places, bucket, { ...base, signal: new AbortController().signal, onProgress: (done) => progress.push(done) });
    expect(bucket.maxInFlight).toBe(CHECKS_IN_FLIGHT);
    expect(findings.map((f) => f.accountId)).toEqual(places.map((p) => p.accountId));
    expect(findings.every((f) => f.status.state === 'silent' && f.requests === 3)).toBe(true);
    expect(progress).toEqual(places.map((_, i) => i + 1));
  });

  it('once the signal aborts, starts no request and reports the rest as unknown: ran out of time', async () => {
    const controller = new AbortController();
    const bucket = new FakeBucket({ delayMs: 5 });
    setTimeout(() => controller.abort(), 20);
    const findings = await checkDeliveries(places, bucket, { ...base, signal: controller.signal });
    const unknown = findings.filter((f) => f.status.state === 'unknown');
    expect(unknown.length).toBeGreaterThan(100);
    expect(unknown.every((f) => f.status.reason === 'The check ran out of time.')).toBe(true);
    expect(findings.filter((f) => f.requests === 0).length).toBeGreaterThan(100);
    expect(bucket.calls.length).toBeLessThan(places.length * 3);
  });
});

describe('withDelivery: the findings in the status report', () => {
  const status = (state: DeliveryStatus['state'], region: string): DeliveryStatus => ({ region, prefix: '', latestDigestAt: null, latestLogAt: null, logEncryptedWithTrailKey: null, state });
  const run = { checkedAt: '2025-06-15T14:20:00Z', silentAfterHours: 3, checked: 3, delivering: 2, silent: 1, unencrypted: 0, unknown: 0 };

  it('shows an account\'s most pressing finding as `delivery` and all of them as `deliveries` when there are several', () => {
    const merged = withDelivery(report(), [
      { accountId: MEMBER, status: status('delivering', 'eu-west-1'), requests: 3 },
      { accountId: MEMBER, status: status('silent', 'ap-southeast-2'), requests: 3 },
      { accountId: OWNER, status: status('delivering', 'us-east-1'), requests: 3 },
    ], run);
    const member = merged.accounts.find((a) => a.accountId === MEMBER)!;
    expect(member.delivery).toEqual(status('silent', 'ap-southeast-2'));
    expect(member.deliveries).toHaveLength(2);
    expect(merged.accounts.find((a) => a.accountId === OWNER)).toMatchObject({ delivery: status('delivering', 'us-east-1') });
    expect(merged.accounts.find((a) => a.accountId === OWNER)!.deliveries).toBeUndefined();
    expect(merged.accounts.find((a) => a.accountId === THIRD)!.delivery).toBeUndefined();
    expect(merged.delivery).toEqual(run);
  });
});

describe('the silent threshold', () => {
  it('defaults to 3 hours and takes a number of hours above 0 and at most 24', () => {
    expect(parseSilentAfterHours(undefined, '--silent-after')).toBe(3);
    expect(parseSilentAfterHours('1.5', '--silent-after')).toBe(1.5);
    expect(parseSilentAfterHours('24', '--silent-after')).toBe(24);
    for (const bad of ['0', '24.5', '-2', 'abc', '1e1']) {
      expect(() => parseSilentAfterHours(bad, 'The function setting DELIVERY_SILENT_AFTER_HOURS')).toThrow(`The function setting DELIVERY_SILENT_AFTER_HOURS '${bad}' is not a number of hours above 0 and at most 24;`);
    }
  });
});

