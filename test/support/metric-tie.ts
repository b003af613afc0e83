/**
 * Ties template.yaml's alarms and dashboards to the metrics the code really emits (SPEC R36: an alarm that names a
 * metric nobody writes can never fire). Pure: a template as JSON (test/support/cfn-template.ts loads one) and the
 * EMF records the function wrote, in; one sentence per reference that nothing backs, out.
 */
type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** One metric as an EMF record declares it: namespace, name and the names of one dimension set. */
export interface EmittedMetric {
  namespace: string;
  metric: string;
  dimensions: string[];
}

/** One metric that an alarm or a dashboard widget of the template names. */
export interface MetricReference {
  /** e.g. `alarm RequestsFailedAlarm`, `dashboard Dashboard, widget "Requests answered"`. */
  where: string;
  namespace: string;
  metric: string;
  /** Dimension name to its value as written: a literal, or `${Name}` for a Ref or a Sub variable. */
  dimensions: Record<string, string>;
}

/** Every metric the EMF records declare, once per dimension set. */
export function emittedMetrics(records: string[]): EmittedMetric[] {
  const emitted: EmittedMetric[] = [];
  for (const line of records) {
    const record = JSON.parse(line) as Json;
    for (const directive of record?._aws?.CloudWatchMetrics ?? []) {
      for (const set of directive.Dimensions ?? []) {
        for (const metric of directive.Metrics ?? []) emitted.push({ namespace: directive.Namespace, metric: metric.Name, dimensions: [...set].sort() });
      }
    }
  }
  return emitted;
}

/** A value as written in the template: literals as they are, `{Ref: X}` as `${X}`; anything else as JSON. */
function written(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  const ref = (value as { Ref?: unknown })?.Ref;
  if (typeof ref === 'string') return `\${${ref}}`;
  const sub = (value as { 'Fn::Sub'?: unknown })?.['Fn::Sub'];
  if (typeof sub === 'string') return sub;
  return JSON.stringify(value);
}

function alarmReferences(id: string, properties: Json): MetricReference[] {
  const where = `alarm ${id}`;
  const dimensionsOf = (list: Json[] | undefined) => Object.fromEntries((list ?? []).map((d) => [d.Name, written(d.Value)]));
  if (properties.MetricName !== undefined) {
    return [{ where, namespace: written(properties.Namespace), metric: written(properties.MetricName), dimensions: dimensionsOf(properties.Dimensions) }];
  }
  // A metric-math alarm: every MetricStat among its metrics.
  return (properties.Metrics ?? [])
    .filter((m: Json) => m.MetricStat)
    .map((m: Json) => ({ where, namespace: written(m.MetricStat.Metric.Namespace), metric: written(m.MetricStat.Metric.MetricName), dimensions: dimensionsOf(m.MetricStat.Metric.Dimensions) }));
}

/**
 * The dashboard body with parameters replaced by their defaults (a number may stand unquoted, e.g. an annotation)
 * and every other `${…}` left as written, parsed.
 */
function dashboardBody(template: Json, body: unknown): Json {
  const sub = (body as { 'Fn::Sub'?: unknown })?.['Fn::Sub'];
  const text = typeof sub === 'string' ? sub : Array.isArray(sub) ? String(sub[0]) : String(body);
  const parameters = template.Parameters ?? {};
  return JSON.parse(text.replace(/\$\{([^}!]+)\}/g, (token, name: string) => (name in parameters ? String(parameters[name].Default ?? '') : token)));
}

function dashboardReferences(template: Json, id: string, properties: Json): MetricReference[] {
  const references: MetricReference[] = [];
  for (const widget of dashboardBody(template, properties.DashboardBody).widgets ?? []) {
    const where = `dashboard ${id}, widget "${widget.properties?.title ?? widget.type}"`;
    let previous: unknown[] = [];
    for (const entry of widget.properties?.metrics ?? []) {
      const parts = (entry as unknown[]).filter((p) => typeof p !== 'object' || p === null);
      if (parts.length === 0) continue; // a math expression: its inputs are entries of their own
      // "." repeats the value at the same position of the entry before (the dashboard body's shorthand).
      const full = parts.map((p, i) => (p === '.' ? previous[i] : p));
      previous = full;
      const [namespace, metric, ...pairs] = full.map(String);
      const dimensions: Record<string, string> = {};
      for (let i = 0; i + 1 < pairs.length; i += 2) dimensions[pairs[i]!] = pairs[i + 1]!;
      references.push({ where, namespace: namespace!, metric: metric!, dimensions });
    }
  }
  return references;
}

/** Every metric the template's alarms and dashboards name. */
export function templateMetricReferences(template: Json): MetricReference[] {
  return Object.entries(template.Resources as Record<string, Json>).flatMap(([id, resource]) => {
    if (resource.Type === 'AWS::CloudWatch::Alarm') return alarmReferences(id, resource.Properties);
    if (resource.Type === 'AWS::CloudWatch::Dashboard') return dashboardReferences(template, id, resource.Properties);
    return [];
  });
}

const FUNCTION_TYPES = new Set(['AWS::Serverless::Function', 'AWS::Lambda::Function']);

/**
 * What in the template no emitted metric backs: a reference in the code's namespace whose metric and dimension set
 * were never emitted, a dimension value other than the deployment every function writes (METRICS_DEPLOYMENT), a
 * function that does not set METRICS_DEPLOYMENT (it would write under its own name), and a reference to any other
 * namespace except a Lambda metric of one of the template's functions. Empty when everything is tied.
 */
export function untiedReferences(template: Json, records: string[]): string[] {
  const emitted = emittedMetrics(records);
  const ours = new Set(emitted.map((e) => e.namespace));
  const key = (namespace: string, metric: string, dimensions: string[]) => `${namespace} ${metric} [${[...dimensions].sort().join(', ')}]`;
  const emittedKeys = new Set(emitted.map((e) => key(e.namespace, e.metric, e.dimensions)));
  const problems: string[] = [];

  const functions = Object.entries(template.Resources as Record<string, Json>).filter(([, r]) => FUNCTION_TYPES.has(r.Type));
  const deployments = new Set<string>();
  for (const [id, fn] of functions) {
    const value = fn.Properties?.Environment?.Variables?.METRICS_DEPLOYMENT;
    if (value === undefined) problems.push(`function ${id} does not set METRICS_DEPLOYMENT, so its metrics carry its own name and no alarm sees them`);
    else deployments.add(written(value));
  }
  if (deployments.size > 1) problems.push(`the functions set METRICS_DEPLOYMENT to different values (${[...deployments].join(', ')}), so no one alarm sees them all`);

  for (const ref of templateMetricReferences(template)) {
    const names = Object.keys(ref.dimensions);
    const label = key(ref.namespace, ref.metric, names);
    if (ours.has(ref.namespace)) {
      if (!emittedKeys.has(label)) {
        const sameName = emitted.filter((e) => e.namespace === ref.namespace && e.metric === ref.metric);
        const why = sameName.length === 0 ? 'the code never emitted this metric' : `the code emitted it only with ${[...new Set(sameName.map((e) => `[${e.dimensions.join(', ')}]`))].join(' or ')}`;
        problems.push(`${ref.where}: ${label}: ${why}`);
      }
      for (const [name, value] of Object.entries(ref.dimensions)) {
        if (!deployments.has(value)) problems.push(`${ref.where}: ${label}: dimension ${name} is ${value}, but the functions write ${[...deployments].join(', ') || 'their own names'}`);
      }
    } else if (ref.namespace === 'AWS/Lambda') {
      const fn = ref.dimensions.FunctionName;
      const known = functions.some(([id]) => fn === `\${${id}}`);
      if (names.length !== 1 || !known) problems.push(`${ref.where}: ${label}: not a Lambda metric of a function of this template (FunctionName ${fn ?? 'missing'})`);
    } else {
      problems.push(`${ref.where}: ${label}: the code emits no metric in namespace ${ref.namespace}${ours.size > 0 ? ` (it writes ${[...ours].join(', ')})` : ''}`);
    }
  }
  return problems;
}
