// Structural checks of the deployment templates and sample events (SPEC R22, R23).
// Templates are parsed with cfn-lint's own YAML loader (handles !Ref, !GetAtt, ...), so no YAML dependency.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..', '..');
const TEMPLATE = 'template.yaml';
const MEMBER = 'stacksets/member-account.yaml';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const DECODE = [
  'import json, sys',
  'from cfnlint.decode import decode',
  't, m = decode(sys.argv[1])',
  'if m: raise ValueError("; ".join(str(x) for x in m))',
  'print(json.dumps(t, default=str))',
].join('\n');

function loadTemplate(path: string): Json {
  return JSON.parse(execFileSync('python3', ['-c', DECODE, path], { cwd: root, encoding: 'utf8' }));
}

const template = loadTemplate(TEMPLATE);
const member = loadTemplate(MEMBER);

function resourceOfType(t: Json, type: string): [string, Json] {
  const found = Object.entries(t.Resources as Record<string, Json>).filter(([, r]) => r.Type === type);
  expect(found).toHaveLength(1);
  return found[0]!;
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
  const [functionId, fn] = resourceOfType(template, 'AWS::Serverless::Function');

  it('reserves no concurrency (R22: the ledger serialises) and uses a supported Node.js runtime', () => {
    expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
    const runtime = /^nodejs(\d+)\.x$/.exec(fn.Properties.Runtime);
    expect(runtime).not.toBeNull();
    expect(Number(runtime![1])).toBeGreaterThanOrEqual(22);
  });

  it('is built with esbuild from src/handler.ts', () => {
    expect(fn.Metadata.BuildMethod).toBe('esbuild');
    expect(fn.Metadata.BuildProperties.EntryPoints).toEqual(['src/handler.ts']);
    expect(fn.Properties.Handler).toBe('handler.handler');
    expect(fn.Properties.Architectures).toEqual(['arm64']);
    expect(fn.Properties.Policies).toBeUndefined();
  });

  it('declares every setting of R2, pinned from the parameters', () => {
    const vars = fn.Properties.Environment.Variables;
    for (const name of ['TRAIL_BUCKET_NAME', 'TRAIL_KEY_ARN', 'TRAIL_LOG_FILE_PREFIX', 'PROTECTED_ACCOUNT_IDS', 'ADMIN_ACCOUNT_IDS', 'BUCKET_POLICY_SID', 'KEY_POLICY_SID', 'ORGANIZATION_ID', 'LEDGER_TABLE_NAME', 'S3_FORCE_PATH_STYLE', 'RESPONSE_URL_EXTRA_HOSTS']) {
      expect(vars).toHaveProperty([name]);
    }
    expect(vars.TRAIL_BUCKET_NAME).toEqual({ Ref: 'TrailBucketName' });
    expect(vars.TRAIL_KEY_ARN).toEqual({ Ref: 'TrailKeyArn' });
    expect(vars.ORGANIZATION_ID).toEqual({ Ref: 'OrganizationId' });
    expect(vars.LEDGER_TABLE_NAME).toEqual({ Ref: resourceOfType(template, 'AWS::DynamoDB::Table')[0] });
    // Test-only settings stay empty (unset) in a deployment.
    expect(vars.S3_FORCE_PATH_STYLE).toBe('');
    expect(vars.RESPONSE_URL_EXTRA_HOSTS).toBe('');
  });

  it('lets the organization invoke it only when OrganizationId is set', () => {
    const [, permission] = resourceOfType(template, 'AWS::Lambda::Permission');
    expect(permission.Condition).toBe('HasOrganizationId');
    expect(permission.Properties).toMatchObject({ Action: 'lambda:InvokeFunction', Principal: '*', PrincipalOrgID: { Ref: 'OrganizationId' }, FunctionName: { 'Fn::GetAtt': [functionId, 'Arn'] } });
  });

  it('runs reconcile on an EventBridge schedule, hourly unless the parameter says otherwise (R31)', () => {
    const events = Object.values(fn.Properties.Events as Record<string, Json>);
    expect(events).toHaveLength(1);
    expect(events[0].Type).toBe('Schedule');
    expect(events[0].Properties.Schedule).toEqual({ Ref: 'ReconcileSchedule' });
    expect(template.Parameters.ReconcileSchedule.Default).toBe('rate(1 hour)');
  });

  it('outputs the ServiceToken (function ARN), exported', () => {
    expect(template.Outputs.ServiceToken.Value).toEqual({ 'Fn::GetAtt': [functionId, 'Arn'] });
    expect(template.Outputs.ServiceToken.Export.Name).toEqual({ 'Fn::Sub': '${AWS::StackName}-ServiceToken' });
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

describe('template.yaml execution role (least privilege)', () => {
  const [roleId, role] = resourceOfType(template, 'AWS::IAM::Role');
  const [logGroupId] = resourceOfType(template, 'AWS::Logs::LogGroup');
  const [tableId] = resourceOfType(template, 'AWS::DynamoDB::Table');
  const [, fn] = resourceOfType(template, 'AWS::Serverless::Function');
  const statements: Json[] = role.Properties.Policies.flatMap((p: Json) => p.PolicyDocument.Statement);
  const plain = statements.filter((s) => !('Fn::If' in s));
  const conditional = statements.filter((s) => 'Fn::If' in s);

  const bucketArn = { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${TrailBucketName}' };
  const allowed: Record<string, { actions: string[]; resource: unknown }> = {
    s3: { actions: ['s3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:GetBucketLocation'], resource: bucketArn },
    kms: { actions: ['kms:GetKeyPolicy', 'kms:PutKeyPolicy'], resource: { Ref: 'TrailKeyArn' } },
    logs: { actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resource: { 'Fn::GetAtt': [logGroupId, 'Arn'] } },
    dynamodb: { actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'], resource: { 'Fn::GetAtt': [tableId, 'Arn'] } },
  };

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
    const granted = new Map<string, Set<string>>();
    for (const s of plain) {
      const services = new Set(asList(s.Action).map((a) => String(a).split(':')[0]!));
      expect(services.size).toBe(1);
      const service = [...services][0]!;
      const rule = allowed[service];
      expect(rule).toBeDefined();
      expect(asList(s.Resource)).toEqual([rule!.resource]);
      for (const action of asList(s.Action)) {
        expect(rule!.actions).toContain(action);
        granted.set(service, (granted.get(service) ?? new Set()).add(String(action)));
      }
    }
    for (const [service, rule] of Object.entries(allowed)) expect([...(granted.get(service) ?? [])].sort()).toEqual([...rule.actions].sort());
  });

  it('grants organizations:DescribeAccount only under HasOrganizationId', () => {
    expect(JSON.stringify(plain)).not.toContain('organizations:');
    expect(conditional).toHaveLength(1);
    const [condition, whenSet, otherwise] = conditional[0]['Fn::If'];
    expect(condition).toBe('HasOrganizationId');
    expect(otherwise).toEqual({ Ref: 'AWS::NoValue' });
    expect(whenSet.Effect).toBe('Allow');
    expect(asList(whenSet.Action)).toEqual(['organizations:DescribeAccount']);
    expect(whenSet.Resource).not.toBe('*');
  });

  it('never hard-codes a partition', () => {
    expect(JSON.stringify(role)).not.toMatch(/arn:aws(-cn|-us-gov)?:/);
  });
});

describe('stacksets/member-account.yaml', () => {
  const [enrollmentId, enrollment] = resourceOfType(member, 'Custom::CloudTrailEnrollment');
  const [, trail] = resourceOfType(member, 'AWS::CloudTrail::Trail');

  it('enrolls its own account through the ServiceToken', () => {
    expect(enrollmentId).toBe('Enrollment');
    expect(enrollment.Properties.ServiceToken).toEqual({ Ref: 'ServiceToken' });
    expect(enrollment.Properties.AccountId).toEqual({ Ref: 'AWS::AccountId' });
  });

  it('creates a multi-region, log-file-validated, KMS-encrypted trail after the enrollment', () => {
    expect(asList(trail.DependsOn)).toContain('Enrollment');
    expect(trail.Properties).toMatchObject({
      IsLogging: true,
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
      S3BucketName: { 'Fn::GetAtt': ['Enrollment', 'BucketName'] },
      KMSKeyId: { 'Fn::GetAtt': ['Enrollment', 'KeyArn'] },
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
    const [functionId, fn] = resourceOfType(template, 'AWS::Serverless::Function');
    expect(Object.keys(env)).toEqual([functionId]);
    const declared = Object.keys(fn.Properties.Environment.Variables);
    for (const name of Object.keys(env[functionId])) expect(declared).toContain(name);
    expect(env[functionId].RESPONSE_URL_EXTRA_HOSTS).toBe('127.0.0.1');
  });
});
