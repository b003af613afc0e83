import { Metrics as PowertoolsMetrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { log } from '../log';
import { DEPLOYMENT_DIMENSION, METRIC_UNITS, METRICS_NAMESPACE } from './metric-names';
import { Metrics } from './metrics';

type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

/** Powertools' own warnings (a bad value, a full buffer) as our structured log lines, not bare console text. */
const powertoolsLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (...content: unknown[]) => log.warn(`metrics: ${content.map(String).join(' ')}`),
  error: (...content: unknown[]) => log.error(`metrics: ${content.map(String).join(' ')}`),
};

/**
 * The Metrics port on Powertools for AWS Lambda (SPEC R36). Powertools writes each EMF record with its own
 * node:console Console bound to process.stdout, not with the global console that the Lambda runtime replaces under
 * the JSON log format, so the record reaches the log as a raw JSON line and CloudWatch extracts its metrics.
 * Powertools' default `service` dimension is dropped: every metric has the one dimension set [Deployment] that the
 * alarms and the dashboard name.
 */
export function powertoolsMetrics(deployment: string): Metrics {
  const emf = new PowertoolsMetrics({ namespace: METRICS_NAMESPACE, logger: powertoolsLogger });
  emf.clearDefaultDimensions();
  emf.setDefaultDimensions({ [DEPLOYMENT_DIMENSION]: deployment });
  // A metric must never cost a request its answer (the handler flushes right before the response PUT).
  const guarded = (write: () => unknown) => {
    try {
      write();
    } catch (error) {
      emf.clearMetrics();
      log.error('metrics could not be written; the request goes on without them', { error: (error as Error)?.message ?? String(error) });
    }
  };
  return {
    add(name, value) {
      if (!Number.isFinite(value)) return;
      // Powertools writes a record itself once a metric holds 100 values.
      guarded(() => emf.addMetric(name, METRIC_UNITS[name] as Unit, value));
    },
    flush() {
      if (emf.hasStoredMetrics()) guarded(() => emf.publishStoredMetrics());
    },
  };
}
