/** The handler writes its EMF metric records as raw JSON lines on stdout (SPEC R36); each starts with this. */
export const METRIC_RECORD_PREFIX = '{"_aws"';

export function isMetricRecord(chunk: unknown): boolean {
  return String(chunk).startsWith(METRIC_RECORD_PREFIX);
}

/**
 * Takes the handler's EMF records off stdout, to `sink` (default: nowhere), so that a tool that runs the handler in
 * process (demo, bench) prints only its own output there. Everything else written to stdout goes through. Returns
 * the undo.
 */
export function divertMetricRecords(sink: (record: string) => void = () => undefined): () => void {
  const write = process.stdout.write;
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (!isMetricRecord(chunk)) return (write as (...args: unknown[]) => boolean).call(process.stdout, chunk, ...rest);
    sink(String(chunk));
    const callback = rest.find((r) => typeof r === 'function') as ((error?: Error | null) => void) | undefined;
    callback?.(null);
    return true;
  }) as typeof process.stdout.write;
  return () => {
    process.stdout.write = write;
  };
}
