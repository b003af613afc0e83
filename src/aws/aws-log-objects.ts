import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { LogObjectReader } from '../delivery/ports';
import { explainAwsError } from './aws-errors';
import { s3Client } from './clients';
import { withRetries } from './retry';

/**
 * The trail bucket's log objects for the delivery check (SPEC R35): ListObjectsV2 (IAM action s3:ListBucket)
 * and HeadObject (s3:GetObject). Transient errors are retried like every AWS call (SPEC R10); what still fails
 * becomes one operator sentence naming the action and the folder or object.
 */
export function awsLogObjects(bucketName: string, region: string, forcePathStyle: boolean): LogObjectReader {
  const s3 = () => s3Client(region, forcePathStyle);
  return {
    async list(request, signal) {
      try {
        const out = await withRetries(
          () =>
            s3().send(
              new ListObjectsV2Command({
                Bucket: bucketName,
                Prefix: request.prefix,
                ...(request.startAfter ? { StartAfter: request.startAfter } : {}),
                ...(request.continuationToken ? { ContinuationToken: request.continuationToken } : {}),
              }),
              { abortSignal: signal },
            ),
          signal,
        );
        const keys = (out.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : []));
        return { keys, ...(out.IsTruncated && out.NextContinuationToken ? { nextToken: out.NextContinuationToken } : {}) };
      } catch (error) {
        throw explainAwsError(error, 's3:ListBucket', `${bucketName}/${request.prefix}`, region);
      }
    },
    async head(key, signal) {
      try {
        const out = await withRetries(() => s3().send(new HeadObjectCommand({ Bucket: bucketName, Key: key }), { abortSignal: signal }), signal);
        return { ...(out.ServerSideEncryption ? { serverSideEncryption: out.ServerSideEncryption } : {}), ...(out.SSEKMSKeyId ? { kmsKeyId: out.SSEKMSKeyId } : {}) };
      } catch (error) {
        throw explainAwsError(error, 's3:GetObject', `${bucketName}/${key}`, region);
      }
    },
  };
}
