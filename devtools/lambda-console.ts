import { format } from 'node:util';

/**
 * The console as the Lambda Node.js runtime leaves it when the function's log format is JSON
 * (AWS_LAMBDA_LOG_FORMAT=JSON), re-created from the runtime interface client's src/LogPatch.js
 * (aws/aws-lambda-nodejs-runtime-interface-client, commit da5777a8): console.trace, debug, info, log, warn, error
 * and fatal are replaced by one function that wraps its arguments in {timestamp, level, requestId, message} and
 * writes that JSON as one line to process.stdout. (In Lambda it goes to the runtime's telemetry file descriptor
 * instead; either way, what passes through console never reaches the log as the caller's own top-level JSON.)
 * Every level is on, as with AWS_LAMBDA_LOG_LEVEL unset. Test and tool harness only.
 */
export function patchConsoleLikeLambda(requestId = 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef'): void {
  const write = (level: string) => (message?: unknown, ...params: unknown[]) => {
    const record: Record<string, unknown> = { timestamp: new Date().toISOString(), level, requestId };
    let line: string;
    if (params.length === 0) {
      record.message = message;
      try {
        line = JSON.stringify(record, errorReplacer);
      } catch {
        record.message = format(message);
        line = JSON.stringify(record);
      }
    } else {
      record.message = format(message, ...params);
      line = JSON.stringify(record);
    }
    process.stdout.write(`${line.replace(/\n/g, '\r')}\n`);
  };
  const patched = console as Console & { fatal?: (...args: unknown[]) => void };
  patched.trace = write('TRACE');
  patched.debug = write('DEBUG');
  patched.info = write('INFO');
  patched.log = patched.info;
  patched.warn = write('WARN');
  patched.error = write('ERROR');
  patched.fatal = write('FATAL');
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  return { errorType: value.constructor?.name ?? 'UnknownError', errorMessage: value.message, stackTrace: value.stack?.split('\n'), ...value };
}
