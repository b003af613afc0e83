import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

/**
 * CloudTrail-shaped files on an emulator, for the delivery check's tests and bench (SPEC R35). Names follow
 * CloudTrail's documented formats, built here on their own (not with src/delivery) so the tests check the code
 * against the format rather than against itself:
 *   [<prefix>/]AWSLogs/<account>/CloudTrail-Digest/<region>/<yyyy>/<mm>/<dd>/<account>_CloudTrail-Digest_<region>_<trail>_<region>_<yyyymmddThhmmssZ>[_backfill].json.gz
 *   [<prefix>/]AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/<account>_CloudTrail_<region>_<yyyymmddThhmmZ>_<16 characters>.json.gz
 * Every object is written now, so its LastModified says nothing about the time in its name.
 */
export interface TrailFolder {
  accountId: string;
  region: string;
  /** '' or undefined: no prefix. */
  logFilePrefix?: string;
}

/** How an object is encrypted: SSE-KMS under a key (given as ARN or bare id, as S3 may report it), or SSE-S3. */
export type Encryption = { kmsKeyId: string } | 'AES256';

export interface TrailFile {
  key: string;
  encryption: Encryption;
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

const two = (n: number) => String(n).padStart(2, '0');

function parts(at: number): { day: string; minute: string; second: string } {
  const d = new Date(at);
  const date = `${d.getUTCFullYear()}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}`;
  const minute = `${date}T${two(d.getUTCHours())}${two(d.getUTCMinutes())}`;
  return { day: `${d.getUTCFullYear()}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())}`, minute: `${minute}Z`, second: `${minute}${two(d.getUTCSeconds())}Z` };
}

function root(folder: TrailFolder): string {
  return `${folder.logFilePrefix ? `${folder.logFilePrefix}/` : ''}AWSLogs/${folder.accountId}`;
}

export function digestFileKey(folder: TrailFolder, at: number, options: { trail?: string; backfill?: boolean } = {}): string {
  const { day, second } = parts(at);
  const trail = options.trail ?? 'org-trail';
  return `${root(folder)}/CloudTrail-Digest/${folder.region}/${day}/${folder.accountId}_CloudTrail-Digest_${folder.region}_${trail}_${folder.region}_${second}${options.backfill ? '_backfill' : ''}.json.gz`;
}

let sequence = 0;

export function logFileKey(folder: TrailFolder, at: number): string {
  const { day, minute } = parts(at);
  const unique = `U${(sequence++).toString(36).padStart(15, '0')}`.slice(-16);
  return `${root(folder)}/CloudTrail/${folder.region}/${day}/${folder.accountId}_CloudTrail_${folder.region}_${minute}_${unique}.json.gz`;
}

/**
 * The delivery situations the tests and the bench set up, relative to `now`; `trailKey` is the trail key's ARN and
 * `otherKey` another key's ARN.
 */
export type Situation =
  /** digests every hour (a second, older trail's digest sorts after them), log files SSE-KMS under the trail key */
  | 'delivering'
  /** the same, with the log files' key given as a bare key id */
  | 'delivering, key id'
  /** newest digest and log file 6 hours old */
  | 'silent'
  | 'no files'
  /** newest log file SSE-S3, an older one SSE-KMS under the trail key */
  | 'unencrypted'
  /** newest log file SSE-KMS under another key */
  | 'another key'
  /** the newest digest is a _backfill digest */
  | 'backfill'
  /** log files under the trail key but no digest: log file validation off */
  | 'validation off';

export function situationFiles(situation: Situation, folder: TrailFolder, now: number, keys: { trailKey: string; otherKey: string }): TrailFile[] {
  const trail: Encryption = { kmsKeyId: keys.trailKey };
  switch (situation) {
    case 'delivering':
      return [
        { key: digestFileKey(folder, now - 95 * MINUTE), encryption: 'AES256' },
        { key: digestFileKey(folder, now - 35 * MINUTE), encryption: 'AES256' },
        { key: digestFileKey(folder, now - 5 * HOUR, { trail: 'zz-old-trail' }), encryption: 'AES256' },
        { key: logFileKey(folder, now - 50 * MINUTE), encryption: trail },
        { key: logFileKey(folder, now - 10 * MINUTE), encryption: trail },
      ];
    case 'delivering, key id':
      return [
        { key: digestFileKey(folder, now - 35 * MINUTE), encryption: 'AES256' },
        { key: logFileKey(folder, now - 10 * MINUTE), encryption: { kmsKeyId: keys.trailKey.split('/').pop()! } },
      ];
    case 'silent':
      return [
        { key: digestFileKey(folder, now - 7 * HOUR), encryption: 'AES256' },
        { key: digestFileKey(folder, now - 6 * HOUR), encryption: 'AES256' },
        { key: logFileKey(folder, now - 6 * HOUR - 10 * MINUTE), encryption: trail },
      ];
    case 'no files':
      return [];
    case 'unencrypted':
      return [
        { key: digestFileKey(folder, now - 35 * MINUTE), encryption: 'AES256' },
        { key: logFileKey(folder, now - 50 * MINUTE), encryption: trail },
        { key: logFileKey(folder, now - 10 * MINUTE), encryption: 'AES256' },
      ];
    case 'another key':
      return [
        { key: digestFileKey(folder, now - 35 * MINUTE), encryption: 'AES256' },
        { key: logFileKey(folder, now - 10 * MINUTE), encryption: { kmsKeyId: keys.otherKey } },
      ];
    case 'backfill':
      return [
        { key: digestFileKey(folder, now - 3 * HOUR - 20 * MINUTE), encryption: 'AES256' },
        { key: digestFileKey(folder, now - 40 * MINUTE, { backfill: true }), encryption: 'AES256' },
        { key: logFileKey(folder, now - 10 * MINUTE), encryption: trail },
      ];
    case 'validation off':
      return [{ key: logFileKey(folder, now - 10 * MINUTE), encryption: trail }];
  }
}

/** Writes the files (a byte each), `concurrency` at a time. */
export async function putTrailFiles(s3: S3Client, bucket: string, files: readonly TrailFile[], concurrency = 16): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const file = files[next++]!;
      const encryption = file.encryption === 'AES256' ? { ServerSideEncryption: 'AES256' as const } : { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: file.encryption.kmsKeyId };
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: file.key, Body: '\n', ContentType: 'application/json', ContentEncoding: 'gzip', ...encryption }));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
}
