import { MetricName } from './metric-names';

/**
 * Where a request, a reconcile or a delivery check records its numbers (SPEC R36). The lifecycle adds values as
 * they happen; the handler flushes once per request, before the response goes out (also when the timeout guard
 * answers), so a timed-out request still counts. powertools.ts implements it as CloudWatch Embedded Metric Format
 * records on raw stdout lines (docs/metrics-and-alarms.md says why Powertools and why not console.log).
 */
export interface Metrics {
  /** Adds one value of the metric to the record under way (a metric added twice carries both values). */
  add(name: MetricName, value: number): void;
  /** Writes what was added as one record and starts a new one; writes nothing when nothing was added. */
  flush(): void;
}

/** For callers that record nothing: the CLI, unit tests. */
export const noMetrics: Metrics = { add: () => undefined, flush: () => undefined };

/** The Deployment dimension (SPEC R36): METRICS_DEPLOYMENT (the template sets the stack name), else the function name. */
export function deploymentName(env: Record<string, string | undefined>): string {
  return env.METRICS_DEPLOYMENT?.trim() || env.AWS_LAMBDA_FUNCTION_NAME?.trim() || 'cloudtrail-enrollment';
}
