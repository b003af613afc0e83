/** Loads the built Lambda bundle and calls it the way Lambda would, with its log lines kept off the screen. */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { join } from 'node:path';
import { lambdaContext } from '../devtools/events';
import { divertMetricRecords } from '../devtools/metric-lines';
import type { ReceivedResponse, ResponseServer } from '../devtools/response-server';

export const BUCKET_SID = 'AWSCloudTrailWrite20131101';
export const KEY_SID = 'Allow CloudTrail to encrypt logs';
export const CONTEXT_KEY = 'kms:EncryptionContext:aws:cloudtrail:arn';

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

export interface Invocation {
  response: ReceivedResponse | undefined;
  elapsedMs: number;
  /** The handler's own log lines (JSON), kept for failure reports. */
  logs: string[];
}

export interface Invoker {
  invoke(event: CloudFormationCustomResourceEvent): Promise<Invocation>;
}

/** Requires dist/handler.js once; env (endpoint, pinned bucket and key) must be set before the first call. */
export function loadHandler(root: string, responses: ResponseServer): Invoker {
  const { handler } = require(join(root, 'dist', 'handler.js')) as { handler: Handler };
  return {
    async invoke(event) {
      const before = responses.received.length;
      const logs: string[] = [];
      const original = { log: console.log, error: console.error, warn: console.warn };
      const keep = (...args: unknown[]) => void logs.push(args.map(String).join(' '));
      console.log = keep;
      console.error = keep;
      console.warn = keep;
      // The EMF metric records (raw stdout lines) would interleave with the bench's tables.
      const restoreStdout = divertMetricRecords();
      const start = process.hrtime.bigint();
      try {
        await handler(event, lambdaContext(60_000));
      } finally {
        Object.assign(console, original);
        restoreStdout();
      }
      const elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
      return { response: responses.received.slice(before).at(-1), elapsedMs, logs };
    },
  };
}

export function describeFailure(what: string, invocation: Invocation): string {
  const body = invocation.response?.body;
  if (!body) return `${what}: no response was sent (logs: ${invocation.logs.join(' | ').slice(0, 600)})`;
  return `${what}: ${body.Status}${body.Reason ? ` — ${body.Reason}` : ''}`;
}

function listOf(value: unknown): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

interface RawStatement {
  Sid?: string;
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

function statementWithSid(policy: string | undefined, sid: string): RawStatement | undefined {
  if (policy === undefined) return undefined;
  const document = JSON.parse(policy) as { Statement?: RawStatement | RawStatement[] };
  const statements = Array.isArray(document.Statement) ? document.Statement : document.Statement ? [document.Statement] : [];
  return statements.find((s) => s.Sid === sid);
}

/** The Resource entries of the CloudTrail write statement, read independently of src/core. */
export function bucketResources(policy: string | undefined): Set<string> {
  return new Set(listOf(statementWithSid(policy, BUCKET_SID)?.Resource));
}

/** The StringLike trail ARN patterns of the key statement, read independently of src/core. */
export function keyPatterns(policy: string | undefined): Set<string> {
  return new Set(listOf(statementWithSid(policy, KEY_SID)?.Condition?.StringLike?.[CONTEXT_KEY]));
}

export function bucketResourceOf(bucket: string, account: string): string {
  return `arn:aws:s3:::${bucket}/AWSLogs/${account}/*`;
}

export function trailPatternOf(account: string): string {
  return `arn:aws:cloudtrail:*:${account}:trail/*`;
}
