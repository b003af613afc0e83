import { AwsOperatorError, explainAwsError } from '../../src/aws/aws-errors';
import { readSettings } from '../../src/config/settings';
import { OperatorError } from '../../src/core/errors';
import { forCli, readCliSettings, targetSources, TargetSources } from '../../src/cli/wording';

/** An SDK-shaped error. */
function sdkError(name: string, message = name, httpStatusCode = 400): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode } });
}

const BUCKET = 'my-trail-bucket';
const KEY = 'arn:aws:kms:us-east-1:111111111111:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
const TABLE = 'the ledger table cloudtrail-enrollment-ledger';
const FROM_FLAGS: TargetSources = targetSources({ bucket: BUCKET, key: KEY, table: 'cloudtrail-enrollment-ledger' });
const FROM_ENV: TargetSources = targetSources({});

/** The function's sentence and the CLI's sentence for one AWS error. */
function both(error: Error, action: string, resource: string, sources = FROM_FLAGS, region?: string): { fn: string; cli: string } {
  const explained = explainAwsError(error, action, resource, region) as Error;
  return { fn: explained.message, cli: (forCli(explained, sources) as Error).message };
}

describe('the CLI words AWS errors for the person running it; the function keeps its own sentences', () => {
  it('names the flag the target came from, or the variable when no flag was given', () => {
    expect(FROM_FLAGS).toEqual({ bucket: '--bucket', key: '--key', table: '--table', topic: '--topic' });
    expect(FROM_ENV).toEqual({ bucket: 'TRAIL_BUCKET_NAME', key: 'TRAIL_KEY_ARN', table: 'LEDGER_TABLE_NAME', topic: '--topic' });
  });

  it('access denied: "your credentials" and the flag of the service that refused', () => {
    const s3 = both(sdkError('AccessDenied', 'Access Denied', 403), 's3:GetBucketPolicy', BUCKET);
    expect(s3.fn).toBe("The function's role was denied s3:GetBucketPolicy on my-trail-bucket (AccessDenied); grant that permission in the deployment or check that the target is the one this function is deployed for.");
    expect(s3.cli).toBe('Your credentials were denied s3:GetBucketPolicy on my-trail-bucket (AccessDenied); use credentials with that permission, or check --bucket if that is not the intended target.');
    expect(both(sdkError('AccessDeniedException'), 'kms:GetKeyPolicy', KEY, FROM_ENV).cli).toBe(
      `Your credentials were denied kms:GetKeyPolicy on ${KEY} (AccessDeniedException); use credentials with that permission, or check TRAIL_KEY_ARN if that is not the intended target.`,
    );
    expect(both(sdkError('AccessDeniedException'), 'dynamodb:Query', TABLE).cli).toBe(
      `Your credentials were denied dynamodb:Query on ${TABLE} (AccessDeniedException); use credentials with that permission, or check --table if that is not the intended target.`,
    );
    const topic = 'arn:aws:sns:us-east-1:111111111111:enroll';
    expect(both(sdkError('AuthorizationErrorException', 'not authorized', 403), 'sns:GetTopicAttributes', topic).cli).toBe(
      `Your credentials were denied sns:GetTopicAttributes on ${topic} (AuthorizationErrorException); use credentials with that permission, or check --topic if that is not the intended target.`,
    );
    expect(both(sdkError('AccessDeniedException'), 'organizations:DescribeAccount', '222222222222').cli).toBe(
      'Your credentials were denied organizations:DescribeAccount on 222222222222 (AccessDeniedException); use credentials with that permission.',
    );
  });

  it('a missing bucket or key: check the flag or variable, not BucketName or KeyArn', () => {
    const bucket = both(sdkError('NoSuchBucket', 'The specified bucket does not exist', 404), 's3:GetBucketLocation', BUCKET, FROM_ENV);
    expect(bucket.fn).toBe('The bucket my-trail-bucket does not exist or is not visible to the function; check BucketName.');
    expect(bucket.cli).toBe('The bucket my-trail-bucket does not exist or is not visible to your credentials; check TRAIL_BUCKET_NAME.');
    const key = both(sdkError('NotFoundException'), 'kms:GetKeyPolicy', KEY);
    expect(key.fn).toBe(`The KMS key ${KEY} was not found; check KeyArn, including its region and account.`);
    expect(key.cli).toBe(`The KMS key ${KEY} was not found; check --key, including its region and account.`);
  });

  it('a missing ledger table: the region it was looked for in; the function names LEDGER_TABLE_NAME and the owner stack\'s output', () => {
    const table = both(sdkError('ResourceNotFoundException', 'Requested resource not found'), 'dynamodb:Query', TABLE, FROM_ENV, 'eu-west-1');
    expect(table.fn).toBe("The ledger table cloudtrail-enrollment-ledger was not found in eu-west-1 (ResourceNotFoundException); set the function's LEDGER_TABLE_NAME to the table named by the owner stack's LedgerTableName output, in the function's region.");
    expect(table.cli).toBe('The ledger table cloudtrail-enrollment-ledger was not found in eu-west-1; check LEDGER_TABLE_NAME, and set AWS_REGION if the table is in another region.');
  });

  it('anything else: "run the command again", not "retry the stack operation"', () => {
    const other = both(sdkError('InvalidRequest', 'Something about\n  the request'), 's3:GetBucketPolicy', BUCKET);
    expect(other.fn).toBe("s3:GetBucketPolicy on my-trail-bucket failed with InvalidRequest (Something about the request); retry the stack operation, and check the function's logs if it persists.");
    expect(other.cli).toBe('s3:GetBucketPolicy on my-trail-bucket failed with InvalidRequest (Something about the request); run the command again, and check your credentials and network if it persists.');
  });

  it('no credentials at all: say how to give some, not "run the command again" alone', () => {
    const none = both(sdkError('CredentialsProviderError', 'Could not load credentials from any providers'), 'kms:GetKeyPolicy', KEY);
    expect(none.fn).toBe(`kms:GetKeyPolicy on ${KEY} failed with CredentialsProviderError (Could not load credentials from any providers); retry the stack operation, and check the function's logs if it persists.`);
    expect(none.cli).toBe('No AWS credentials were found (Could not load credentials from any providers); set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, then run the command again.');
  });

  it.each(['ExpiredToken', 'ExpiredTokenException', 'InvalidClientTokenId', 'UnrecognizedClientException', 'InvalidToken', 'InvalidSignatureException'])('credentials AWS refuses (%s): refresh them', (name) => {
    const refused = both(sdkError(name, 'The security token included in the request is expired'), 'dynamodb:Query', TABLE);
    expect(refused.fn).toBe(`dynamodb:Query on ${TABLE} failed with ${name} (The security token included in the request is expired); retry the stack operation, and check the function's logs if it persists.`);
    expect(refused.cli).toBe(`AWS refused your credentials for dynamodb:Query on ${TABLE} (${name}: The security token included in the request is expired); refresh or replace them, then run the command again.`);
  });

  it('keeps the sentences that suit both, and the function sentences that only a write can cause', () => {
    const unusable = both(sdkError('KMSInvalidStateException', 'key is pending deletion'), 'kms:GetKeyPolicy', KEY);
    expect(unusable.cli).toBe(unusable.fn);
    expect(unusable.cli).toBe(`The KMS key ${KEY} is not usable (key is pending deletion); enable it or cancel its deletion.`);
    const malformed = both(sdkError('MalformedPolicy', 'Invalid principal'), 's3:PutBucketPolicy', BUCKET);
    expect(malformed.fn).toBe('AWS rejected the new policy for my-trail-bucket as malformed (Invalid principal); inspect the policy for statements this function does not understand.');
    expect(malformed.cli).toBe('AWS rejected the new policy for my-trail-bucket as malformed (Invalid principal); inspect the policy for statements this tool does not understand.');
  });

  it('passes through what is not an explained AWS error', () => {
    const operator = new OperatorError('No trail bucket given; pass --bucket NAME or set TRAIL_BUCKET_NAME.');
    expect(forCli(operator, FROM_FLAGS)).toBe(operator);
    const unexpected = new TypeError('boom');
    expect(forCli(unexpected, FROM_FLAGS)).toBe(unexpected);
    const reworded = forCli(explainAwsError(sdkError('NoSuchBucket'), 's3:GetBucketPolicy', BUCKET), FROM_FLAGS);
    expect(reworded).toBeInstanceOf(AwsOperatorError);
    expect(reworded).toBeInstanceOf(OperatorError);
  });
});

describe('the CLI reads the function settings it uses, named as environment variables', () => {
  it('names a bad value as the environment variable; the function names it as its setting', () => {
    const env = { LEDGER_TABLE_NAME: 'a b' };
    expect(() => readSettings(env)).toThrow("The function setting LEDGER_TABLE_NAME 'a b' is not a DynamoDB table name (3-255 letters, digits, '_', '-' or '.'); fix it in the deployment.");
    expect(() => readCliSettings(env)).toThrow("The environment variable LEDGER_TABLE_NAME 'a b' is not a DynamoDB table name (3-255 letters, digits, '_', '-' or '.'); set it to the stack's LedgerTableName output or pass --table.");
    expect(() => readCliSettings({ TRAIL_KEY_ARN: 'alias' })).toThrow(/^The environment variable TRAIL_KEY_ARN 'alias' is not a KMS key ARN; /);
  });

  it('ignores the settings only the function uses, and the variables a flag replaces', () => {
    const env = { PROTECTED_ACCOUNT_IDS: 'nope', ORGANIZATION_ID: 'org', POLICY_LAYOUT: 'bogus', RESPONSE_URL_EXTRA_HOSTS: 'http://x/', TRAIL_BUCKET_NAME: 'Not A Bucket', LEDGER_TABLE_NAME: 'ledger' };
    const settings = readCliSettings(env, ['TRAIL_BUCKET_NAME']);
    expect(settings).toMatchObject({ ledgerTableName: 'ledger', pinnedBucketName: undefined, protectedAccountIds: new Set() });
  });
});
