/**
 * Structured JSON log lines, each level through its own console method (Lambda records WARN and ERROR as such). A
 * failed request is an error; a refusal (a request not acted on) is a warning. Never pass a ResponseURL or
 * credentials in fields.
 */
export type LogFields = Record<string, unknown>;

function write(level: 'INFO' | 'WARN' | 'ERROR', message: string, fields: LogFields): void {
  const record = { level, message, ...fields };
  // With the function's log format set to JSON (template.yaml), Lambda wraps each console line in its own JSON
  // object; a single object argument becomes its `message` as an object, so Logs Insights sees our fields
  // (message.accountId, …). Anywhere else, one JSON line per record.
  const output = process.env.AWS_LAMBDA_LOG_FORMAT?.toUpperCase() === 'JSON' ? record : JSON.stringify(record);
  if (level === 'ERROR') console.error(output);
  else if (level === 'WARN') console.warn(output);
  else console.log(output);
}

export const log = {
  info: (message: string, fields: LogFields = {}) => write('INFO', message, fields),
  warn: (message: string, fields: LogFields = {}) => write('WARN', message, fields),
  error: (message: string, fields: LogFields = {}) => write('ERROR', message, fields),
};
