// The pure tie between a template's alarms and dashboards and the EMF records the code wrote (SPEC R36), on small
// hand-made templates; test/integration/metrics-tie.test.ts runs it on template.yaml and real records.
import { emittedMetrics, templateMetricReferences, untiedReferences } from '../support/metric-tie';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const NS = 'CloudTrailEnrollment';
const STACK = { Ref: 'AWS::StackName' };

function record(metrics: string[], dimensions: string[][] = [['Deployment']], namespace = NS): string {
  return JSON.stringify({
    _aws: { Timestamp: 0, CloudWatchMetrics: [{ Namespace: namespace, Dimensions: dimensions, Metrics: metrics.map((Name) => ({ Name, Unit: 'Count' })) }] },
    Deployment: 'stack',
    ...Object.fromEntries(metrics.map((m) => [m, 1])),
  });
}

function alarm(metric: string, overrides: Json = {}): Json {
  return { Type: 'AWS::CloudWatch::Alarm', Properties: { Namespace: NS, MetricName: metric, Dimensions: [{ Name: 'Deployment', Value: STACK }], ...overrides } };
}

function dashboard(metrics: unknown[][]): Json {
  const body = { widgets: [{ type: 'metric', properties: { title: 'W', metrics, annotations: { horizontal: [{ value: '${Threshold}' }] } } }] };
  // As in a template: a Sub string, with a parameter standing unquoted.
  return { Type: 'AWS::CloudWatch::Dashboard', Properties: { DashboardBody: { 'Fn::Sub': JSON.stringify(body).replace('"${Threshold}"', '${Threshold}') } } };
}

/** deployment null: the function does not set METRICS_DEPLOYMENT. */
function template(resources: Record<string, Json>, deployment: unknown = STACK): Json {
  const fn = { Type: 'AWS::Serverless::Function', Properties: { Environment: { Variables: deployment === null ? {} : { METRICS_DEPLOYMENT: deployment } } } };
  return { Parameters: { Threshold: { Type: 'Number', Default: 80 } }, Resources: { Fn: fn, ...resources } };
}

const records = [record(['RequestsSucceeded', 'RequestsFailed']), record(['ReconcileSucceeded'])];

describe('emittedMetrics', () => {
  it('lists every metric of every record under each of its dimension sets', () => {
    expect(emittedMetrics([record(['A'], [['Deployment'], ['Deployment', 'service']])])).toEqual([
      { namespace: NS, metric: 'A', dimensions: ['Deployment'] },
      { namespace: NS, metric: 'A', dimensions: ['Deployment', 'service'] },
    ]);
  });
});

describe('untiedReferences', () => {
  it('finds nothing when every alarm and widget names an emitted metric with its dimension set and the deployment', () => {
    const t = template({
      Failed: alarm('RequestsFailed'),
      Board: dashboard([
        [NS, 'RequestsSucceeded', 'Deployment', '${AWS::StackName}'],
        ['.', 'RequestsFailed', '.', '.', { stat: 'Sum' }],
        [{ expression: 'm1 + m2', id: 'e1' }],
        ['AWS/Lambda', 'Errors', 'FunctionName', '${Fn}'],
      ]),
    });
    expect(templateMetricReferences(t).map((r) => r.metric)).toEqual(['RequestsFailed', 'RequestsSucceeded', 'RequestsFailed', 'Errors']);
    expect(untiedReferences(t, records)).toEqual([]);
  });

  it('catches a renamed alarm metric', () => {
    expect(untiedReferences(template({ Failed: alarm('RequestFailed') }), records)).toEqual([
      'alarm Failed: CloudTrailEnrollment RequestFailed [Deployment]: the code never emitted this metric',
    ]);
  });

  it('catches an alarm in another namespace', () => {
    expect(untiedReferences(template({ Failed: alarm('RequestsFailed', { Namespace: 'CloudTrailEnrolment' }) }), records)).toEqual([
      'alarm Failed: CloudTrailEnrolment RequestsFailed [Deployment]: the code emits no metric in namespace CloudTrailEnrolment (it writes CloudTrailEnrollment)',
    ]);
  });

  it('catches a dimension set the code does not write, either way round', () => {
    const withService = alarm('RequestsFailed', { Dimensions: [{ Name: 'Deployment', Value: STACK }, { Name: 'service', Value: STACK }] });
    expect(untiedReferences(template({ Failed: withService }), records)).toEqual([
      'alarm Failed: CloudTrailEnrollment RequestsFailed [Deployment, service]: the code emitted it only with [Deployment]',
    ]);
    const serviceRecords = [record(['RequestsFailed'], [['Deployment', 'service']])];
    expect(untiedReferences(template({ Failed: alarm('RequestsFailed') }), serviceRecords)).toEqual([
      'alarm Failed: CloudTrailEnrollment RequestsFailed [Deployment]: the code emitted it only with [Deployment, service]',
    ]);
  });

  it('catches a widget metric that was never emitted, also behind the "." shorthand', () => {
    const t = template({ Board: dashboard([[NS, 'RequestsSucceeded', 'Deployment', '${AWS::StackName}'], ['.', 'DriftRepaired', '.', '.']]) });
    expect(untiedReferences(t, records)).toEqual(['dashboard Board, widget "W": CloudTrailEnrollment DriftRepaired [Deployment]: the code never emitted this metric']);
  });

  it('catches a dimension value other than the deployment the functions write', () => {
    const t = template({ Failed: alarm('RequestsFailed', { Dimensions: [{ Name: 'Deployment', Value: 'prod' }] }) });
    expect(untiedReferences(t, records)).toEqual(['alarm Failed: CloudTrailEnrollment RequestsFailed [Deployment]: dimension Deployment is prod, but the functions write ${AWS::StackName}']);
  });

  it('catches a function that does not set METRICS_DEPLOYMENT', () => {
    expect(untiedReferences(template({ Failed: alarm('RequestsFailed') }, null), records)).toContain('function Fn does not set METRICS_DEPLOYMENT, so its metrics carry its own name and no alarm sees them');
  });

  it('accepts Lambda metrics of the template\'s own functions only', () => {
    const t = template({ Board: dashboard([['AWS/Lambda', 'Errors', 'FunctionName', '${Other}'], ['AWS/SQS', 'NumberOfMessagesSent', 'QueueName', 'q']]) });
    expect(untiedReferences(t, records)).toEqual([
      'dashboard Board, widget "W": AWS/Lambda Errors [FunctionName]: not a Lambda metric of a function of this template (FunctionName ${Other})',
      'dashboard Board, widget "W": AWS/SQS NumberOfMessagesSent [QueueName]: the code emits no metric in namespace AWS/SQS (it writes CloudTrailEnrollment)',
    ]);
  });

  it('reads the metrics of a metric-math alarm', () => {
    const math = { Type: 'AWS::CloudWatch::Alarm', Properties: { Metrics: [
      { Id: 'e', Expression: 'MAX([a, b])' },
      { Id: 'a', MetricStat: { Metric: { Namespace: NS, MetricName: 'RequestsFailed', Dimensions: [{ Name: 'Deployment', Value: STACK }] } } },
      { Id: 'b', MetricStat: { Metric: { Namespace: NS, MetricName: 'SilentAccounts', Dimensions: [{ Name: 'Deployment', Value: STACK }] } } },
    ] } };
    expect(untiedReferences(template({ Math: math }), records)).toEqual(['alarm Math: CloudTrailEnrollment SilentAccounts [Deployment]: the code never emitted this metric']);
  });
});
