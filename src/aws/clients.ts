import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';

/**
 * SDK clients built once per container and region (keys and buckets live in the key's region; S3 clients also
 * per addressing style).
 * Endpoints follow AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL_KMS, which the SDK reads itself.
 * The SDK's own retries are off: withRetries is the one retry policy (SPEC R10).
 */
const s3Clients = new Map<string, S3Client>();
const kmsClients = new Map<string, KMSClient>();
const dynamoClients = new Map<string, DynamoDBClient>();

/** @param forcePathStyle the validated S3_FORCE_PATH_STYLE setting (local emulators). */
export function s3Client(region: string, forcePathStyle: boolean): S3Client {
  const cacheKey = `${region}|${forcePathStyle}`;
  let client = s3Clients.get(cacheKey);
  if (!client) {
    client = new S3Client({ region, maxAttempts: 1, followRegionRedirects: true, forcePathStyle });
    s3Clients.set(cacheKey, client);
  }
  return client;
}

export function kmsClient(region: string): KMSClient {
  let client = kmsClients.get(region);
  if (!client) {
    client = new KMSClient({ region, maxAttempts: 1 });
    kmsClients.set(region, client);
  }
  return client;
}

export function dynamoClient(region: string): DynamoDBClient {
  let client = dynamoClients.get(region);
  if (!client) {
    client = new DynamoDBClient({ region, maxAttempts: 1 });
    dynamoClients.set(region, client);
  }
  return client;
}
