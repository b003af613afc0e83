import { CONFLICT_ERRORS, isTransient, SERVICE_ERRORS, THROTTLING_ERRORS, TIMEOUT_ERRORS } from '../../src/aws/retry';
import { GetKeyPolicyCommand, KMSClient, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { DeleteBucketPolicyCommand, GetBucketLocationCommand, GetBucketPolicyCommand, PutBucketPolicyCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { awsPolicyStore, regionOfLocationConstraint } from '../../src/aws/aws-policy-store';
import { parseKeyArn } from '../../src/core/arns';
import { OperatorError } from '../../src/core/errors';
import { KEY_ARN } from './helpers';

const s3 = mockClient(S3Client);
const kms = mockClient(KMSClient);
const key = parseKeyArn(KEY_ARN, 'key');
const signal = new AbortController().signal;

function awsError(name: string, status: number, message = name): S3ServiceException {
  return new S3ServiceException({ name, message, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } });
}

beforeEach(() => {
  s3.reset();
  kms.reset();
});

describe('S3 adapter', () => {
  it('reads "no bucket policy" as a normal state', async () => {
    s3.on(GetBucketPolicyCommand).rejects(awsError('NoSuchBucketPolicy', 404));
    await expect(awsPolicyStore('us-east-1', false).getBucketPolicy('my-trail-bucket', signal)).resolves.toBeUndefined();
  });

  it('returns the policy text as S3 stored it', async () => {
    s3.on(GetBucketPolicyCommand, { Bucket: 'my-trail-bucket' }).resolves({ Policy: '{ "Statement": [] }' });
    await expect(awsPolicyStore('us-east-1', false).getBucketPolicy('my-trail-bucket', signal)).resolves.toBe('{ "Statement": [] }');
  });

  it('retries a throttled write and sends the policy once it goes through', async () => {
    s3.on(PutBucketPolicyCommand).rejectsOnce(awsError('SlowDown', 503)).resolves({});
    await awsPolicyStore('us-east-1', false).putBucketPolicy('my-trail-bucket', '{"Statement":[]}', signal);
    expect(s3.commandCalls(PutBucketPolicyCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: 'my-trail-bucket', Policy: '{"Statement":[]}' },
      { Bucket: 'my-trail-bucket', Policy: '{"Statement":[]}' },
    ]);
  });

  it('does not retry AccessDenied and explains it in one sentence', async () => {
    s3.on(DeleteBucketPolicyCommand).rejects(awsError('AccessDenied', 403));
    const failure = awsPolicyStore('us-east-1', false).deleteBucketPolicy('my-trail-bucket', signal);
    await expect(failure).rejects.toThrow(new OperatorError("The function's role was denied s3:DeleteBucketPolicy on my-trail-bucket (AccessDenied); grant that permission in the deployment or check that the target is the one this function is deployed for."));
    expect(s3.commandCalls(DeleteBucketPolicyCommand)).toHaveLength(1);
  });

  it.each([[undefined, 'us-east-1'], ['', 'us-east-1'], ['EU', 'eu-west-1'], ['ap-southeast-2', 'ap-southeast-2']])('reads LocationConstraint %j as %s', async (constraint, region) => {
    expect(regionOfLocationConstraint(constraint)).toBe(region);
    s3.on(GetBucketLocationCommand).resolves({ LocationConstraint: constraint as never });
    await expect(awsPolicyStore('us-east-1', false).getBucketRegion('my-trail-bucket', signal)).resolves.toBe(region);
  });
});

describe('KMS adapter', () => {
  it('reads and writes the "default" policy and never bypasses the lockout safety check', async () => {
    kms.on(GetKeyPolicyCommand).resolves({ Policy: '{"Statement":[]}' });
    kms.on(PutKeyPolicyCommand).resolves({});
    const store = awsPolicyStore('us-east-1', false);
    await expect(store.getKeyPolicy(key, signal)).resolves.toBe('{"Statement":[]}');
    await store.putKeyPolicy(key, '{"Statement":[1]}', signal);
    expect(kms.commandCalls(GetKeyPolicyCommand)[0]!.args[0].input).toEqual({ KeyId: KEY_ARN, PolicyName: 'default' });
    expect(kms.commandCalls(PutKeyPolicyCommand)[0]!.args[0].input).toEqual({ KeyId: KEY_ARN, PolicyName: 'default', Policy: '{"Statement":[1]}', BypassPolicyLockoutSafetyCheck: false });
  });

  it('gives up on a malformed policy at once with a readable reason', async () => {
    kms.on(PutKeyPolicyCommand).rejects(awsError('MalformedPolicyDocumentException', 400, 'The new key policy will not allow you to update the key policy in the future.'));
    await expect(awsPolicyStore('us-east-1', false).putKeyPolicy(key, '{}', signal)).rejects.toThrow(/^AWS rejected the new policy for arn:aws:kms:.* as malformed \(The new key policy will not allow you to update the key policy in the future\.\)/);
    expect(kms.commandCalls(PutKeyPolicyCommand)).toHaveLength(1);
  });

  it('stops retrying once the request is aborted by the timeout guard', async () => {
    const controller = new AbortController();
    kms.on(GetKeyPolicyCommand).callsFake(async () => {
      controller.abort();
      throw awsError('ThrottlingException', 400);
    });
    await expect(awsPolicyStore('us-east-1', false).getKeyPolicy(key, controller.signal)).rejects.toThrow();
    expect(kms.commandCalls(GetKeyPolicyCommand)).toHaveLength(1);
  });
});

describe('transient error classes (R10)', () => {
  it('sorts transient error names by meaning and retries every class', () => {
    expect([...THROTTLING_ERRORS].filter((name) => !/thrott|too ?many|limit|slow ?down|throughput/i.test(name))).toEqual([]);
    for (const name of ['KMSInternalException', 'InternalError', 'ServiceUnavailable']) expect(SERVICE_ERRORS.has(name)).toBe(true);
    for (const name of ['OperationAborted', 'ConcurrentModificationException']) expect(CONFLICT_ERRORS.has(name)).toBe(true);
    for (const name of ['RequestTimeout', 'DependencyTimeoutException']) expect(TIMEOUT_ERRORS.has(name)).toBe(true);
    for (const set of [THROTTLING_ERRORS, SERVICE_ERRORS, CONFLICT_ERRORS, TIMEOUT_ERRORS]) for (const name of set) expect(isTransient({ name })).toBe(true);
    expect(isTransient({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } })).toBe(false);
  });
});
