/**
 * One "Lambda instance" as its own OS process: loads the built bundle (dist/handler.js) once and runs the
 * invocations it is sent, one at a time, like a warm function container. Reads JSON lines on stdin
 * ({"id": n, "event": {...}, "remainingMs": n}) and writes one JSON line per finished invocation on stdout
 * ({"id": n}). The handler's own log lines go to stderr. Test and bench harness only.
 */
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { lambdaContext } from './events';
import { projectRoot } from './project-root';
import { quietSdkNodeWarning } from './semantic';

quietSdkNodeWarning();
// stdout belongs to the protocol: the handler's log lines (console) and its EMF metric records (raw stdout lines)
// go to stderr, which the pool collects as the workers' logs.
const protocol = process.stdout.write.bind(process.stdout) as (line: string) => boolean;
process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => (process.stderr.write as (...a: unknown[]) => boolean)(chunk, ...rest)) as typeof process.stdout.write;
console.log = (...args: unknown[]) => process.stderr.write(`${args.map(String).join(' ')}\n`);
console.warn = console.log;
const { handler } = require(join(projectRoot(), 'dist', 'handler.js')) as { handler: (event: unknown, context: unknown) => Promise<void> };

let queue = Promise.resolve();
createInterface({ input: process.stdin }).on('line', (line) => {
  const { id, event, remainingMs } = JSON.parse(line) as { id: number; event: unknown; remainingMs: number };
  queue = queue.then(async () => {
    await handler(event, lambdaContext(remainingMs));
    protocol(`${JSON.stringify({ id })}\n`);
  });
});
