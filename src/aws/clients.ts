import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';

/**
 * SDK clients built once per container and region (keys and buckets live in the key's region; S3 clients also
 * per addressing style).
 * Endpoints follow AWS_ENDPOINT_URL and the per-service AWS_ENDPOINT_URL_S3 / _KMS / _DYNAMODB, which the SDK reads itself.
 * The SDK's own retries are off: withRetries is the one retry policy (SPEC R10).
 */
const clients = new Map<string, S3Client | KMSClient | DynamoDBClient>();

/** The client cached under this key, built on first use. */
function cached<T extends S3Client | KMSClient | DynamoDBClient>(key: string, build: () => T): T {
  let client = clients.get(key) as T | undefined;
  if (!client) {
    client = build();
    clients.set(key, client);
  }
  return client;
}

/** @param forcePathStyle the validated S3_FORCE_PATH_STYLE setting (local emulators). */
export function s3Client(region: string, forcePathStyle: boolean): S3Client {
  return cached(`s3|${region}|${forcePathStyle}`, () => new S3Client({ region, maxAttempts: 1, followRegionRedirects: true, forcePathStyle }));
}

export function kmsClient(region: string): KMSClient {
  return cached(`kms|${region}`, () => new KMSClient({ region, maxAttempts: 1 }));
}

export function dynamoClient(region: string): DynamoDBClient {
  return cached(`dynamodb|${region}`, () => new DynamoDBClient({ region, maxAttempts: 1 }));
}
