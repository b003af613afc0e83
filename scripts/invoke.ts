/**
 * npm run invoke -- events/create.json [--env events/env.json] [--timeout 60]
 *
 * Runs the built Lambda bundle (dist/handler.js) on an event file, like `sam local invoke` without Docker.
 * The environment file has the `sam local invoke --env-vars` shape: {"Parameters": {...}, "<FunctionLogicalId>": {...}}
 * (Parameters first, then the first function's variables). Every ResponseURL, including those inside SNS-wrapped
 * requests, is pointed at a loopback response server, so nothing is sent to CloudFormation; the bodies the
 * handler sends are printed as JSON on stdout, the handler's own log lines go to stderr.
 * AWS calls go wherever the caller's environment points them: moto with AWS_ENDPOINT_URL, a real account without.
 * Exit status: 0 when every response is SUCCESS (or for --help), 1 when one is FAILED or none arrived, 2 for usage errors.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { lambdaContext } from '../devtools/events';
import { projectRoot } from '../devtools/project-root';
import { ResponseServer, startResponseServer } from '../devtools/response-server';
import { quietSdkNodeWarning } from '../devtools/semantic';

const SYNOPSIS = `Usage: node dist/tools/scripts/invoke.js <event.json> [--env <env.json>] [--timeout <seconds>] [--same-request-id]
       npm run invoke -- <event.json> [--env <env.json>] [--timeout <seconds>] [--same-request-id]`;
const USAGE = `${SYNOPSIS}

Runs dist/handler.js on a CloudFormation request (or an SNS event carrying requests) and prints each response
body as JSON on stdout; the handler's log lines go to stderr. No response goes to CloudFormation.

  --env FILE       function variables, in the sam local invoke --env-vars shape (e.g. events/env.json)
  --timeout SECS   the Lambda timeout the handler sees, 1 to 900 (default 60)
  --same-request-id  keep the file's RequestId: the function answers a request it answered before with the
                   recorded answer and applies nothing (without it, each run is a new request with a fresh RequestId)
  -h, --help       print this usage

AWS calls go to AWS_ENDPOINT_URL when it is set (e.g. moto), else to the account of the current credentials.
Exit status: 0 every response SUCCESS, 1 a response FAILED or none arrived, 2 usage error.`;
const LOOPBACK = '127.0.0.1';

class UsageError extends Error {}

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`the ${what} ${file} is not valid JSON: ${(error as Error).message}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The variables of a `sam local invoke --env-vars` file: Parameters (for every function), then the first function's. */
function environmentOf(file: unknown, name: string): Record<string, string> {
  if (!isObject(file)) throw new UsageError(`the environment file ${name} must be an object like {"EnrollmentFunction": {"TRAIL_BUCKET_NAME": "…"}}`);
  const functions = Object.entries(file).filter(([key, value]) => key !== 'Parameters' && isObject(value));
  if (functions.length > 1) console.error(`invoke: ${name} has variables for ${functions.length} functions; using ${functions[0]![0]}`);
  const variables: Record<string, string> = {};
  for (const group of [file.Parameters, functions[0]?.[1]]) {
    if (!isObject(group)) continue;
    for (const [key, value] of Object.entries(group)) variables[key] = value === null || value === undefined ? '' : String(value);
  }
  return variables;
}

/**
 * The event with every ResponseURL replaced by the local server's, and (unless the RequestIds are kept) a fresh
 * RequestId per request, so running a file again is a new request; how many requests it carries.
 */
function redirectResponses(event: unknown, server: Pick<ResponseServer, 'url'>, keepRequestIds: boolean): { event: unknown; requests: number } {
  if (!isObject(event)) throw new UsageError('the event must be a JSON object (a CloudFormation request or an SNS event)');
  const fresh = (_request: Record<string, unknown>) => (keepRequestIds ? {} : { RequestId: randomUUID() });
  const records = event.Records;
  if (!Array.isArray(records)) return { event: { ...event, ...fresh(event), ResponseURL: server.url('response') }, requests: 1 };
  let requests = 0;
  const redirected = records.map((record: unknown, index) => {
    if (!isObject(record) || !isObject(record.Sns) || typeof record.Sns.Message !== 'string') return record;
    const sns = record.Sns;
    let message: unknown;
    try {
      message = JSON.parse(sns.Message as string);
    } catch {
      return record; // the handler logs it and cannot answer: exactly what this run should show
    }
    if (!isObject(message)) return record;
    requests++;
    return { ...record, Sns: { ...sns, Message: JSON.stringify({ ...message, ...fresh(message), ResponseURL: server.url(`record-${index}`) }) } };
  });
  return { event: { ...event, Records: redirected }, requests };
}

function parseCommandLine(argv: string[]): { eventFile: string; envFile?: string; timeoutSeconds: number; keepRequestIds: boolean } | 'help' {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { env: { type: 'string' }, timeout: { type: 'string' }, 'same-request-id': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    throw new UsageError((error as Error).message.split(/\.\s|\n/)[0]!);
  }
  if (parsed.values.help) return 'help';
  const [eventFile, ...extra] = parsed.positionals;
  if (!eventFile || extra.length > 0) throw new UsageError('give exactly one event file');
  const timeoutSeconds = Number(parsed.values.timeout ?? 60);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0 || timeoutSeconds > 900) throw new UsageError(`--timeout must be 1 to 900 seconds, not ${parsed.values.timeout}`);
  return { eventFile, ...(parsed.values.env !== undefined ? { envFile: parsed.values.env } : {}), timeoutSeconds, keepRequestIds: parsed.values['same-request-id'] === true };
}

async function main(): Promise<number> {
  quietSdkNodeWarning();
  const commandLine = parseCommandLine(process.argv.slice(2));
  if (commandLine === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const { eventFile, envFile, timeoutSeconds, keepRequestIds } = commandLine;
  const handlerFile = join(projectRoot(), 'dist', 'handler.js');
  if (!existsSync(handlerFile)) throw new UsageError(`${handlerFile} does not exist; run npm run build first`);
  const rawEvent = readJson(eventFile, 'event file');
  if (envFile) Object.assign(process.env, environmentOf(readJson(envFile, 'environment file'), envFile));
  // The responses come back to this process over loopback; the handler only answers hosts it admits (SPEC R18).
  const extraHosts = (process.env.RESPONSE_URL_EXTRA_HOSTS ?? '').split(',').map((h) => h.trim()).filter(Boolean);
  if (!extraHosts.includes(LOOPBACK)) process.env.RESPONSE_URL_EXTRA_HOSTS = [...extraHosts, LOOPBACK].join(',');

  const server = await startResponseServer();
  try {
    const { event, requests } = redirectResponses(rawEvent, server, keepRequestIds);
    console.error(`invoke: ${handlerFile} with ${eventFile} (${requests} request${requests === 1 ? '' : 's'}), AWS ${process.env.AWS_ENDPOINT_URL ? `at ${process.env.AWS_ENDPOINT_URL}` : 'endpoints of the current credentials'}`);
    const { handler } = require(handlerFile) as typeof import('../src/handler');
    const log = console.log;
    const write = process.stdout.write;
    // The handler's log lines and its EMF metric records (raw stdout lines) to stderr, like sam local invoke.
    console.log = (...args: unknown[]) => console.error(...args);
    process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
    try {
      await handler(event, lambdaContext(timeoutSeconds * 1000));
    } finally {
      console.log = log;
      process.stdout.write = write;
    }
    for (const response of server.received) process.stdout.write(`${JSON.stringify(response.body, null, 2)}\n`);
    if (server.received.length === 0) {
      console.error('invoke: no response arrived (the handler answers only requests with an admitted ResponseURL; see the log lines above)');
      return 1;
    }
    if (server.received.length !== requests) console.error(`invoke: ${requests} requests but ${server.received.length} responses`);
    const failed = server.received.filter((r) => r.body.Status !== 'SUCCESS').length;
    if (failed > 0) console.error(`invoke: ${failed} of ${server.received.length} responses FAILED`);
    return failed > 0 ? 1 : 0;
  } finally {
    await server.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`invoke: ${error.message}\n${SYNOPSIS}\n(--help for the options)`);
      process.exitCode = 2;
    } else {
      console.error(error);
      process.exitCode = 1;
    }
  },
);
