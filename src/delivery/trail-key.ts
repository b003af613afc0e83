import { KeyRef } from '../core/arns';

/** What HeadObject says about a log file's server-side encryption. */
export interface ObjectEncryption {
  /** x-amz-server-side-encryption: 'aws:kms', 'aws:kms:dsse', 'AES256', or undefined. */
  serverSideEncryption?: string;
  /** x-amz-server-side-encryption-aws-kms-key-id: a key ARN as S3 records it, sometimes a bare key id. */
  kmsKeyId?: string;
}

export type KeyVerdict =
  | { under: 'trail key' }
  | { under: 'another key'; keyId: string }
  | { under: 'no KMS key'; encryption: string }
  /** An alias names a key only through KMS, which this check does not call: it cannot tell which key it is. */
  | { under: 'an alias'; alias: string };

const KMS_ENCRYPTIONS = new Set(['aws:kms', 'aws:kms:dsse']);
const KEY_ARN = /^arn:([^:]+):kms:([^:]+):(\d{12}):key\/(.+)$/;

/**
 * Whether the object is SSE-KMS under the trail key, whatever form SSEKMSKeyId takes: the key ARN (what S3 returns),
 * a bare key id, or an alias. A key ARN must name the trail key's partition, region and account as well as its id
 * (a multi-Region replica has the same id in another region, and is another key).
 */
export function keyVerdict(encryption: ObjectEncryption, trailKey: KeyRef): KeyVerdict {
  const sse = encryption.serverSideEncryption;
  if (!sse || !KMS_ENCRYPTIONS.has(sse)) return { under: 'no KMS key', encryption: sse ?? 'none' };
  const id = encryption.kmsKeyId?.trim() ?? '';
  if (/^(arn:[^:]+:kms:[^:]*:\d{12}:)?alias\//.test(id)) return { under: 'an alias', alias: id };
  const arn = KEY_ARN.exec(id);
  const same = arn
    ? arn[1] === trailKey.partition && arn[2] === trailKey.region && arn[3] === trailKey.ownerAccountId && sameKeyId(arn[4]!, trailKey.keyId)
    : sameKeyId(id, trailKey.keyId);
  return same ? { under: 'trail key' } : { under: 'another key', keyId: id || '(none given)' };
}

/** Key ids are UUIDs or mrk- and hex digits: the hex case carries no meaning. */
function sameKeyId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
