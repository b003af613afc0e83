// The Metrics port on Powertools (SPEC R36): the EMF record it writes, and that it reaches stdout as a raw JSON
// line under the console the Lambda runtime installs for the JSON log format (devtools/lambda-console.ts).
import { Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import { patchConsoleLikeLambda } from '../../devtools/lambda-console';
import { deploymentName } from '../../src/metrics/metrics';
import { METRIC_NAMES, METRIC_UNITS } from '../../src/metrics/metric-names';
import { powertoolsMetrics } from '../../src/metrics/powertools';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

let stdout: string[];
const saved = { ...console };

beforeEach(() => {
  stdout = [];
  jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: unknown) => {
    stdout.push(String(chunk));
    return true;
  }) as typeof process.stdout.write);
});

afterEach(() => {
  jest.restoreAllMocks();
  Object.assign(console, saved);
});

const lines = () => stdout.join('').split('\n').filter(Boolean);

describe('the EMF record', () => {
  it('carries the namespace, the one dimension set [Deployment], each metric with its unit and every value added', () => {
    const metrics = powertoolsMetrics('enrollment-prod');
    metrics.add('RequestsFailed', 1);
    metrics.add('PolicyCapacityUsedPercent', 41.5);
    metrics.add('LeaseWaitMilliseconds', 12);
    metrics.add('LeaseWaitMilliseconds', 30);
    metrics.flush();
    expect(lines()).toHaveLength(1);
    const record = JSON.parse(lines()[0]!);
    expect(record._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'CloudTrailEnrollment',
        Dimensions: [['Deployment']],
        Metrics: [
          { Name: 'RequestsFailed', Unit: 'Count' },
          { Name: 'PolicyCapacityUsedPercent', Unit: 'Percent' },
          { Name: 'LeaseWaitMilliseconds', Unit: 'Milliseconds' },
        ],
      },
    ]);
    expect(record).toMatchObject({ Deployment: 'enrollment-prod', RequestsFailed: 1, PolicyCapacityUsedPercent: 41.5, LeaseWaitMilliseconds: [12, 30] });
    // Powertools' default `service` dimension is dropped: one dimension set, the one the alarms name.
    expect(record).not.toHaveProperty('service');
    expect(Math.abs(record._aws.Timestamp - Date.now())).toBeLessThan(5000);
  });

  it('takes every R36 name with the unit CloudWatch knows', () => {
    const metrics = powertoolsMetrics('d');
    for (const name of METRIC_NAMES) metrics.add(name, 1);
    metrics.flush();
    const record = JSON.parse(lines()[0]!);
    expect(record._aws.CloudWatchMetrics[0].Metrics).toEqual(METRIC_NAMES.map((name) => ({ Name: name, Unit: METRIC_UNITS[name] })));
  });

  it('writes nothing when nothing was added, skips values that are not finite, and starts afresh after a flush', () => {
    const metrics = powertoolsMetrics('d');
    metrics.flush();
    metrics.add('EntriesAdded', Number.NaN);
    metrics.add('EntriesAdded', Number.POSITIVE_INFINITY);
    metrics.flush();
    expect(stdout).toEqual([]);
    metrics.add('EntriesAdded', 2);
    metrics.flush();
    metrics.add('EntriesRemoved', 1);
    metrics.flush();
    expect(lines().map((l) => Object.keys(JSON.parse(l)).filter((k) => k.startsWith('Entries')))).toEqual([['EntriesAdded'], ['EntriesRemoved']]);
  });

  it('a library failure is logged and never thrown at the request', () => {
    jest.spyOn(PowertoolsMetrics.prototype, 'publishStoredMetrics').mockImplementation(() => {
      throw new Error('EMF key collision');
    });
    const logged: unknown[] = [];
    jest.spyOn(console, 'error').mockImplementation((line: unknown) => void logged.push(line));
    const metrics = powertoolsMetrics('d');
    metrics.add('RequestsFailed', 1);
    expect(() => metrics.flush()).not.toThrow();
    expect(JSON.parse(String(logged[0]))).toMatchObject({ level: 'ERROR', message: 'metrics could not be written; the request goes on without them', error: 'EMF key collision' });
  });
});

describe('under the Lambda runtime\'s console for AWS_LAMBDA_LOG_FORMAT=JSON', () => {
  it('the record reaches stdout as its own raw JSON line, not wrapped in a runtime log record', () => {
    patchConsoleLikeLambda('req-1');
    const metrics = powertoolsMetrics('enrollment-prod');
    metrics.add('RequestsSucceeded', 1);
    metrics.flush();
    console.log('a log line');
    const [emf, log] = lines().map((l) => JSON.parse(l) as Json);
    // CloudWatch extracts metrics only from a log event whose top-level object holds _aws.
    expect(emf._aws.CloudWatchMetrics[0].Namespace).toBe('CloudTrailEnrollment');
    expect(emf).toMatchObject({ Deployment: 'enrollment-prod', RequestsSucceeded: 1 });
    expect(emf).not.toHaveProperty('requestId');
    // The runtime's console really is patched here: what goes through it comes out wrapped.
    expect(log).toMatchObject({ level: 'INFO', requestId: 'req-1', message: 'a log line' });
  });

  it('the same record written with console.log would be wrapped and its metrics lost (why not console.log)', () => {
    patchConsoleLikeLambda('req-1');
    console.log(JSON.stringify({ _aws: { Timestamp: 0, CloudWatchMetrics: [] }, RequestsSucceeded: 1 }));
    const [line] = lines().map((l) => JSON.parse(l) as Json);
    expect(line).not.toHaveProperty('_aws');
    expect(line).toMatchObject({ level: 'INFO', requestId: 'req-1' });
    expect(typeof line.message).toBe('string');
  });
});

describe('deploymentName', () => {
  it('is METRICS_DEPLOYMENT, else the function name', () => {
    expect(deploymentName({ METRICS_DEPLOYMENT: 'prod', AWS_LAMBDA_FUNCTION_NAME: 'fn' })).toBe('prod');
    expect(deploymentName({ METRICS_DEPLOYMENT: ' ', AWS_LAMBDA_FUNCTION_NAME: 'fn' })).toBe('fn');
  });
});
