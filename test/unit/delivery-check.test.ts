import { parseKeyArn } from '../../src/core/arns';
import { classify, Findings } from '../../src/delivery/classify';
import { checkPlace, PlaceCheckOptions } from '../../src/delivery/check-place';
import { dayFolder, DeliveryPlace } from '../../src/delivery/cloudtrail-names';
import { findingReason } from '../../src/delivery/estate-delivery';
import { FakeBucket } from './delivery-fakes';
import { KEY_ARN } from './helpers';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const trailKey = parseKeyArn(KEY_ARN, 'key');
const place: DeliveryPlace = { accountId: '222222222222', region: 'eu-west-1', logFilePrefix: '' };
const NOW = Date.parse('2025-06-15T14:20:00Z');
const kms = { serverSideEncryption: 'aws:kms', kmsKeyId: KEY_ARN };

const two = (n: number) => String(n).padStart(2, '0');
function stamp(at: number, seconds: boolean): string {
  const d = new Date(at);
  return `${d.getUTCFullYear()}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}T${two(d.getUTCHours())}${two(d.getUTCMinutes())}${seconds ? two(d.getUTCSeconds()) : ''}Z`;
}
const digest = (at: number, trail = 'org-trail', p = place) => `${dayFolder(p, 'digest', at)}${p.accountId}_CloudTrail-Digest_${p.region}_${trail}_${p.region}_${stamp(at, true)}.json.gz`;
let unique = 0;
const log = (at: number, p = place) => `${dayFolder(p, 'log', at)}${p.accountId}_CloudTrail_${p.region}_${stamp(at, false)}_${String(unique++).padStart(16, '0')}.json.gz`;

function options(overrides: Partial<PlaceCheckOptions> = {}): PlaceCheckOptions {
  return { now: NOW, silentAfterMs: 3 * HOUR, trailKey, signal: new AbortController().signal, explain: (e) => findingReason(e, 'out of time'), ...overrides };
}

describe('checkPlace: the listing order keeps to 4 S3 requests (SPEC R35)', () => {
  it('a delivering account: one digest listing from yesterday on, one log listing from an hour before that digest, one HeadObject', async () => {
    const bucket = new FakeBucket().put(digest(NOW - 80 * MINUTE)).put(digest(NOW - 20 * MINUTE)).put(log(NOW - 30 * HOUR), kms).put(log(NOW - 25 * MINUTE), kms).put(log(NOW - 5 * MINUTE), kms);
    const { status, requests } = await checkPlace(place, bucket, options());
    expect(status).toEqual({ region: 'eu-west-1', prefix: '', latestDigestAt: '2025-06-15T14:00:00Z', latestLogAt: '2025-06-15T14:15:00Z', logEncryptedWithTrailKey: true, state: 'delivering' });
    expect(requests).toBe(3);
    expect(bucket.calls).toEqual([
      { op: 'list', request: { prefix: 'AWSLogs/222222222222/CloudTrail-Digest/eu-west-1/', startAfter: 'AWSLogs/222222222222/CloudTrail-Digest/eu-west-1/2025/06/14/' } },
      { op: 'list', request: { prefix: 'AWSLogs/222222222222/CloudTrail/eu-west-1/', startAfter: 'AWSLogs/222222222222/CloudTrail/eu-west-1/2025/06/15/222222222222_CloudTrail_eu-west-1_20250615T1300Z' } },
      { op: 'head', key: expect.stringContaining('_20250615T1415Z_') },
    ]);
  });

  it('takes the newest digest by the time in its name, not the last key (names sort by trail first)', async () => {
    const bucket = new FakeBucket().put(digest(NOW - 20 * MINUTE, 'a-trail')).put(digest(NOW - 9 * HOUR, 'z-trail')).put(log(NOW - 5 * MINUTE), kms);
    expect((await checkPlace(place, bucket, options())).status).toMatchObject({ state: 'delivering', latestDigestAt: '2025-06-15T14:00:00Z' });
  });

  it('a busy account (3,000 log files a day) still finds its newest log file in one listing', async () => {
    const bucket = new FakeBucket().put(digest(NOW - 20 * MINUTE));
    for (let t = NOW - 24 * HOUR; t < NOW; t += 29_000) bucket.put(log(t), kms);
    const { status, requests } = await checkPlace(place, bucket, options());
    expect(status).toMatchObject({ state: 'delivering', latestLogAt: '2025-06-15T14:19:00Z' });
    expect(requests).toBe(3);
  });

  it('an account whose last log file is hours old looks once more from yesterday on: 4 requests', async () => {
    const bucket = new FakeBucket().put(digest(NOW - 20 * MINUTE)).put(log(NOW - 5 * HOUR), kms);
    const { status, requests } = await checkPlace(place, bucket, options());
    expect(status).toMatchObject({ state: 'delivering', latestLogAt: '2025-06-15T09:20:00Z', logEncryptedWithTrailKey: true });
    expect(requests).toBe(4);
    expect(bucket.calls[2]).toEqual({ op: 'list', request: { prefix: 'AWSLogs/222222222222/CloudTrail/eu-west-1/', startAfter: 'AWSLogs/222222222222/CloudTrail/eu-west-1/2025/06/14/' } });
  });

  it('just after midnight UTC finds yesterday\'s files in the same listings', async () => {
    const now = Date.parse('2025-06-16T00:04:00Z');
    const bucket = new FakeBucket().put(digest(now - 35 * MINUTE)).put(log(now - 9 * MINUTE), kms);
    const { status, requests } = await checkPlace(place, bucket, options({ now }));
    expect(status).toMatchObject({ state: 'delivering', latestDigestAt: '2025-06-15T23:29:00Z', latestLogAt: '2025-06-15T23:55:00Z' });
    expect(requests).toBe(3);
  });

  it('ignores files older than yesterday (UTC), so an account whose last digest is from the day before is silent', async () => {
    const bucket = new FakeBucket().put(digest(NOW - 40 * HOUR)).put(log(NOW - 40 * HOUR), kms);
    const { status, requests } = await checkPlace(place, bucket, options());
    expect(status).toMatchObject({ state: 'silent', latestDigestAt: null, latestLogAt: null });
    expect(requests).toBe(3);
  });

  it('with more than 1,000 digest files in two days stays within 4 requests and reads both pages', async () => {
    const bucket = new FakeBucket();
    for (let trail = 0; trail < 30; trail++) for (let h = 1; h <= 38; h++) bucket.put(digest(NOW - h * HOUR + MINUTE, `trail-${String(trail).padStart(2, '0')}`));
    bucket.put(log(NOW - 5 * MINUTE), kms);
    const { status, requests } = await checkPlace(place, bucket, options());
    expect(status).toMatchObject({ state: 'delivering', latestDigestAt: '2025-06-15T13:21:00Z' });
    expect(requests).toBe(4);
  });

  it('a denied listing ends the check: unknown with the reason, never silent by guess', async () => {
    const denied = Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    const bucket = new FakeBucket({ fail: (call) => (call.op === 'list' ? denied : undefined) }).put(log(NOW - 5 * MINUTE), kms);
    const explain = (error: unknown) => `explained: ${(error as Error).name}`;
    const { status, requests } = await checkPlace(place, bucket, options({ explain }));
    expect(status).toEqual({ region: 'eu-west-1', prefix: '', latestDigestAt: null, latestLogAt: null, logEncryptedWithTrailKey: null, state: 'unknown', reason: 'explained: AccessDenied' });
    expect(requests).toBe(1);
  });

  it('a failed HeadObject leaves the state unknown, with what the listings found', async () => {
    const bucket = new FakeBucket({ fail: (call) => (call.op === 'head' ? new Error('boom') : undefined) }).put(digest(NOW - 20 * MINUTE)).put(log(NOW - 5 * MINUTE), kms);
    const { status } = await checkPlace(place, bucket, options({ explain: () => 'the sentence' }));
    expect(status).toMatchObject({ state: 'unknown', latestDigestAt: '2025-06-15T14:00:00Z', latestLogAt: '2025-06-15T14:15:00Z', reason: 'the sentence' });
  });
});

describe('classify', () => {
  const judgement = { now: NOW, silentAfterMs: 3 * HOUR, trailKey };
  const fresh: Findings = { newestDigest: { key: 'd', at: NOW - 3 * HOUR }, newestLog: { key: 'l', at: NOW - MINUTE }, encryption: kms };

  it('is delivering with a digest exactly at the threshold and silent one second past it', () => {
    expect(classify(place, fresh, judgement).state).toBe('delivering');
    expect(classify(place, { ...fresh, newestDigest: { key: 'd', at: NOW - 3 * HOUR - 1000 } }, judgement)).toMatchObject({
      state: 'silent',
      reason: 'The newest digest file is from 2025-06-15T11:19:59Z, 3.0 hours ago, but log files still arrive (the newest from 2025-06-15T14:19:00Z), so log file validation is probably off for the trail; turn it on.',
    });
  });

  it('is silent when digest and log files both stopped', () => {
    const stopped: Findings = { newestDigest: { key: 'd', at: NOW - 6 * HOUR }, newestLog: { key: 'l', at: NOW - 6 * HOUR - 5 * MINUTE }, encryption: kms };
    expect(classify(place, stopped, judgement)).toEqual({
      region: 'eu-west-1', prefix: '', latestDigestAt: '2025-06-15T08:20:00Z', latestLogAt: '2025-06-15T08:15:00Z', logEncryptedWithTrailKey: true, state: 'silent',
      reason: 'The newest digest file is from 2025-06-15T08:20:00Z, 6.0 hours ago, older than the 3-hour threshold; the trail stopped delivering to this folder.',
    });
  });

  it('is silent before it is unencrypted: a trail that stopped is the first thing to fix', () => {
    expect(classify(place, { newestLog: { key: 'l', at: NOW - 5 * HOUR }, encryption: { serverSideEncryption: 'AES256' } }, judgement)).toMatchObject({ state: 'silent', logEncryptedWithTrailKey: false });
  });

  it('is unknown, not silent, when a stale answer may hide newer digests the budget left unread', () => {
    expect(classify(place, { newestDigest: { key: 'd', at: NOW - 9 * HOUR }, digestsCut: true }, judgement).state).toBe('unknown');
    expect(classify(place, { ...fresh, digestsCut: true }, judgement).state).toBe('delivering');
  });

  it('is delivering, with a reason, when digests arrive but no log file does', () => {
    expect(classify(place, { newestDigest: fresh.newestDigest! }, judgement)).toMatchObject({ state: 'delivering', logEncryptedWithTrailKey: null, reason: expect.stringMatching(/^The trail delivers digest files but there is no log file in AWSLogs\/222222222222\/CloudTrail\/eu-west-1\/ for yesterday or today \(UTC\)/) });
  });

  it('is delivering with a reason when digests arrive but the newest log file is older than the threshold (a key grant lost, or no events)', () => {
    expect(classify(place, { ...fresh, newestLog: { key: 'l', at: NOW - 5 * HOUR } }, judgement)).toMatchObject({
      state: 'delivering',
      logEncryptedWithTrailKey: true,
      reason: 'The newest log file, from 2025-06-15T09:20:00Z, 5.0 hours ago, is older than the 3-hour threshold while digest files still arrive: either the account had no events since, or CloudTrail cannot encrypt log files with the trail key (the member\'s aws cloudtrail get-trail-status shows LatestDeliveryError).',
    });
  });

  it('is unknown when the log file names its key by an alias', () => {
    expect(classify(place, { ...fresh, encryption: { serverSideEncryption: 'aws:kms', kmsKeyId: 'alias/trail' } }, judgement)).toMatchObject({ state: 'unknown', logEncryptedWithTrailKey: null, reason: expect.stringContaining('run aws kms describe-key --key-id alias/trail') });
  });
});
