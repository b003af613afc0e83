// Structural checks of the deployment templates and sample events (SPEC R22, R23).
// Templates are parsed with cfn-lint's own YAML loader (handles !Ref, !GetAtt, ...), so no YAML dependency.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { evaluate } from '../../src/iam/evaluate';
import { loadTemplate, OWNER, resolveIntrinsics, TOPIC_ARN } from '../support/cfn-template';

const root = resolve(__dirname, '..', '..');
const TEMPLATE = 'template.yaml';
const MEMBER = 'stacksets/member-account.yaml';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const template = loadTemplate(TEMPLATE);
const member = loadTemplate(MEMBER);

function resourceOfType(t: Json, type: string): [string, Json] {
  const found = Object.entries(t.Resources as Record<string, Json>).filter(([, r]) => r.Type === type);
  expect(found).toHaveLength(1);
  return found[0]!;
}

/** The resource with this logical id, which must be of this type (the template has two functions, roles and log groups). */
function resourceNamed(t: Json, id: string, type: string): [string, Json] {
  expect({ id, type: t.Resources[id]?.Type }).toEqual({ id, type });
  return [id, t.Resources[id]];
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

describe('cfn-lint', () => {
  it('passes both templates with no errors and no warnings', () => {
    let status = 0;
    let output = '';
    try {
      output = execFileSync('cfn-lint', ['--', TEMPLATE, MEMBER], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      const e = error as { status?: number; stdout?: string; stderr?: string; message: string };
      status = e.status ?? -1;
      output = `${e.stdout ?? ''}${e.stderr ?? ''}` || e.message;
    }
    expect({ status, output: output.trim() }).toEqual({ status: 0, output: '' });
  });
});

describe('template.yaml function', () => {
  const [functionId, fn] = resourceNamed(template, 'EnrollmentFunction', 'AWS::Serverless::Function');

  it('reserves no concurrency (R22: the ledger serialises) and uses a supported Node.js runtime', () => {
    expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
    const runtime = /^nodejs(\d+)\.x$/.exec(fn.Properties.Runtime);
    expect(runtime).not.toBeNull();
    expect(Number(runtime![1])).toBeGreaterThanOrEqual(22);
  });

  it('is built with esbuild from src/handler.ts, with the Organizations client as a file of its own', () => {
    expect(fn.Metadata.BuildMethod).toBe('esbuild');
    // Both in src/: esbuild's output directory then holds handler.js and organizations.js side by side.
    expect(fn.Metadata.BuildProperties.EntryPoints).toEqual(['src/handler.ts', 'src/organizations.ts']);
    expect(fn.Properties.Handler).toBe('handler.handler');
    expect(fn.Properties.Architectures).toEqual(['arm64']);
    expect(fn.Properties.Policies).toBeUndefined();
  });

  it('deploys no source map and no --enable-source-maps, however it is built', () => {
    // SAM CLI sets NODE_OPTIONS=--enable-source-maps whenever Sourcemap is truthy (samcli/lib/build/bundler.py).
    expect(fn.Metadata.BuildProperties.Sourcemap).toBeUndefined();
    expect(fn.Properties.Environment.Variables.NODE_OPTIONS).toBeUndefined();
    // aws-lambda-builders passes true as a flag and strings as --name=value, and silently drops false.
    for (const [name, value] of Object.entries(fn.Metadata.BuildProperties as Record<string, unknown>)) {
      expect({ name, dropped: value === false }).toEqual({ name, dropped: false });
    }
  });

  it('logs in JSON to its own log group (R20)', () => {
    expect(fn.Properties.LoggingConfig).toEqual({ LogFormat: 'JSON', LogGroup: { Ref: 'EnrollmentLogGroup' } });
  });

  it('declares every setting of R2, pinned from the parameters', () => {
    const vars = fn.Properties.Environment.Variables;
    for (const name of ['TRAIL_BUCKET_NAME', 'TRAIL_KEY_ARN', 'TRAIL_LOG_FILE_PREFIX', 'PROTECTED_ACCOUNT_IDS', 'ADMIN_ACCOUNT_IDS', 'BUCKET_POLICY_SID', 'KEY_POLICY_SID', 'ORGANIZATION_ID', 'LEDGER_TABLE_NAME', 'POLICY_LAYOUT', 'S3_FORCE_PATH_STYLE', 'RESPONSE_URL_EXTRA_HOSTS']) {
      expect(vars).toHaveProperty([name]);
    }
    expect(vars.TRAIL_BUCKET_NAME).toEqual({ Ref: 'TrailBucketName' });
    expect(vars.TRAIL_KEY_ARN).toEqual({ Ref: 'TrailKeyArn' });
    expect(vars.ORGANIZATION_ID).toEqual({ Ref: 'OrganizationId' });
    expect(vars.POLICY_LAYOUT).toEqual({ Ref: 'PolicyLayout' });
    expect(template.Parameters.PolicyLayout.AllowedValues).toEqual(['resource-list', 'account-list']);
    expect(template.Parameters.PolicyLayout.Default).toBe('resource-list');
    expect(vars.LEDGER_TABLE_NAME).toEqual({ Ref: resourceOfType(template, 'AWS::DynamoDB::Table')[0] });
    // Test-only settings stay empty (unset) in a deployment.
    expect(vars.S3_FORCE_PATH_STYLE).toBe('');
    expect(vars.RESPONSE_URL_EXTRA_HOSTS).toBe('');
  });

  it('runs reconcile on an EventBridge schedule, hourly unless the parameter says otherwise (R31)', () => {
    const events = Object.values(fn.Properties.Events as Record<string, Json>);
    expect(events).toHaveLength(1);
    expect(events[0].Type).toBe('Schedule');
    expect(events[0].Properties.Schedule).toEqual({ Ref: 'ReconcileSchedule' });
    expect(template.Parameters.ReconcileSchedule.Default).toBe('rate(1 hour)');
  });

  const permissions = () => Object.entries(template.Resources as Record<string, Json>).filter(([, r]) => r.Type === 'AWS::Lambda::Permission');

  it('is invoked by the ServiceToken topic only: one unconditional permission, for sns.amazonaws.com from that topic (R32)', () => {
    const topicId = 'EnrollmentTopic';
    const always = permissions().filter(([, p]) => p.Condition === undefined);
    expect(always).toHaveLength(1);
    expect(always[0]![1].Properties).toEqual({ Action: 'lambda:InvokeFunction', FunctionName: { 'Fn::GetAtt': [functionId, 'Arn'] }, Principal: 'sns.amazonaws.com', SourceArn: { Ref: topicId } });
  });

  it('grants invoke to no one else: no "*" principal, no organization, no account principal, outside the upgrade window (R32)', () => {
    for (const [id, resource] of permissions()) {
      if (id === 'OrganizationInvokePermission') continue;
      expect(resource.Properties.Principal).not.toBe('*');
      expect(resource.Properties).not.toHaveProperty('PrincipalOrgID');
      expect(String(resource.Properties.Principal)).not.toMatch(/^\d{12}$|:root$/);
    }
    const { OrganizationInvokePermission: window, ...others } = template.Resources as Record<string, Json>;
    expect(JSON.stringify(others)).not.toContain('"PrincipalOrgID"');
    expect(window.Condition).toBe('LegacyServiceTokenWindow');
  });

  describe('1.x upgrade window (AllowLegacyServiceToken)', () => {
    const windowOpen = (parameters: Record<string, string>): boolean => resolveIntrinsics(template, { Condition: 'LegacyServiceTokenWindow' }, parameters);

    it('is off by default, and with OrganizationId set', () => {
      expect(template.Parameters.AllowLegacyServiceToken).toMatchObject({ Default: 'false', AllowedValues: ['false', 'true'] });
      expect(windowOpen({})).toBe(false);
      expect(windowOpen({ OrganizationId: 'o-a1b2c3d4e5' })).toBe(false);
    });

    it('opens only with an organization: without one, 1.x granted nothing either', () => {
      expect(windowOpen({ AllowLegacyServiceToken: 'true' })).toBe(false);
      expect(windowOpen({ AllowLegacyServiceToken: 'true', OrganizationId: 'o-a1b2c3d4e5' })).toBe(true);
    });

    it('grants exactly what 1.0.0 granted, under 1.0.0\'s logical id, so an in-place upgrade keeps it without a gap', () => {
      // template.yaml of 1.0.0 (git show b7e45d8:template.yaml): OrganizationInvokePermission, Condition HasOrganizationId.
      const window = template.Resources.OrganizationInvokePermission;
      expect(window.Type).toBe('AWS::Lambda::Permission');
      expect(window.Properties).toEqual({ Action: 'lambda:InvokeFunction', FunctionName: { 'Fn::GetAtt': [functionId, 'Arn'] }, Principal: '*', PrincipalOrgID: { Ref: 'OrganizationId' } });
    });
  });
});

describe('template.yaml asynchronous invocations (R39: late retries and duplicates)', () => {
  const [, fn] = resourceNamed(template, 'EnrollmentFunction', 'AWS::Serverless::Function');
  const invokeConfig = fn.Properties.EventInvokeConfig;
  // CloudFormation presigns the ResponseURL for two hours (X-Amz-Expires=7200 in the requests it sends).
  const RESPONSE_URL_LIFETIME_SECONDS = 7200;
  // Lambda's schedule for function errors: attempt 2 one minute after attempt 1 failed, attempt 3 two minutes after attempt 2.
  const thirdAttemptStartsBy = (timeout: number) => timeout + 60 + timeout + 120;

  it('keeps Lambda\'s two retries of a crashed or timed-out invocation', () => {
    expect(invokeConfig.MaximumRetryAttempts).toBe(2);
  });

  it('drops an event too old to be answered while its ResponseURL is valid, but not before the last retry starts', () => {
    const age = invokeConfig.MaximumEventAgeInSeconds;
    const timeout = fn.Properties.Timeout;
    expect(Number.isInteger(age)).toBe(true);
    expect(age).toBeGreaterThanOrEqual(thirdAttemptStartsBy(timeout));
    expect(age + timeout).toBeLessThanOrEqual(RESPONSE_URL_LIFETIME_SECONDS);
  });
});

describe('template.yaml on-failure destination (an event that exhausts its retries never vanishes)', () => {
  const [, fn] = resourceNamed(template, 'EnrollmentFunction', 'AWS::Serverless::Function');
  const [queueId, queue] = resourceOfType(template, 'AWS::SQS::Queue');
  const dataKey = { 'Fn::If': ['CreateDataKey', { 'Fn::GetAtt': ['DataKey', 'Arn'] }, { Ref: 'DataKeyArn' }] };

  it('sends the record of every asynchronous invocation that failed or expired to a standard SQS queue', () => {
    expect(fn.Properties.EventInvokeConfig.DestinationConfig).toEqual({ OnFailure: { Type: 'SQS', Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } });
    expect(fn.Properties.DeadLetterQueue).toBeUndefined();
    expect(queue.Properties.FifoQueue).toBeUndefined();
  });

  it('keeps the records 14 days, encrypted with the stack\'s data key, and names the queue in the outputs', () => {
    expect(queue.Properties.MessageRetentionPeriod).toBe(1_209_600);
    expect(queue.Properties.KmsMasterKeyId).toEqual(dataKey);
    expect(queue.Properties.SqsManagedSseEnabled).toBeUndefined();
    expect(Object.values(template.Outputs as Record<string, Json>)).toContainEqual(expect.objectContaining({ Value: { Ref: queueId } }));
  });

  it('is a dead-letter queue itself, with no queue policy: only this account\'s IAM principals reach it', () => {
    expect(queue.Properties.RedriveAllowPolicy).toEqual({ redrivePermission: 'allowAll' });
    expect(queue.Properties.RedrivePolicy).toBeUndefined();
    expect(Object.values(template.Resources as Record<string, Json>).filter((r) => r.Type === 'AWS::SQS::QueuePolicy')).toEqual([]);
  });
});

describe('template.yaml ServiceToken delivery status (SNS to the function)', () => {
  const [topicId, topic] = ['EnrollmentTopic', template.Resources.EnrollmentTopic as Json];
  const logging: Json[] = topic.Properties.DeliveryStatusLogging;
  const roleId: string = logging?.[0]?.FailureFeedbackRoleArn?.['Fn::GetAtt']?.[0];
  const role = template.Resources[roleId ?? ''];
  const groups = ['sns/${AWS::Region}/${AWS::AccountId}/${TOPIC}', 'sns/${AWS::Region}/${AWS::AccountId}/${TOPIC}/Failure'].map((g) => g.replace('TOPIC', `${topicId}.TopicName`));
  const logsArn = (rest: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${rest}` });

  it('logs every delivery to the function, success and failure, through one feedback role', () => {
    expect(logging).toEqual([{ Protocol: 'lambda', SuccessFeedbackRoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] }, SuccessFeedbackSampleRate: '100', FailureFeedbackRoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] } }]);
  });

  it('gives the feedback role to SNS only, with no managed or inline policies of its own', () => {
    expect(role.Type).toBe('AWS::IAM::Role');
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: 'sts:AssumeRole' }]);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.Policies).toBeUndefined();
    expect(role.Properties.RoleName).toBeUndefined();
  });

  it('lets it create and write only the topic\'s two delivery-status log groups (successes and failures)', () => {
    const policies = Object.values(template.Resources as Record<string, Json>).filter((r) => ['AWS::IAM::RolePolicy', 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'].includes(r.Type));
    const attached = policies.filter((p) => JSON.stringify(p.Properties).includes(`"${roleId}"`));
    expect(attached).toHaveLength(1);
    expect(attached[0]!.Properties.RoleName).toEqual({ Ref: roleId });
    expect(attached[0]!.Properties.PolicyDocument.Statement).toEqual([{
      Sid: 'TopicDeliveryStatusLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: groups.flatMap((g) => [logsArn(g), logsArn(`${g}:log-stream:*`)]),
    }]);
  });
});

describe('template.yaml ledger table (R26)', () => {
  const [, table] = resourceOfType(template, 'AWS::DynamoDB::Table');

  it('is retained, on-demand, with point-in-time recovery and the pk/sk key the code uses', () => {
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
    expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table.Properties.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
  });
});

describe('template.yaml ServiceToken topic (R32)', () => {
  // The alarm topic (SPEC R36) has its own tests in alarms-template.test.ts.
  const [topicId, topic] = ['EnrollmentTopic', template.Resources.EnrollmentTopic];
  const topicPolicy = template.Resources.EnrollmentTopicPolicy;
  const subscription = template.Resources.EnrollmentSubscription;
  const [functionId] = resourceNamed(template, 'EnrollmentFunction', 'AWS::Serverless::Function');
  const ORG = 'o-a1b2c3d4e5';
  const policyFor = (parameters: Record<string, string>): Json => resolveIntrinsics(template, topicPolicy.Properties.PolicyDocument, parameters);

  it('is the ServiceToken output, exported under the same name as before', () => {
    expect(template.Outputs.ServiceToken.Value).toEqual({ Ref: topicId });
    expect(template.Outputs.ServiceToken.Export.Name).toEqual({ 'Fn::Sub': '${AWS::StackName}-ServiceToken' });
  });

  it('is not encrypted with the AWS managed key, which cross-account publishers could not use', () => {
    expect(JSON.stringify(topic.Properties ?? {})).not.toContain('alias/aws/sns');
  });

  it('delivers to the function (protocol lambda)', () => {
    expect(subscription.Properties).toEqual({ TopicArn: { Ref: topicId }, Protocol: 'lambda', Endpoint: { 'Fn::GetAtt': [functionId, 'Arn'] } });
  });

  it('grants only sns:Publish on this topic, Allow only', () => {
    expect(topicPolicy.Properties.Topics).toEqual([{ Ref: topicId }]);
    for (const parameters of [{}, { OrganizationId: ORG }] as Array<Record<string, string>>) {
      for (const s of policyFor(parameters).Statement) {
        expect(s.Effect).toBe('Allow');
        expect(asList(s.Action)).toEqual(['sns:Publish']);
        expect(asList(s.Resource)).toEqual([TOPIC_ARN]);
        expect(s.NotAction ?? s.NotResource ?? s.NotPrincipal).toBeUndefined();
      }
    }
  });

  it('with OrganizationId: the owner account, and the organization\'s principals whose role ARN is a StackSet execution role', () => {
    expect(policyFor({ OrganizationId: ORG }).Statement).toEqual([
      { Sid: 'OwnerAccountPublish', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OWNER}:root` }, Action: 'sns:Publish', Resource: TOPIC_ARN },
      {
        Sid: 'StackSetExecutionRolesPublish',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'sns:Publish',
        Resource: TOPIC_ARN,
        Condition: {
          StringEquals: { 'aws:PrincipalOrgID': ORG },
          ArnLike: { 'aws:PrincipalArn': ['arn:aws:iam::*:role/stacksets-exec-*', 'arn:aws:iam::*:role/AWSCloudFormationStackSetExecutionRole'] },
        },
      },
    ]);
  });

  it('takes the partition from the stack, not a hard-coded one', () => {
    expect(JSON.stringify(topicPolicy)).not.toMatch(/arn:aws(-cn|-us-gov)?:/);
  });

  it('replaces the default execution-role patterns with PublisherRoleArns when it is set', () => {
    const custom = 'arn:aws:iam::*:role/org/stackset-exec-*,arn:aws:iam::222222222222:role/Deployer';
    const [, org] = policyFor({ OrganizationId: ORG, PublisherRoleArns: custom }).Statement;
    expect(org.Condition).toEqual({ StringEquals: { 'aws:PrincipalOrgID': ORG }, ArnLike: { 'aws:PrincipalArn': custom.split(',') } });
  });

  it('without OrganizationId admits the owner account only', () => {
    expect(policyFor({}).Statement).toEqual([{ Sid: 'OwnerAccountPublish', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OWNER}:root` }, Action: 'sns:Publish', Resource: TOPIC_ARN }]);
    expect(JSON.stringify(policyFor({ PublisherRoleArns: 'arn:aws:iam::*:role/*' }))).not.toContain('"*"');
  });

  it('PublisherRoleArns accepts only comma-separated IAM role ARN patterns', () => {
    const pattern = new RegExp(template.Parameters.PublisherRoleArns.AllowedPattern);
    for (const ok of ['', 'arn:aws:iam::*:role/stacksets-exec-*', 'arn:aws-us-gov:iam::*:role/stacksets-exec-*,arn:aws-us-gov:iam::*:role/AWSCloudFormationStackSetExecutionRole', 'arn:aws:iam::222222222222:role/path/Deployer']) {
      expect({ ok, match: pattern.test(ok) }).toEqual({ ok, match: true });
    }
    for (const bad of ['*', 'arn:aws:iam::*:user/alice', 'arn:aws:iam::*:*', 'arn:aws:iam::*:role/a, arn:aws:iam::*:role/b', 'arn:aws:sts::*:assumed-role/x/y']) {
      expect({ bad, match: pattern.test(bad) }).toEqual({ bad, match: false });
    }
  });
});

describe('template.yaml data key (AWS Control Tower CT.CLOUDWATCH.PR.3, CT.DYNAMODB.PR.2, CT.KMS.PR.1, CT.KMS.PR.3)', () => {
  const key = template.Resources.DataKey;
  const statements: Json[] = key.Properties.KeyPolicy.Statement;
  const bySid = (sid: string): Json => statements.find((s) => s.Sid === sid);
  const dataKey = { 'Fn::If': ['CreateDataKey', { 'Fn::GetAtt': ['DataKey', 'Arn'] }, { Ref: 'DataKeyArn' }] };

  it('is created only when DataKeyArn is empty, rotated and retained', () => {
    expect(key.Type).toBe('AWS::KMS::Key');
    expect(key.Condition).toBe('CreateDataKey');
    expect(template.Conditions.CreateDataKey).toEqual({ 'Fn::Equals': [{ Ref: 'DataKeyArn' }, ''] });
    expect(template.Parameters.DataKeyArn.Default).toBe('');
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.DeletionPolicy).toBe('Retain');
    expect(key.UpdateReplacePolicy).toBe('Retain');
  });

  it('encrypts both functions\' log groups and the ledger table', () => {
    const logGroups = Object.values(template.Resources as Record<string, Json>).filter((r) => r.Type === 'AWS::Logs::LogGroup');
    expect(logGroups).toHaveLength(2);
    for (const logGroup of logGroups) expect(logGroup.Properties.KmsKeyId).toEqual(dataKey);
    expect(resourceOfType(template, 'AWS::DynamoDB::Table')[1].Properties.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: dataKey });
  });

  it('has exactly the root, CloudWatch Logs, DynamoDB and grant-guard statements, and CloudWatch alarms\' with an alarm topic', () => {
    const sids = (parameters: Record<string, string>) => (resolveIntrinsics(template, key.Properties.KeyPolicy, parameters).Statement as Json[]).map((s) => s.Sid);
    const always = ['EnableIamPolicies', 'AllowCloudWatchLogs', 'AllowDynamoDBForThisAccount', 'AllowDynamoDBToDescribeTheKey', 'DenyGrantsExceptForAwsResources'];
    expect(sids({})).toEqual([...always, 'AllowCloudWatchAlarmsToAlarmTopic']);
    expect(sids({ AlarmTopicArn: `arn:aws:sns:us-east-1:${OWNER}:on-call` })).toEqual(always);
    expect(bySid('EnableIamPolicies')).toMatchObject({ Effect: 'Allow', Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } }, Action: 'kms:*' });
  });

  it('lets CloudWatch Logs of this region use it for the two functions\' log groups only', () => {
    const s = bySid('AllowCloudWatchLogs');
    expect(s.Principal).toEqual({ Service: { 'Fn::Sub': 'logs.${AWS::Region}.${AWS::URLSuffix}' } });
    const groupArn = (name: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${name}` });
    expect(s.Condition).toEqual({ ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': [groupArn('/aws/lambda/${AWS::StackName}-enrollment'), groupArn('/aws/lambda/${AWS::StackName}-delivery-check')] } });
    expect(resourceNamed(template, 'EnrollmentLogGroup', 'AWS::Logs::LogGroup')[1].Properties.LogGroupName).toEqual({ 'Fn::Sub': '/aws/lambda/${AWS::StackName}-enrollment' });
    expect(resourceNamed(template, 'DeliveryCheckLogGroup', 'AWS::Logs::LogGroup')[1].Properties.LogGroupName).toEqual({ 'Fn::Sub': '/aws/lambda/${AWS::StackName}-delivery-check' });
  });

  it('lets this account\'s principals use it only through DynamoDB in this region', () => {
    const s = bySid('AllowDynamoDBForThisAccount');
    expect(s.Principal).toEqual({ AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } });
    expect(s.Condition).toEqual({ StringEquals: { 'kms:ViaService': { 'Fn::Sub': 'dynamodb.${AWS::Region}.${AWS::URLSuffix}' }, 'kms:CallerAccount': { Ref: 'AWS::AccountId' } } });
    expect(asList(bySid('AllowDynamoDBToDescribeTheKey').Action).sort()).toEqual(['kms:Describe*', 'kms:Get*', 'kms:List*']);
  });

  it('denies grants that are not for an AWS resource or service', () => {
    expect(bySid('DenyGrantsExceptForAwsResources')).toEqual({
      Sid: 'DenyGrantsExceptForAwsResources', Effect: 'Deny', Principal: { AWS: '*' }, Action: ['kms:CreateGrant'], Resource: ['*'],
      Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
    });
  });
});

describe('template.yaml VPC placement (optional)', () => {
  const [, fn] = resourceNamed(template, 'EnrollmentFunction', 'AWS::Serverless::Function');

  it('sets VpcConfig only when SubnetIds is given', () => {
    expect(template.Parameters.SubnetIds).toMatchObject({ Type: 'CommaDelimitedList', Default: '' });
    expect(template.Parameters.SecurityGroupIds).toMatchObject({ Type: 'CommaDelimitedList', Default: '' });
    expect(template.Conditions.InVpc).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ 'Fn::Join': ['', { Ref: 'SubnetIds' }] }, ''] }] });
    expect(fn.Properties.VpcConfig).toEqual({ 'Fn::If': ['InVpc', { SubnetIds: { Ref: 'SubnetIds' }, SecurityGroupIds: { Ref: 'SecurityGroupIds' } }, { Ref: 'AWS::NoValue' }] });
  });
});

describe('template.yaml execution role (least privilege)', () => {
  const [roleId, role] = resourceNamed(template, 'EnrollmentRole', 'AWS::IAM::Role');
  const [logGroupId] = resourceNamed(template, 'EnrollmentLogGroup', 'AWS::Logs::LogGroup');
  const [tableId] = resourceOfType(template, 'AWS::DynamoDB::Table');
  const [, fn] = resourceNamed(template, 'EnrollmentFunction', 'AWS::Serverless::Function');
  const [queueId] = resourceOfType(template, 'AWS::SQS::Queue');
  const statements: Json[] = role.Properties.Policies.flatMap((p: Json) => p.PolicyDocument.Statement);
  const plain = statements.filter((s) => !('Fn::If' in s));
  const conditional = statements.filter((s) => 'Fn::If' in s);

  const bucketArn = { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${TrailBucketName}' };
  const dataKey = { 'Fn::If': ['CreateDataKey', { 'Fn::GetAtt': ['DataKey', 'Arn'] }, { Ref: 'DataKeyArn' }] };
  // Each grant: one service, its actions, its one resource; the data key only through DynamoDB in this region.
  const allowed: Array<{ service: string; actions: string[]; resource: unknown; condition?: unknown }> = [
    { service: 's3', actions: ['s3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:GetBucketLocation'], resource: bucketArn },
    { service: 'kms', actions: ['kms:GetKeyPolicy', 'kms:PutKeyPolicy'], resource: { Ref: 'TrailKeyArn' } },
    { service: 'kms', actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], resource: dataKey, condition: { StringEquals: { 'kms:ViaService': { 'Fn::Sub': 'dynamodb.${AWS::Region}.${AWS::URLSuffix}' } } } },
    { service: 'logs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resource: { 'Fn::GetAtt': [logGroupId, 'Arn'] } },
    { service: 'dynamodb', actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'], resource: { 'Fn::GetAtt': [tableId, 'Arn'] } },
    // The on-failure destination: Lambda sends the invocation record with the function's role, through SQS's use of the data key.
    { service: 'sqs', actions: ['sqs:SendMessage'], resource: { 'Fn::GetAtt': [queueId, 'Arn'] } },
    { service: 'kms', actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resource: dataKey, condition: { StringEquals: { 'kms:ViaService': { 'Fn::Sub': 'sqs.${AWS::Region}.${AWS::URLSuffix}' } } } },
  ];

  it('is the function role and has no managed policies', () => {
    expect(fn.Properties.Role).toEqual({ 'Fn::GetAtt': [roleId, 'Arn'] });
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }]);
  });

  it('grants only Allow statements with no wildcard actions and no "*" resource', () => {
    for (const s of plain) {
      expect(s.Effect).toBe('Allow');
      expect(s.NotAction).toBeUndefined();
      expect(s.NotResource).toBeUndefined();
      for (const action of asList(s.Action)) expect(String(action)).not.toContain('*');
      for (const resource of asList(s.Resource)) expect(resource).not.toBe('*');
    }
  });

  it('limits each service to its actions on its one resource', () => {
    const shape = (s: Json) => ({ actions: asList(s.Action).map(String).sort(), resource: asList(s.Resource), condition: s.Condition });
    const expected = allowed.map((g) => ({ actions: [...g.actions].sort(), resource: [g.resource], condition: g.condition }));
    for (const s of plain) {
      const services = new Set(asList(s.Action).map((a) => String(a).split(':')[0]!));
      expect(services.size).toBe(1);
    }
    expect(plain.map(shape)).toEqual(expect.arrayContaining(expected));
    expect(plain).toHaveLength(expected.length);
  });

  const whenTrue = (condition: string): Json[] =>
    conditional.filter((s) => s['Fn::If'][0] === condition).map((s) => {
      expect(s['Fn::If'][2]).toEqual({ Ref: 'AWS::NoValue' });
      return s['Fn::If'][1];
    });

  it('grants organizations:DescribeAccount only under HasOrganizationId', () => {
    expect(JSON.stringify(plain)).not.toContain('organizations:');
    const [whenSet, ...more] = whenTrue('HasOrganizationId');
    expect(more).toEqual([]);
    expect(whenSet.Effect).toBe('Allow');
    expect(asList(whenSet.Action)).toEqual(['organizations:DescribeAccount']);
    expect(whenSet.Resource).not.toBe('*');
  });

  it('grants the network interface actions of VPC placement only under InVpc, "*" only for the two Describe actions', () => {
    expect(JSON.stringify(plain)).not.toContain('ec2:');
    expect(conditional.map((s) => s['Fn::If'][0]).sort()).toEqual(['HasOrganizationId', 'InVpc', 'InVpc']);
    const statements = whenTrue('InVpc');
    const describe = statements.filter((s) => s.Resource === '*');
    expect(describe).toHaveLength(1);
    expect(asList(describe[0].Action).sort()).toEqual(['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets']);
    const [scoped] = statements.filter((s) => s.Resource !== '*');
    expect(asList(scoped.Action).sort()).toEqual(['ec2:AssignPrivateIpAddresses', 'ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:UnassignPrivateIpAddresses']);
    expect(scoped.Resource).toEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:network-interface/*' },
      { 'Fn::Sub': 'arn:${AWS::Partition}:ec2:${AWS::Region}:*:subnet/*' },
      { 'Fn::Sub': 'arn:${AWS::Partition}:ec2:${AWS::Region}:*:security-group/*' },
    ]);
    for (const s of statements) expect(s.Effect).toBe('Allow');
  });

  it('never hard-codes a partition', () => {
    expect(JSON.stringify(role)).not.toMatch(/arn:aws(-cn|-us-gov)?:/);
  });
});

describe('template.yaml delivery check function (R35)', () => {
  const [, enrollmentFn] = resourceNamed(template, 'EnrollmentFunction', 'AWS::Serverless::Function');
  const [checkId, fn] = resourceNamed(template, 'DeliveryCheckFunction', 'AWS::Serverless::Function');

  it('runs the same bundle as the enrollment function, with its own read-only role', () => {
    expect(fn.Metadata).toEqual(enrollmentFn.Metadata);
    expect(fn.Properties.CodeUri).toBe(enrollmentFn.Properties.CodeUri);
    expect(fn.Properties.Handler).toBe('handler.handler');
    expect(fn.Properties.Runtime).toBe(enrollmentFn.Properties.Runtime);
    expect(fn.Properties.Role).toEqual({ 'Fn::GetAtt': ['DeliveryCheckRole', 'Arn'] });
    expect(fn.Properties.Policies).toBeUndefined();
    expect(fn.Properties.VpcConfig).toEqual(enrollmentFn.Properties.VpcConfig);
  });

  it('is invoked by its own schedule only, with the constant input {"check": "delivery"}, hourly by default', () => {
    const events = Object.values(fn.Properties.Events as Record<string, Json>);
    expect(events).toHaveLength(1);
    expect(events[0].Type).toBe('Schedule');
    expect(events[0].Properties.Schedule).toEqual({ Ref: 'DeliveryCheckSchedule' });
    expect(JSON.parse(events[0].Properties.Input)).toEqual({ check: 'delivery' });
    expect(template.Parameters.DeliveryCheckSchedule.Default).toBe('rate(1 hour)');
    const invokers = Object.values(template.Resources as Record<string, Json>).filter((r) => JSON.stringify(r.Properties ?? {}).includes(`"${checkId}"`));
    expect(invokers).toEqual([]);
  });

  it('logs in JSON to its own encrypted log group, kept as long as the enrollment function\'s', () => {
    expect(fn.Properties.LoggingConfig).toEqual({ LogFormat: 'JSON', LogGroup: { Ref: 'DeliveryCheckLogGroup' } });
    const [, logGroup] = resourceNamed(template, 'DeliveryCheckLogGroup', 'AWS::Logs::LogGroup');
    expect(logGroup.Properties.RetentionInDays).toEqual({ Ref: 'LogRetentionDays' });
    expect(logGroup.Properties.KmsKeyId).toEqual({ 'Fn::If': ['CreateDataKey', { 'Fn::GetAtt': ['DataKey', 'Arn'] }, { Ref: 'DataKeyArn' }] });
  });

  it('reads the pinned targets, the ledger and its threshold; both functions name the stack as their metrics deployment', () => {
    const vars = fn.Properties.Environment.Variables;
    expect(vars).toMatchObject({
      TRAIL_BUCKET_NAME: { Ref: 'TrailBucketName' },
      TRAIL_KEY_ARN: { Ref: 'TrailKeyArn' },
      TRAIL_LOG_FILE_PREFIX: { Ref: 'TrailLogFilePrefix' },
      LEDGER_TABLE_NAME: { Ref: 'LedgerTable' },
      DELIVERY_SILENT_AFTER_HOURS: { Ref: 'DeliverySilentAfterHours' },
      METRICS_DEPLOYMENT: { Ref: 'AWS::StackName' },
    });
    expect(template.Parameters.DeliverySilentAfterHours).toMatchObject({ Type: 'Number', Default: 3, MinValue: 1, MaxValue: 24 });
    expect(enrollmentFn.Properties.Environment.Variables.METRICS_DEPLOYMENT).toEqual({ Ref: 'AWS::StackName' });
  });
});

describe('template.yaml: the two roles keep their jobs apart (R35), simulated', () => {
  const BUCKET = 'my-trail-bucket';
  const KEY = `arn:aws:kms:us-east-1:${OWNER}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
  const TABLE = `arn:aws:dynamodb:us-east-1:${OWNER}:table/LedgerTable`;
  const DIGESTS = 'AWSLogs/222222222222/CloudTrail-Digest/us-east-1/';
  const LOG_OBJECT = `arn:aws:s3:::${BUCKET}/AWSLogs/222222222222/CloudTrail/us-east-1/2025/01/02/222222222222_CloudTrail_us-east-1_20250102T0305Z_abcdefghijklmnop.json.gz`;
  const roleStatements = (id: string, parameters: Record<string, string>): Json[] => {
    const [, role] = resourceNamed(template, id, 'AWS::IAM::Role');
    return resolveIntrinsics(template, role.Properties.Policies, { TrailBucketName: BUCKET, TrailKeyArn: KEY, ...parameters }).flatMap((p: Json) => p.PolicyDocument.Statement);
  };
  const actionsOf = (statements: Json[]): string[] => statements.flatMap((s) => asList(s.Action).map(String));

  /**
   * The role's own policies decide (both keys' policies leave KMS decisions to IAM through their account-root
   * statement): the identity statements, evaluated as if they named the role as their principal.
   */
  function decide(roleId: string, action: string, resource: string, parameters: Record<string, string> = {}, context: Record<string, string> = {}): Promise<string> {
    const role = `arn:aws:iam::${OWNER}:role/${roleId}`;
    const statements = roleStatements(roleId, parameters).map((statement) => ({ ...statement, Principal: { AWS: role } }));
    const { decision } = evaluate({ Version: '2012-10-17', Statement: statements }, { caller: { kind: 'aws', arn: role }, action, resource, context });
    return Promise.resolve(decision);
  }

  it('the enrollment role can neither list nor read log objects', async () => {
    expect(actionsOf(roleStatements('EnrollmentRole', { OrganizationId: 'o-a1b2c3d4e5', SubnetIds: 'subnet-0123456789abcdef0' })).filter((a) => /^s3:(GetObject|ListBucket)$|\*/.test(a))).toEqual([]);
    expect(await decide('EnrollmentRole', 's3:ListBucket', `arn:aws:s3:::${BUCKET}`, {}, { 's3:prefix': DIGESTS })).not.toBe('allowed');
    expect(await decide('EnrollmentRole', 's3:GetObject', LOG_OBJECT)).not.toBe('allowed');
  });

  it('the check role writes no policy, no ledger item and no log object, and cannot decrypt the logs', async () => {
    const writes: Array<[string, string]> = [
      ['s3:PutBucketPolicy', `arn:aws:s3:::${BUCKET}`],
      ['s3:DeleteBucketPolicy', `arn:aws:s3:::${BUCKET}`],
      ['kms:PutKeyPolicy', KEY],
      ['dynamodb:PutItem', TABLE],
      ['dynamodb:UpdateItem', TABLE],
      ['dynamodb:DeleteItem', TABLE],
      ['s3:PutObject', LOG_OBJECT],
      ['s3:DeleteObject', LOG_OBJECT],
      ['kms:Decrypt', KEY],
    ];
    for (const [action, resource] of writes) expect({ action, result: await decide('DeliveryCheckRole', action, resource) }).toEqual({ action, result: 'implicitly-denied' });
    const actions = actionsOf(roleStatements('DeliveryCheckRole', { SubnetIds: 'subnet-0123456789abcdef0' }));
    const readOnly = ['s3:GetBucketPolicy', 's3:GetBucketLocation', 'kms:GetKeyPolicy', 's3:ListBucket', 's3:GetObject', 'dynamodb:Query', 'kms:Decrypt', 'logs:CreateLogStream', 'logs:PutLogEvents'];
    expect(actions.filter((a) => !readOnly.includes(a) && !a.startsWith('ec2:'))).toEqual([]);
  });

  it('the check role lists and heads AWSLogs objects only, with and without the pinned prefix', async () => {
    expect(await decide('DeliveryCheckRole', 's3:ListBucket', `arn:aws:s3:::${BUCKET}`, {}, { 's3:prefix': DIGESTS })).toBe('allowed');
    expect(await decide('DeliveryCheckRole', 's3:ListBucket', `arn:aws:s3:::${BUCKET}`, {}, { 's3:prefix': 'exports/' })).not.toBe('allowed');
    expect(await decide('DeliveryCheckRole', 's3:GetObject', LOG_OBJECT)).toBe('allowed');
    expect(await decide('DeliveryCheckRole', 's3:GetObject', `arn:aws:s3:::${BUCKET}/exports/report.csv`)).not.toBe('allowed');
    const withPrefix = { TrailLogFilePrefix: 'org/logs' };
    expect(await decide('DeliveryCheckRole', 's3:ListBucket', `arn:aws:s3:::${BUCKET}`, withPrefix, { 's3:prefix': `org/logs/${DIGESTS}` })).toBe('allowed');
    expect(await decide('DeliveryCheckRole', 's3:ListBucket', `arn:aws:s3:::${BUCKET}`, withPrefix, { 's3:prefix': DIGESTS })).toBe('allowed');
    expect(await decide('DeliveryCheckRole', 's3:GetObject', LOG_OBJECT.replace(`${BUCKET}/`, `${BUCKET}/org/logs/`), withPrefix)).toBe('allowed');
    expect(await decide('DeliveryCheckRole', 's3:ListBucket', `arn:aws:s3:::${BUCKET}`, withPrefix, { 's3:prefix': 'org/other/' })).not.toBe('allowed');
  });

  it('the check role reads the ledger with Query only, through DynamoDB\'s use of the data key', async () => {
    expect(await decide('DeliveryCheckRole', 'dynamodb:Query', TABLE)).toBe('allowed');
    const dataKey = `arn:aws:kms:us-east-1:${OWNER}:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`;
    expect(await decide('DeliveryCheckRole', 'kms:Decrypt', dataKey, {}, { 'kms:ViaService': 'dynamodb.us-east-1.amazonaws.com' })).toBe('allowed');
    expect(await decide('DeliveryCheckRole', 'kms:Decrypt', dataKey)).not.toBe('allowed');
  });
});

describe('stacksets/member-account.yaml', () => {
  const [enrollmentId, enrollment] = resourceOfType(member, 'Custom::CloudTrailEnrollment');
  const [, trail] = resourceOfType(member, 'AWS::CloudTrail::Trail');

  it('enrolls its own account through the ServiceToken', () => {
    expect(enrollment.Properties.ServiceToken).toEqual({ Ref: 'ServiceToken' });
    expect(enrollment.Properties.AccountId).toEqual({ Ref: 'AWS::AccountId' });
  });

  it('gives up on a lost request after the owner function\'s last chance to answer, not after an hour', () => {
    const [, fn] = resourceNamed(template, 'EnrollmentFunction', 'AWS::Serverless::Function');
    const timeout = enrollment.Properties.ServiceTimeout;
    expect(Number.isInteger(timeout)).toBe(true);
    expect(timeout).toBeLessThanOrEqual(900);
    // Lambda starts no attempt on an event older than MaximumEventAgeInSeconds, and an attempt answers within the
    // function timeout; the rest is room for SNS's delivery to Lambda.
    expect(timeout).toBeGreaterThanOrEqual(fn.Properties.EventInvokeConfig.MaximumEventAgeInSeconds + fn.Properties.Timeout + 60);
  });

  it('names the enrollment differently from 1.x (Enrollment), so an update from 1.x replaces it instead of changing its ServiceToken', () => {
    expect(enrollmentId).toBe('AccountEnrollment');
    expect(member.Resources.Enrollment).toBeUndefined();
  });

  it('creates a multi-region, log-file-validated, KMS-encrypted trail after the enrollment', () => {
    expect(asList(trail.DependsOn)).toContain(enrollmentId);
    expect(trail.Properties).toMatchObject({
      IsLogging: true,
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
      S3BucketName: { 'Fn::GetAtt': [enrollmentId, 'BucketName'] },
      KMSKeyId: { 'Fn::GetAtt': [enrollmentId, 'KeyArn'] },
    });
  });

  it('takes an SNS topic ARN as ServiceToken, not a function ARN (R32)', () => {
    const pattern = new RegExp(member.Parameters.ServiceToken.AllowedPattern);
    expect(pattern.test('arn:aws:sns:us-east-1:111111111111:cloudtrail-enrollment-EnrollmentTopic-AbCdEfGh1234')).toBe(true);
    expect(pattern.test('arn:aws-cn:sns:cn-north-1:111111111111:enrollment')).toBe(true);
    expect(pattern.test('arn:aws:lambda:us-east-1:111111111111:function:cloudtrail-enrollment')).toBe(false);
  });

  describe('CloudWatch Logs delivery (AWS Control Tower CT.CLOUDTRAIL.PR.3)', () => {
    const logGroup = member.Resources.TrailLogGroup;
    const role = member.Resources.TrailLogsRole;
    const key = member.Resources.TrailLogGroupKey;

    it('is on by default and switchable off', () => {
      expect(member.Parameters.SendToCloudWatchLogs).toMatchObject({ Default: 'true', AllowedValues: ['true', 'false'] });
      expect(member.Conditions.SendToLogs).toEqual({ 'Fn::Equals': [{ Ref: 'SendToCloudWatchLogs' }, 'true'] });
      for (const resource of [logGroup, role]) expect(resource.Condition).toBe('SendToLogs');
      expect(trail.Properties.CloudWatchLogsLogGroupArn).toEqual({ 'Fn::If': ['SendToLogs', { 'Fn::GetAtt': ['TrailLogGroup', 'Arn'] }, { Ref: 'AWS::NoValue' }] });
      expect(trail.Properties.CloudWatchLogsRoleArn).toEqual({ 'Fn::If': ['SendToLogs', { 'Fn::GetAtt': ['TrailLogsRole', 'Arn'] }, { Ref: 'AWS::NoValue' }] });
    });

    it('keeps the events at least a year, 365 days by default', () => {
      expect(logGroup.Properties.RetentionInDays).toEqual({ Ref: 'TrailLogRetentionDays' });
      const retention = member.Parameters.TrailLogRetentionDays;
      expect(retention.Default).toBe(365);
      expect(Math.min(...retention.AllowedValues.map(Number))).toBe(365);
    });

    it('encrypts the log group with a created, rotated key unless TrailLogGroupKeyArn names one', () => {
      expect(member.Parameters.TrailLogGroupKeyArn.Default).toBe('');
      expect(logGroup.Properties.KmsKeyId).toEqual({ 'Fn::If': ['HasLogGroupKeyArn', { Ref: 'TrailLogGroupKeyArn' }, { 'Fn::GetAtt': ['TrailLogGroupKey', 'Arn'] }] });
      expect(key.Condition).toBe('CreateLogGroupKey');
      expect(key.Properties.EnableKeyRotation).toBe(true);
      const statements: Json[] = key.Properties.KeyPolicy.Statement;
      expect(statements.map((s) => s.Sid)).toEqual(['EnableIamPolicies', 'AllowCloudWatchLogs', 'DenyGrantsExceptForAwsResources']);
      expect(statements[1].Principal).toEqual({ Service: { 'Fn::Sub': 'logs.${AWS::Region}.${AWS::URLSuffix}' } });
      expect(statements[1].Condition).toEqual({ ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': { 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/cloudtrail/${TrailName}' } } });
      expect(logGroup.Properties.LogGroupName).toEqual({ 'Fn::Sub': '/aws/cloudtrail/${TrailName}' });
      expect(statements[2]).toMatchObject({ Effect: 'Deny', Action: ['kms:CreateGrant'] });
    });

    it('gives CloudTrail a role that only creates and writes the trail\'s streams in that log group', () => {
      expect(role.Type).toBe('AWS::IAM::Role');
      expect(role.Properties.RoleName).toBeUndefined();
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{ Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 'sts:AssumeRole' }]);
      const statements: Json[] = role.Properties.Policies.flatMap((p: Json) => p.PolicyDocument.Statement);
      expect(statements).toEqual([{
        Sid: 'TrailLogStreams', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${TrailLogGroup}:log-stream:${AWS::AccountId}_CloudTrail_*' },
      }]);
    });
  });

  it('outputs the trail ARN and the enrolled account', () => {
    expect(Object.keys(member.Outputs).sort()).toEqual(expect.arrayContaining(['EnrolledAccountId', 'TrailArn']));
  });
});

describe('events/', () => {
  const dir = join(root, 'events');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'env.json');

  function expectRequest(request: Json, file: string): void {
    expect({ file, type: request.RequestType }).toEqual({ file, type: expect.stringMatching(/^(Create|Update|Delete)$/) });
    const url = new URL(request.ResponseURL);
    expect(url.hostname).toBe('127.0.0.1');
    expect(request.StackId).toMatch(/^arn:aws:cloudformation:[a-z0-9-]+:\d{12}:stack\/[A-Za-z][A-Za-z0-9-]*\/[0-9a-f-]{36}$/);
    for (const field of ['ServiceToken', 'RequestId', 'LogicalResourceId', 'ResourceType']) expect(typeof request[field]).toBe('string');
    expect(typeof request.ResourceProperties.ServiceToken).toBe('string');
    if (request.RequestType !== 'Create') expect(typeof request.PhysicalResourceId).toBe('string');
    if (request.RequestType === 'Update') expect(typeof request.OldResourceProperties).toBe('object');
  }

  it('has the expected sample requests', () => {
    expect(files.sort()).toEqual(expect.arrayContaining(['create-sns.json', 'create.json', 'delete.json', 'update-move.json', 'update-same.json']));
  });

  it.each(files)('%s is a well-formed request or SNS wrapper of one', (file) => {
    const event = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    if (Array.isArray(event.Records)) {
      expect(event.Records.length).toBeGreaterThan(0);
      for (const record of event.Records) {
        expect(record.EventSource).toBe('aws:sns');
        expectRequest(JSON.parse(record.Sns.Message), file);
      }
    } else {
      expectRequest(event, file);
    }
  });

  it('env.json sets only variables the function declares (sam local ignores others)', () => {
    const env = JSON.parse(readFileSync(join(dir, 'env.json'), 'utf8'));
    const [functionId, fn] = resourceNamed(template, 'EnrollmentFunction', 'AWS::Serverless::Function');
    expect(Object.keys(env)).toEqual([functionId]);
    const declared = Object.keys(fn.Properties.Environment.Variables);
    for (const name of Object.keys(env[functionId])) expect(declared).toContain(name);
    expect(env[functionId].RESPONSE_URL_EXTRA_HOSTS).toBe('127.0.0.1');
  });
});
