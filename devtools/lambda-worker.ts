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
// The handler logs with console.log; stdout belongs to the protocol.
console.log = (...args: unknown[]) => process.stderr.write(`${args.map(String).join(' ')}\n`);
const { handler } = require(join(projectRoot(), 'dist', 'handler.js')) as { handler: (event: unknown, context: unknown) => Promise<void> };

let queue = Promise.resolve();
createInterface({ input: process.stdin }).on('line', (line) => {
  const { id, event, remainingMs } = JSON.parse(line) as { id: number; event: unknown; remainingMs: number };
  queue = queue.then(async () => {
    await handler(event, lambdaContext(remainingMs));
    process.stdout.write(`${JSON.stringify({ id })}\n`);
  });
});
