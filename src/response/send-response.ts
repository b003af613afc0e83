import * as http from 'node:http';
import * as https from 'node:https';

export interface SendResult {
  statusCode?: number;
  attempts: number;
  error?: string;
}

function putOnce(url: URL, body: string, timeoutMs: number): Promise<number> {
  const transport = url.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    const request = transport.request(
      url,
      {
        method: 'PUT',
        // The presigned URL is signed for an empty Content-Type; Content-Length is the UTF-8 byte length.
        headers: { 'content-type': '', 'content-length': Buffer.byteLength(body, 'utf8') },
        timeout: timeoutMs,
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error('response PUT timed out')));
    request.on('error', reject);
    request.end(body);
  });
}

/**
 * PUTs the response (SPEC R18). Only 2xx counts as delivered. Network errors, 429 and 5xx are retried while time
 * remains before the deadline; any other status (a 403 from an expired presigned URL, a redirect, which is
 * never followed) is final and returned as an error.
 */
export async function sendResponse(url: URL, body: string, deadline: number): Promise<SendResult> {
  let lastError: string | undefined;
  let statusCode: number | undefined;
  for (let attempt = 1; attempt <= 4; attempt++) {
    const remaining = deadline - Date.now() - 100;
    if (remaining <= 0) return { attempts: attempt - 1, error: lastError ?? 'no time left to send the response', ...(statusCode ? { statusCode } : {}) };
    try {
      statusCode = await putOnce(url, body, Math.min(remaining, 10_000));
      if (statusCode >= 200 && statusCode < 300) return { statusCode, attempts: attempt };
      if (statusCode >= 300 && statusCode < 400) return { statusCode, attempts: attempt, error: `HTTP ${statusCode} redirect, which is not followed` };
      if (statusCode < 500 && statusCode !== 429) return { statusCode, attempts: attempt, error: `HTTP ${statusCode}` };
      lastError = `HTTP ${statusCode}`;
    } catch (error) {
      lastError = (error as Error).message;
    }
    const pause = Math.min(deadline - Date.now() - 200, Math.random() * 250 * 2 ** attempt);
    if (pause > 0) await new Promise((r) => setTimeout(r, pause));
  }
  return { attempts: 4, error: lastError ?? 'unknown', ...(statusCode ? { statusCode } : {}) };
}
