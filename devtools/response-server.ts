import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { ResponseFields } from '../src/response/response-body';

/** A loopback stand-in for CloudFormation's presigned response URL; records every PUT. */
export interface ReceivedResponse {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  body: ResponseFields;
}

export interface ResponseServer {
  url(name?: string): string;
  received: ReceivedResponse[];
  /** Status codes to answer with before answering 200 (to exercise retries). */
  failNext(...statusCodes: number[]): void;
  close(): Promise<void>;
}

export async function startResponseServer(): Promise<ResponseServer> {
  const received: ReceivedResponse[] = [];
  const failures: number[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const failure = failures.shift();
      if (failure) {
        response.writeHead(failure).end();
        return;
      }
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let body: ReceivedResponse['body'];
      try {
        body = JSON.parse(rawBody);
      } catch {
        body = { Status: 'FAILED', Reason: `unparseable body: ${rawBody}` } as ReceivedResponse['body'];
      }
      received.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers, rawBody, body });
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: (name = 'response') => `http://127.0.0.1:${port}/${name}?X-Amz-Signature=secret-signature`,
    received,
    failNext: (...codes) => failures.push(...codes),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
