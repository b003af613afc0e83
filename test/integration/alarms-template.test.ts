// template.yaml's alarms, alarm topic and dashboard (SPEC R36), as CloudFormation would deploy them. Which metrics
// they name is metrics-tie.test.ts's job; this file checks what they do with them.
import { BUCKET_POLICY_LIMIT_BYTES, KEY_POLICY_LIMIT_BYTES } from '../../src/core/size-limits';
import { loadTemplate, OWNER, resolveIntrinsics } from '../support/cfn-template';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const template = loadTemplate('template.yaml');
const resources = template.Resources as Record<string, Json>;
const alarms = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm');
const ON_CALL = `arn:aws:sns:us-east-1:${OWNER}:on-call`;
const TOPIC = { 'Fn::If': ['CreateAlarmTopic', { Ref: 'AlarmTopic' }, { Ref: 'AlarmTopicArn' }] };

/** The parts of an alarm that decide when it fires, as deployed with these parameters. */
function deployed(id: string, parameters: Record<string, string> = {}): Json {
  const { Statistic, Period, EvaluationPeriods, DatapointsToAlarm, Threshold, ComparisonOperator, TreatMissingData } = resolveIntrinsics(template, resources[id].Properties, parameters);
  return { Statistic, Period, EvaluationPeriods, DatapointsToAlarm, Threshold: Number(Threshold), ComparisonOperator, TreatMissingData };
}

const SECONDS: Record<string, number> = { minute: 60, minutes: 60, hour: 3600, hours: 3600, day: 86_400, days: 86_400 };
function periodOf(rate: string): number {
  const [, count, unit] = /^rate\((\d+) (\w+)\)$/.exec(rate)!;
  return Number(count) * SECONDS[unit!]!;
}

describe('alarms', () => {
  it('are the seven R36 asks for and one for a delivery check that cannot run, each named after the stack so the topic policy admits it', () => {
    expect(alarms.map(([id]) => id)).toEqual(['RequestsFailedAlarm', 'ReconcileFailedAlarm', 'ReconcileMissingAlarm', 'CapacityAlarm', 'SilentAccountsAlarm', 'UnencryptedDeliveriesAlarm', 'DeliveryCheckFailedAlarm', 'DriftRepairedAlarm']);
    for (const [, alarm] of alarms) {
      expect(alarm.Properties.AlarmName['Fn::Sub']).toMatch(/^\$\{AWS::StackName\}-[a-z-]+$/);
      expect(alarm.Properties.AlarmDescription.length).toBeLessThanOrEqual(1024);
    }
  });

  it('notify the alarm topic on ALARM and on OK: the stack\'s own, or AlarmTopicArn when given', () => {
    for (const [id, alarm] of alarms) {
      expect({ id, enabled: alarm.Properties.ActionsEnabled, alarm: alarm.Properties.AlarmActions, ok: alarm.Properties.OKActions }).toEqual({ id, enabled: true, alarm: [TOPIC], ok: [TOPIC] });
      expect(resolveIntrinsics(template, alarm.Properties.OKActions, { AlarmTopicArn: ON_CALL })).toEqual([ON_CALL]);
    }
  });

  it('fire on any failed request in 5 minutes, and on any repaired drift in 5 minutes; quiet periods are not failures', () => {
    const event = { Statistic: 'Sum', Period: 300, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' };
    expect(deployed('RequestsFailedAlarm')).toEqual(event);
    expect(deployed('DriftRepairedAlarm')).toEqual(event);
  });

  it('hold the latest reconcile\'s, projection\'s and delivery check\'s verdict until the next one (missing data is ignored)', () => {
    const latest = { Statistic: 'Maximum', Period: 300, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'ignore' };
    expect(deployed('ReconcileFailedAlarm')).toEqual(latest);
    expect(deployed('SilentAccountsAlarm')).toEqual(latest);
    expect(deployed('UnencryptedDeliveriesAlarm')).toEqual(latest);
    expect(deployed('DeliveryCheckFailedAlarm')).toEqual(latest);
    expect(deployed('CapacityAlarm')).toEqual({ ...latest, Threshold: 80 });
    expect(deployed('CapacityAlarm', { CapacityAlarmPercent: '95' }).Threshold).toBe(95);
    expect(template.Parameters.CapacityAlarmPercent).toMatchObject({ Type: 'Number', Default: 80, MinValue: 1, MaxValue: 100 });
  });

  it('fire after three schedule periods without a successful reconcile, missing data breaching, for every schedule offered', () => {
    const schedules: string[] = template.Parameters.ReconcileSchedule.AllowedValues;
    expect(schedules).toContain(template.Parameters.ReconcileSchedule.Default);
    for (const schedule of schedules) {
      const alarm = deployed('ReconcileMissingAlarm', { ReconcileSchedule: schedule });
      expect({ schedule, ...alarm }).toEqual({ schedule, Statistic: 'Sum', Period: periodOf(schedule), EvaluationPeriods: 3, DatapointsToAlarm: 3, Threshold: 1, ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching' });
      // CloudWatch: Period x EvaluationPeriods at most one day below hourly periods, at most seven days otherwise.
      expect(alarm.Period * alarm.EvaluationPeriods).toBeLessThanOrEqual(alarm.Period < 3600 ? 86_400 : 604_800);
      expect(alarm.Period % 60).toBe(0);
    }
  });
});

describe('alarm topic', () => {
  const topic = resources.AlarmTopic;
  const policy = (parameters: Record<string, string> = {}) => resolveIntrinsics(template, resources.AlarmTopicPolicy.Properties.PolicyDocument, parameters);

  it('is created only without AlarmTopicArn, encrypted with the stack\'s data key', () => {
    expect(template.Conditions.CreateAlarmTopic).toEqual({ 'Fn::Equals': [{ Ref: 'AlarmTopicArn' }, ''] });
    expect(topic.Condition).toBe('CreateAlarmTopic');
    expect(resources.AlarmTopicPolicy.Condition).toBe('CreateAlarmTopic');
    expect(topic.Properties.KmsMasterKeyId).toEqual({ 'Fn::If': ['CreateDataKey', { 'Fn::GetAtt': ['DataKey', 'Arn'] }, { Ref: 'DataKeyArn' }] });
  });

  it('lets CloudWatch publish for this stack\'s alarms in this account, and nobody else', () => {
    expect(policy().Statement).toEqual([
      {
        Sid: 'CloudWatchAlarmsPublish',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: expect.any(String),
        Condition: { StringEquals: { 'aws:SourceAccount': OWNER }, ArnLike: { 'aws:SourceArn': `arn:aws:cloudwatch:us-east-1:${OWNER}:alarm:cloudtrail-enrollment-*` } },
      },
    ]);
  });

  it('has the data key admit CloudWatch for this topic only (the encryption context SNS sends), and only when the stack creates it', () => {
    const statements = (parameters: Record<string, string>) => resolveIntrinsics(template, resources.DataKey.Properties.KeyPolicy, parameters).Statement as Json[];
    const grant = statements({}).find((s) => s.Sid === 'AllowCloudWatchAlarmsToAlarmTopic');
    const topicArn = `arn:aws:sns:us-east-1:${OWNER}:${resolveIntrinsics(template, topic.Properties.TopicName, {})}`;
    expect(grant).toEqual({
      Sid: 'AllowCloudWatchAlarmsToAlarmTopic',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
      Condition: { StringEquals: { 'kms:EncryptionContext:aws:sns:topicArn': topicArn } },
    });
    expect(statements({ AlarmTopicArn: ON_CALL }).map((s) => s.Sid)).not.toContain('AllowCloudWatchAlarmsToAlarmTopic');
  });

  it('subscribes AlarmEmail, when given, to the topic the stack creates', () => {
    const subscription = resources.AlarmEmailSubscription;
    expect(subscription.Condition).toBe('SubscribeAlarmEmail');
    expect(subscription.Properties).toEqual({ TopicArn: { Ref: 'AlarmTopic' }, Protocol: 'email', Endpoint: { Ref: 'AlarmEmail' } });
    const condition = (parameters: Record<string, string>) => resolveIntrinsics(template, template.Conditions.SubscribeAlarmEmail, parameters);
    expect(condition({})).toBe(false);
    expect(condition({ AlarmEmail: 'secops@example.com' })).toBe(true);
    expect(condition({ AlarmEmail: 'secops@example.com', AlarmTopicArn: ON_CALL })).toBe(false);
    const email = new RegExp(template.Parameters.AlarmEmail.AllowedPattern);
    expect(['', 'secops@example.com'].map((v) => email.test(v))).toEqual([true, true]);
    expect(['secops', 'a@b', 'a b@example.com'].map((v) => email.test(v))).toEqual([false, false, false]);
    const arn = new RegExp(template.Parameters.AlarmTopicArn.AllowedPattern);
    expect(['', ON_CALL].map((v) => arn.test(v))).toEqual([true, true]);
    expect([`${ON_CALL}.fifo`, 'on-call', `arn:aws:sqs:us-east-1:${OWNER}:q`].map((v) => arn.test(v))).toEqual([false, false, false]);
  });
});

describe('the function and the dashboard', () => {
  const fn = resources.EnrollmentFunction;
  const body = JSON.parse(String(resources.Dashboard.Properties.DashboardBody['Fn::Sub']).replace('${CapacityAlarmPercent}%', '80%').replace(': ${CapacityAlarmPercent}', ': 80'));
  const widget = (title: string) => body.widgets.find((w: Json) => w.properties.title === title).properties;

  it('writes its metrics under the stack name, the Deployment the alarms name', () => {
    expect(fn.Properties.Environment.Variables.METRICS_DEPLOYMENT).toEqual({ Ref: 'AWS::StackName' });
    for (const [, alarm] of alarms) expect(alarm.Properties.Dimensions).toEqual([{ Name: 'Deployment', Value: { Ref: 'AWS::StackName' } }]);
  });

  it('shows every alarm, each policy against its own limit with the alarm line, and the function against its timeout', () => {
    expect(body.widgets[0].properties.alarms).toEqual(alarms.map(([id]) => `\${${id}.Arn}`));
    const capacity = widget('Policy size, % of its limit');
    expect(capacity.metrics.slice(0, 2).map((m: Json[]) => (m[0] as Json).expression)).toEqual([`100 * bucket / ${BUCKET_POLICY_LIMIT_BYTES}`, `100 * key / ${KEY_POLICY_LIMIT_BYTES}`]);
    expect(capacity.annotations.horizontal).toEqual([{ label: 'alarm at 80%', value: 80, color: '#ff7f0e' }]);
    expect(widget('Function duration (ms)').annotations.horizontal).toEqual([{ label: 'timeout', value: fn.Properties.Timeout * 1000 }]);
    expect(widget('Lease wait (ms)').metrics.map((m: Json[]) => m.at(-1).stat)).toEqual(['p50', 'p99']);
  });

  it('is named per region (dashboards are per account) and given as outputs, with a console URL for the partition', () => {
    expect(resources.Dashboard.Properties.DashboardName).toEqual({ 'Fn::Sub': '${AWS::StackName}-${AWS::Region}' });
    expect(template.Outputs.DashboardName.Value).toEqual({ Ref: 'Dashboard' });
    expect(template.Outputs.DashboardUrl.Value['Fn::Sub'][0]).toBe('https://${Host}/cloudwatch/home?region=${AWS::Region}#dashboards/dashboard/${Dashboard}');
    expect(template.Mappings.Console).toEqual({ aws: { Host: 'console.aws.amazon.com' }, 'aws-cn': { Host: 'console.amazonaws.cn' }, 'aws-us-gov': { Host: 'console.amazonaws-us-gov.com' } });
    expect(template.Outputs.AlarmNotificationTopic.Value).toEqual(TOPIC);
  });
});
