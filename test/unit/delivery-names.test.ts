import { dayFolder, digestTime, isoTime, logKeyStartingAt, logTime, regionFolder, utcDayStart } from '../../src/delivery/cloudtrail-names';
import { keyVerdict } from '../../src/delivery/trail-key';
import { parseKeyArn } from '../../src/core/arns';
import { KEY_ARN } from './helpers';

const place = { accountId: '111122223333', region: 'us-east-2', logFilePrefix: '' };
const at = (iso: string) => Date.parse(iso);

describe('CloudTrail file names (SPEC R35)', () => {
  it('reads the time of a digest file from its name, _backfill included, whatever the trail name', () => {
    const folder = 'AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/';
    expect(digestTime(`${folder}111122223333_CloudTrail-Digest_us-east-2_your-trail-name_us-east-2_20150817T150131Z.json.gz`, place)).toBe(at('2015-08-17T15:01:31Z'));
    expect(digestTime(`${folder}111122223333_CloudTrail-Digest_us-east-2_org_trail.v2_us-east-2_20150817T150131Z_backfill.json.gz`, place)).toBe(at('2015-08-17T15:01:31Z'));
  });

  it('reads the time of a log file from its name, to the minute', () => {
    expect(logTime('AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/01/111122223333_CloudTrail_us-east-2_20150801T0210Z_Mu0KsOhtH1ar15ZZ.json.gz', place)).toBe(at('2015-08-01T02:10:00Z'));
  });

  it.each([
    ['another account', '999999999999_CloudTrail_us-east-2_20150801T0210Z_Mu0KsOhtH1ar15ZZ.json.gz'],
    ['another region', '111122223333_CloudTrail_eu-west-1_20150801T0210Z_Mu0KsOhtH1ar15ZZ.json.gz'],
    ['a day that does not exist', '111122223333_CloudTrail_us-east-2_20150230T0210Z_Mu0KsOhtH1ar15ZZ.json.gz'],
    ['an hour that does not exist', '111122223333_CloudTrail_us-east-2_20150801T2410Z_Mu0KsOhtH1ar15ZZ.json.gz'],
    ['another file type', '111122223333_CloudTrail_us-east-2_20150801T0210Z_Mu0KsOhtH1ar15ZZ.json'],
    ['a digest file name', '111122223333_CloudTrail-Digest_us-east-2_t_us-east-2_20150817T150131Z.json.gz'],
  ])('ignores %s in a log folder', (_, name) => {
    expect(logTime(`AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/01/${name}`, place)).toBeUndefined();
  });

  it('ignores digests of another account or region and log files in a digest folder', () => {
    expect(digestTime('999999999999_CloudTrail-Digest_us-east-2_t_us-east-2_20150817T150131Z.json.gz', place)).toBeUndefined();
    expect(digestTime('111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20150817T150131Z.json.gz', place)).toBeUndefined();
    expect(digestTime('111122223333_CloudTrail_us-east-2_20150801T0210Z_Mu0KsOhtH1ar15ZZ.json.gz', place)).toBeUndefined();
  });

  it('builds the folders of a UTC day, with and without a prefix', () => {
    const t = at('2024-03-01T00:05:00Z');
    expect(regionFolder(place, 'digest')).toBe('AWSLogs/111122223333/CloudTrail-Digest/us-east-2/');
    expect(dayFolder({ ...place, logFilePrefix: 'org/logs' }, 'log', t)).toBe('org/logs/AWSLogs/111122223333/CloudTrail/us-east-2/2024/03/01/');
    expect(dayFolder(place, 'digest', utcDayStart(t) - 1)).toBe('AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2024/02/29/');
    expect(isoTime(t)).toBe('2024-03-01T00:05:00Z');
  });

  it('starts a log listing at a minute: that minute\'s and later files sort after it, earlier ones before', () => {
    const start = logKeyStartingAt(place, at('2015-08-01T02:10:30Z'));
    const folder = 'AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/01/';
    expect(start).toBe(`${folder}111122223333_CloudTrail_us-east-2_20150801T0210Z`);
    expect(`${folder}111122223333_CloudTrail_us-east-2_20150801T0210Z_Mu0KsOhtH1ar15ZZ.json.gz` > start).toBe(true);
    expect(`${folder}111122223333_CloudTrail_us-east-2_20150801T0211Z_0000000000000000.json.gz` > start).toBe(true);
    expect(`${folder}111122223333_CloudTrail_us-east-2_20150801T0209Z_zzzzzzzzzzzzzzzz.json.gz` < start).toBe(true);
    expect('AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/02/111122223333_CloudTrail_us-east-2_20150802T0000Z_a.json.gz' > start).toBe(true);
  });
});

describe('the trail key, whatever form SSEKMSKeyId takes', () => {
  const trailKey = parseKeyArn(KEY_ARN, 'key');
  const keyId = KEY_ARN.split('/').pop()!;

  it.each([
    ['the key ARN', KEY_ARN],
    ['the bare key id', keyId],
    ['the key id in upper case', keyId.toUpperCase()],
  ])('accepts %s under aws:kms', (_, kmsKeyId) => {
    expect(keyVerdict({ serverSideEncryption: 'aws:kms', kmsKeyId }, trailKey)).toEqual({ under: 'trail key' });
  });

  it('accepts dual-layer SSE-KMS under the trail key', () => {
    expect(keyVerdict({ serverSideEncryption: 'aws:kms:dsse', kmsKeyId: KEY_ARN }, trailKey)).toEqual({ under: 'trail key' });
  });

  it.each([
    ['a key of the same id in another region (a multi-Region replica)', KEY_ARN.replace('us-east-1', 'us-west-2')],
    ['a key of the same id in another account', KEY_ARN.replace('111111111111', '999999999999')],
    ['another key id', 'arn:aws:kms:us-east-1:111111111111:key/11111111-2222-3333-4444-555555555555'],
  ])('refuses %s', (_, kmsKeyId) => {
    expect(keyVerdict({ serverSideEncryption: 'aws:kms', kmsKeyId }, trailKey)).toEqual({ under: 'another key', keyId: kmsKeyId });
  });

  it('tells SSE-S3 and no encryption header apart from a KMS key', () => {
    expect(keyVerdict({ serverSideEncryption: 'AES256' }, trailKey)).toEqual({ under: 'no KMS key', encryption: 'AES256' });
    expect(keyVerdict({}, trailKey)).toEqual({ under: 'no KMS key', encryption: 'none' });
  });

  it('cannot tell which key an alias names, bare or as an ARN', () => {
    for (const alias of ['alias/cloudtrail', 'arn:aws:kms:us-east-1:111111111111:alias/cloudtrail']) {
      expect(keyVerdict({ serverSideEncryption: 'aws:kms', kmsKeyId: alias }, trailKey)).toEqual({ under: 'an alias', alias });
    }
  });
});
