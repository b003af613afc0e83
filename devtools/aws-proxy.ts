import { createServer, IncomingMessage, request as httpRequest, Server, ServerResponse } from 'node:http';

/**
 * A loopback HTTP proxy between the code under test and moto: names each AWS operation, counts them, and lets
 * a test inject faults (an error answer, a delay, or an action run before or after a call). Test-harness only.
 */
export interface AwsCall {
  operation: string;
  method: string;
  path: string;
  /** The request body of a JSON-protocol call (DynamoDB, KMS, SNS): what a test matches faults on. */
  body: string;
  /** Bytes of the answer the emulator sent (0 for an injected fault): read volume. */
  responseBytes: number;
}

export interface Fault {
  /** Which calls it applies to, e.g. 'PutKeyPolicy'; '*' for every call. */
  operation: string;
  /** Only calls whose decoded path and query contain this, e.g. one account's folder 'AWSLogs/222222222222/'. */
  pathIncludes?: string;
  /** Applies to a matching call with this probability, drawn from `random` (a seeded generator for replays). */
  probability?: number;
  random?: () => number;
  /** Applies only to calls whose JSON request body contains this text, e.g. 'ADD generation'. */
  bodyIncludes?: string;
  /** How many matching calls it affects (default: every one). */
  times?: number;
  /** Answer with this status and AWS error code instead of forwarding. */
  status?: number;
  code?: string;
  message?: string;
  /** Hold the call this long before forwarding (or answering). */
  delayMs?: number;
  /** Runs before the call is forwarded: a second writer racing us. */
  before?: () => Promise<void>;
  /** Runs after the call was forwarded and answered. */
  after?: () => Promise<void>;
}

export interface AwsProxy {
  endpoint: string;
  calls: AwsCall[];
  inject(fault: Fault): void;
  clear(): void;
  /** Removes the faults, keeps the call log. */
  heal(): void;
  count(operation?: string): number;
  /** The most calls that were in flight at once since the last clear(). */
  maxInFlight(): number;
  close(): Promise<void>;
}

export function operationOf(method: string, url: string, target: string | undefined, body = ''): string {
  if (target) return target.split('.').pop() ?? target;
  const query = new URL(url, 'http://x').searchParams;
  // The query protocol (SNS): the operation is the form body's Action.
  const action = method === 'POST' ? new URLSearchParams(body).get('Action') : null;
  if (action) return action;
  const s3 = (name: string) => ({ GET: `Get${name}`, PUT: `Put${name}`, DELETE: `Delete${name}` } as Record<string, string>)[method] ?? `${method} ${name}`;
  if (query.has('policy')) return s3('BucketPolicy');
  if (query.has('location')) return 'GetBucketLocation';
  if (query.get('list-type') === '2') return 'ListObjectsV2';
  if (method === 'HEAD' && /^\/[^/]+\/./.test(new URL(url, 'http://x').pathname)) return 'HeadObject';
  return `${method} ${new URL(url, 'http://x').pathname}`;
}

/** A request's path and query with every escape decoded (S3 list prefixes arrive percent-encoded). */
export function decodedPath(url: string): string {
  try {
    return decodeURIComponent(url);
  } catch {
    return url;
  }
}

function errorBody(fault: Fault, operation: string, isJson: boolean): string {
  const code = fault.code ?? 'InternalError';
  const message = fault.message ?? `injected fault on ${operation}`;
  return isJson ? JSON.stringify({ __type: code, message }) : `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>injected</RequestId></Error>`;
}

export async function startAwsProxy(upstream: string): Promise<AwsProxy> {
  const target = new URL(upstream);
  const calls: AwsCall[] = [];
  let faults: Array<Fault & { used: number }> = [];
  let inFlight = 0;
  let maxInFlight = 0;

  const forward = (req: IncomingMessage, body: Buffer, res: ServerResponse, call: AwsCall) =>
    new Promise<void>((resolve) => {
      const upstreamRequest = httpRequest(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (upstreamResponse) => {
          res.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
          upstreamResponse.on('data', (chunk: Buffer) => (call.responseBytes += chunk.length));
          upstreamResponse.pipe(res);
          upstreamResponse.on('end', resolve);
        },
      );
      upstreamRequest.on('error', () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
        resolve();
      });
      upstreamRequest.end(body);
    });

  const server: Server = createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.once('close', () => inFlight--);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const targetHeader = req.headers['x-amz-target'];
      const body = Buffer.concat(chunks);
      const form = String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded') ? body.toString('utf8') : '';
      const operation = operationOf(req.method ?? 'GET', req.url ?? '/', Array.isArray(targetHeader) ? targetHeader[0] : targetHeader, form);
      const call: AwsCall = { operation, method: req.method ?? '', path: req.url ?? '', body: targetHeader ? body.toString('utf8') : '', responseBytes: 0 };
      calls.push(call);
      const fault = faults.find(
        (f) =>
          (f.operation === operation || f.operation === '*') &&
          (f.pathIncludes === undefined || decodedPath(req.url ?? '').includes(f.pathIncludes)) &&
          (f.bodyIncludes === undefined || call.body.includes(f.bodyIncludes)) &&
          (f.times === undefined || f.used < f.times) &&
          (f.probability === undefined || (f.random ?? Math.random)() < f.probability),
      );
      if (fault) fault.used++;
      if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault?.before) await fault.before();
      if (res.destroyed) return;
      if (fault?.status) {
        const isJson = Boolean(targetHeader);
        res.writeHead(fault.status, { 'content-type': isJson ? 'application/x-amz-json-1.1' : 'application/xml', 'x-amzn-errortype': fault.code ?? 'InternalError' });
        res.end(errorBody(fault, operation, isJson));
        return;
      }
      await forward(req, body, res, call);
      if (fault?.after) await fault.after();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    inject: (fault) => faults.push({ ...fault, used: 0 }),
    clear: () => {
      faults = [];
      calls.length = 0;
      maxInFlight = inFlight;
    },
    heal: () => {
      faults = [];
    },
    count: (operation) => (operation ? calls.filter((c) => c.operation === operation).length : calls.length),
    maxInFlight: () => maxInFlight,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
