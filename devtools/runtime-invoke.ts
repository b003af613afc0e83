/**
 * node dist/tools/devtools/runtime-invoke.js '<event JSON>' [remainingMs]
 *
 * Runs dist/handler.js once on the event with the console patched as the Lambda runtime patches it under
 * AWS_LAMBDA_LOG_FORMAT=JSON (devtools/lambda-console.ts), and prints nothing of its own: stdout carries exactly
 * the lines the function's log stream would. Test harness only.
 */
import { join } from 'node:path';
import { lambdaContext } from './events';
import { patchConsoleLikeLambda } from './lambda-console';
import { projectRoot } from './project-root';
import { quietSdkNodeWarning } from './semantic';

quietSdkNodeWarning();
patchConsoleLikeLambda();
const { handler } = require(join(projectRoot(), 'dist', 'handler.js')) as { handler: (event: unknown, context: unknown) => Promise<void> };
handler(JSON.parse(process.argv[2] ?? 'null'), lambdaContext(Number(process.argv[3] ?? 30_000))).catch((error: unknown) => {
  process.stderr.write(`the handler threw: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exitCode = 1;
});
