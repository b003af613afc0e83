import { CreateKeyCommand, GetKeyPolicyCommand, KMSClient, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { CreateBucketCommand, DeleteBucketPolicyCommand, GetBucketPolicyCommand, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './project-root';

/** Builds the owner account's bucket and key on an emulator, and reads their policies back. */
export const FIXTURES = join(projectRoot(), 'test', 'fixtures');

export function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

export function seedBucketPolicy(bucket = 'my-trail-bucket', partition = 'aws'): string {
  return fixture('seed-bucket-policy.json').replaceAll('my-trail-bucket', bucket).replaceAll('arn:aws:', `arn:${partition}:`);
}

export interface Estate {
  s3: S3Client;
  kms: KMSClient;
  bucket: string;
  keyArn: string;
  readBucketPolicy(): Promise<string | undefined>;
  readKeyPolicy(): Promise<string>;
  /** The Resource list of the bucket's CloudTrail write statement (default Sid); empty without one. */
  bucketResources(): Promise<string[]>;
  /** The StringLike trail patterns of the key's "Allow CloudTrail to encrypt logs" statement; empty without one. */
  keyPatterns(): Promise<string[]>;
  putBucketPolicy(policy: string | undefined): Promise<void>;
  putKeyPolicy(policy: string): Promise<void>;
}

export interface EstateOptions {
  endpoint: string;
  bucket?: string;
  region?: string;
  /** The bucket's region when it differs from the key's (`region`). */
  bucketRegion?: string;
  /** undefined: the documented seed policy; null: no bucket policy at all. */
  bucketPolicy?: string | null;
  keyPolicy?: string;
}

export async function createEstate(options: EstateOptions): Promise<Estate> {
  const region = options.region ?? 'us-east-1';
  const bucket = options.bucket ?? 'my-trail-bucket';
  const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
  const s3 = new S3Client({ region, endpoint: options.endpoint, forcePathStyle: true, credentials });
  const kms = new KMSClient({ region, endpoint: options.endpoint, credentials });
  const bucketRegion = options.bucketRegion ?? region;
  await s3.send(new CreateBucketCommand({ Bucket: bucket, ...(bucketRegion === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: bucketRegion as never } }) }));
  const bucketPolicy = options.bucketPolicy === undefined ? seedBucketPolicy(bucket) : options.bucketPolicy;
  if (bucketPolicy !== null) await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: bucketPolicy }));
  const key = await kms.send(new CreateKeyCommand({ Policy: options.keyPolicy ?? fixture('cloudtrail-console-key-policy.json'), Description: 'CloudTrail log key' }));
  const keyArn = key.KeyMetadata!.Arn!;
  const estate: Estate = {
    s3,
    kms,
    bucket,
    keyArn,
    async bucketResources() {
      const write = statementOf(await estate.readBucketPolicy(), 'AWSCloudTrailWrite20131101');
      return write ? [write.Resource ?? []].flat() : [];
    },
    async keyPatterns() {
      const encrypt = statementOf(await estate.readKeyPolicy(), 'Allow CloudTrail to encrypt logs');
      return encrypt ? [encrypt.Condition?.StringLike?.['kms:EncryptionContext:aws:cloudtrail:arn'] ?? []].flat() : [];
    },
    async readBucketPolicy() {
      try {
        return (await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy;
      } catch (error) {
        if ((error as Error).name === 'NoSuchBucketPolicy') return undefined;
        throw error;
      }
    },
    async readKeyPolicy() {
      return (await kms.send(new GetKeyPolicyCommand({ KeyId: keyArn, PolicyName: 'default' }))).Policy!;
    },
    async putBucketPolicy(policy) {
      if (policy === undefined) await s3.send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
      else await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policy }));
    },
    async putKeyPolicy(policy) {
      await kms.send(new PutKeyPolicyCommand({ KeyId: keyArn, PolicyName: 'default', Policy: policy }));
    },
  };
  return estate;
}

interface StatementShape {
  Sid?: string;
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

function statementOf(policy: string | undefined, sid: string): StatementShape | undefined {
  return policy === undefined ? undefined : (JSON.parse(policy).Statement as StatementShape[]).find((s) => s.Sid === sid);
}
