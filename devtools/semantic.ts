/** IAM reads "x" and ["x"] alike; compare policies the way AWS evaluates them, not byte for byte. */
function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 1 ? normalize(value[0]) : value.map(normalize);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]));
  return value;
}

export function samePolicy(a: string | undefined, b: string | undefined): boolean {
  const parse = (text: string | undefined) => (text === undefined ? null : normalize(JSON.parse(text)));
  return JSON.stringify(parse(a)) === JSON.stringify(parse(b));
}

/** The AWS SDK warns once per client copy that Node 20 support ends; the tools run on Node 20 on purpose. */
export { dropSdkNodeVersionWarning as quietSdkNodeWarning } from '../src/cli/quiet-warnings';
