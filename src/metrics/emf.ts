import { DEPLOYMENT_DIMENSION, METRIC_UNITS, METRICS_NAMESPACE, MetricName } from './metric-names';
import { Metrics } from './metrics';

/**
 * One CloudWatch Embedded Metric Format record: the values under their names, the Deployment dimension, and the
 * _aws metadata that tells CloudWatch which members are metrics. Pure.
 */
export function emfRecord(deployment: string, values: ReadonlyMap<MetricName, number[]>, timestamp: number): Record<string, unknown> {
  const names = [...values.keys()];
  return {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [{ Namespace: METRICS_NAMESPACE, Dimensions: [[DEPLOYMENT_DIMENSION]], Metrics: names.map((name) => ({ Name: name, Unit: METRIC_UNITS[name] })) }],
    },
    [DEPLOYMENT_DIMENSION]: deployment,
    ...Object.fromEntries(names.map((name) => {
      const list = values.get(name)!;
      return [name, list.length === 1 ? list[0] : list];
    })),
  };
}

/**
 * EMF records as raw JSON lines on stdout. Not console.log: under the function's JSON log format the Lambda
 * runtime wraps console output in its own record, and CloudWatch then extracts no metric from it.
 */
export function emfMetrics(deployment: string, write: (line: string) => void = (line) => void process.stdout.write(`${line}\n`)): Metrics {
  let values = new Map<MetricName, number[]>();
  return {
    add(name, value) {
      if (!Number.isFinite(value)) return;
      const list = values.get(name) ?? values.set(name, []).get(name)!;
      list.push(value);
    },
    flush() {
      if (values.size === 0) return;
      const record = emfRecord(deployment, values, Date.now());
      values = new Map();
      write(JSON.stringify(record));
    },
  };
}
