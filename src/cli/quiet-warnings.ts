/**
 * The bundled AWS SDK warns once that its future releases will need a newer Node.js. That says nothing an
 * operator running this CLI can act on, and it would break the promise of one line on stderr; every other
 * warning still shows.
 */
export function dropSdkNodeVersionWarning(): void {
  const emit = process.emitWarning.bind(process);
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (String(warning).startsWith('NodeVersionSupportWarning')) return;
    (emit as (...args: unknown[]) => void)(warning, ...rest);
  }) as typeof process.emitWarning;
}
