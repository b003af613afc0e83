import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { regionOfStackId } from '../../src/core/arns';
import { MAX_RESPONSE_BYTES, responseBody } from '../../src/response/response-body';
import { admitResponseUrl, responseUrlExpired, responseUrlExpiry } from '../../src/response/response-url';
import { sendResponse } from '../../src/response/send-response';

describe('ResponseURL allow-list (R18)', () => {
  it.each([
    ['https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/arn%3Aaws/abc?X-Amz-Signature=1', 'us-east-1'],
    ['https://cloudformation-custom-resource-response-euwest1.s3.eu-west-1.amazonaws.com/x', 'eu-west-1'],
    ['https://cloudformation-custom-resource-response-usgovwest1.s3-us-gov-west-1.amazonaws.com/x', 'us-gov-west-1'],
    ['https://cloudformation-custom-resource-response-apsoutheast2.s3.ap-southeast-2.amazonaws.com/x', 'ap-southeast-2'],
    ['https://s3.cn-northwest-1.amazonaws.com.cn/cloudformation-custom-resource-response-cnnorthwest1/x', 'cn-northwest-1'],
    ['https://cloudformation-custom-resource-response-cnnorth1.s3.cn-north-1.amazonaws.com.cn/x', 'cn-north-1'],
    ['https://s3.us-west-2.amazonaws.com/cloudformation-custom-resource-response-uswest2/x', 'us-west-2'],
    ['https://s3.amazonaws.com/cloudformation-custom-resource-response-useast1/x', 'us-east-1'],
  ])('admits %s for a stack in %s', (url, stackRegion) => {
    expect(admitResponseUrl(url, [], stackRegion)).toBeDefined();
  });

  it.each([
    ['https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x', 'eu-west-1'],
    ['https://cloudformation-custom-resource-response-euwest1.s3.eu-west-1.amazonaws.com/x', 'eu-west-2'],
    ['https://s3.amazonaws.com/cloudformation-custom-resource-response-zznorth9/x', 'us-east-1'],
    ['https://cloudformation-custom-resource-response-zznorth9.s3.amazonaws.com/x', 'us-east-1'],
    ['https://cloudformation-custom-resource-response-usgovwest1.s3-us-gov-west-1.amazonaws.com/x', 'us-west-1'],
    ['https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x', undefined],
  ])('refuses %s for a stack in %s: the response bucket is the one of the stack\'s region (R39)', (url, stackRegion) => {
    expect(admitResponseUrl(url, [], stackRegion)).toBeUndefined();
  });

  it.each([
    'http://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x',
    'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com.evil.example/x',
    'https://evil.example/cloudformation-custom-resource-response-useast1/x',
    'https://s3.amazonaws.com/my-bucket/cloudformation-custom-resource-response-useast1/x',
    'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com:8443/x',
    'https://user:pw@cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x',
    'https://attacker-cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x',
    'http://127.0.0.1:8080/x',
    'not a url',
    'https://cloudformation-custom-resource-response-attacker.s3.amazonaws.com/x',
    'https://cloudformation-custom-resource-response-us-east-1.s3.amazonaws.com/x',
    'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com.cn/x',
    'https://cloudformation-custom-resource-response-cnnorth1.s3.cn-north-1.amazonaws.com/x',
    'https://s3.amazonaws.com/cloudformation-custom-resource-response-anything/x',
  ])('refuses %s', (url) => {
    expect(admitResponseUrl(url, [], 'us-east-1')).toBeUndefined();
  });

  it('admits extra hosts on any port, http or https, whatever the stack\'s region, and nothing else on them', () => {
    expect(admitResponseUrl('http://127.0.0.1:8080/x', ['127.0.0.1'], 'us-east-1')).toBeDefined();
    expect(admitResponseUrl('http://127.0.0.1:8080/x', ['127.0.0.1'], undefined)).toBeDefined();
    expect(admitResponseUrl('https://localhost/x', ['localhost'], 'eu-west-1')).toBeDefined();
    expect(admitResponseUrl('ftp://127.0.0.1/x', ['127.0.0.1'], 'us-east-1')).toBeUndefined();
    expect(admitResponseUrl('http://127.0.0.2/x', ['127.0.0.1'], 'us-east-1')).toBeUndefined();
  });

  it.each([
    ['arn:aws:cloudformation:us-east-1:222222222222:stack/member/00000000-0000-4000-8000-222222222222', 'us-east-1'],
    ['arn:aws-us-gov:cloudformation:us-gov-west-1:222222222222:stack/member/1', 'us-gov-west-1'],
    ['arn:aws-cn:cloudformation:cn-north-1:222222222222:stack/member/1', 'cn-north-1'],
    ['arn:aws:cloudformation:cn-north-1:222222222222:stack/member/1', undefined],
    ['arn:aws:cloudformation:useast1:222222222222:stack/member/1', undefined],
    ['arn:aws:cloudformation::222222222222:stack/member/1', undefined],
    ['arn:aws:s3:::bucket', undefined],
    [undefined, undefined],
  ])('reads the region of StackId %s as %s', (stackId, region) => {
    expect(regionOfStackId(stackId)).toBe(region);
  });
});

describe('ResponseURL expiry (R39 retries and duplicates)', () => {
  const base = 'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/arn%3Aaws/abc';
  const sigV4 = (date: string, expires: string) => new URL(`${base}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=${date}&X-Amz-Expires=${expires}&X-Amz-Signature=s`);
  const at = (iso: string) => new Date(iso);

  it('reads a SigV4 URL\'s expiry from X-Amz-Date plus X-Amz-Expires', () => {
    expect(responseUrlExpiry(sigV4('20240813T061006Z', '7200'))?.toISOString()).toBe('2024-08-13T08:10:06.000Z');
  });

  it('reads a SigV2 URL\'s expiry from Expires (epoch seconds)', () => {
    expect(responseUrlExpiry(new URL(`${base}?AWSAccessKeyId=A&Expires=1510162268&Signature=s`))?.toISOString()).toBe('2017-11-08T17:31:08.000Z');
  });

  it('says nothing of a URL without those parameters or with values S3 would not sign, so it is judged as before', () => {
    expect(responseUrlExpiry(new URL(`${base}?X-Amz-Signature=s`))).toBeUndefined();
    expect(responseUrlExpiry(new URL('http://127.0.0.1:8080/create?X-Amz-Signature=secret-signature'))).toBeUndefined();
    expect(responseUrlExpiry(new URL(`${base}?X-Amz-Date=20240813T061006Z&X-Amz-Signature=s`))).toBeUndefined();
    expect(responseUrlExpiry(sigV4('2024-08-13T06:10:06Z', '7200'))).toBeUndefined();
    expect(responseUrlExpiry(sigV4('20241313T061006Z', '7200'))).toBeUndefined();
    expect(responseUrlExpiry(sigV4('20240813T061006Z', '-1'))).toBeUndefined();
    expect(responseUrlExpiry(new URL(`${base}?Expires=soon`))).toBeUndefined();
  });

  it('takes the earlier expiry when a URL carries both forms', () => {
    const url = new URL(`${base}?X-Amz-Date=20240813T061006Z&X-Amz-Expires=7200&Expires=1723529406`);
    expect(responseUrlExpiry(url)?.toISOString()).toBe('2024-08-13T06:10:06.000Z');
  });

  it('is expired only after its last second, judged by the clock it is given', () => {
    const url = sigV4('20240813T061006Z', '7200');
    expect(responseUrlExpired(url, at('2024-08-13T06:10:06Z'))).toBe(false);
    expect(responseUrlExpired(url, at('2024-08-13T08:10:06.000Z'))).toBe(false);
    expect(responseUrlExpired(url, at('2024-08-13T08:10:06.001Z'))).toBe(true);
    expect(responseUrlExpired(url, at('2026-01-01T00:00:00Z'))).toBe(true);
  });

  it('never holds a URL without an expiry for expired', () => {
    expect(responseUrlExpired(new URL(`${base}?X-Amz-Signature=s`), at('2100-01-01T00:00:00Z'))).toBe(false);
  });
});

describe('response body (R18)', () => {
  const fields = { Status: 'FAILED' as const, PhysicalResourceId: 'id', StackId: 's', RequestId: 'r', LogicalResourceId: 'l' };

  it('keeps a short body as it is', () => {
    expect(JSON.parse(responseBody({ ...fields, Reason: 'short' }))).toEqual({ ...fields, Reason: 'short' });
  });

  it('cuts a long Reason to fit 4,096 bytes on a character boundary', () => {
    const reason = '€𝄞'.repeat(3000);
    const body = responseBody({ ...fields, Reason: reason });
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
    expect(Buffer.byteLength(body)).toBeGreaterThan(MAX_RESPONSE_BYTES - 8);
    const parsed = JSON.parse(body) as { Reason: string };
    expect(parsed.Reason.endsWith('…')).toBe(true);
    expect(parsed.Reason).not.toMatch(/\uFFFD/);
    expect(reason.startsWith(parsed.Reason.slice(0, -1))).toBe(true);
  });
});

describe('response body limits and the PhysicalResourceId (R18)', () => {
  const fields = { Status: 'FAILED' as const, StackId: 'arn:aws:cloudformation:us-east-1:222222222222:stack/member/1', RequestId: 'req-1', LogicalResourceId: 'Enrollment' };

  it('fits 4,096 bytes even when the PhysicalResourceId alone is larger, and stays deterministic', () => {
    const id = `222222222222;${'x'.repeat(5000)}`;
    const body = responseBody({ ...fields, PhysicalResourceId: id, Reason: 'r'.repeat(3000) });
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
    const parsed = JSON.parse(body) as { PhysicalResourceId: string; Reason: string };
    expect(Buffer.byteLength(parsed.PhysicalResourceId)).toBeLessThanOrEqual(1024);
    expect(parsed.PhysicalResourceId.startsWith('222222222222;xxx')).toBe(true);
    expect(parsed.Reason.length).toBeGreaterThan(100);
    expect(responseBody({ ...fields, PhysicalResourceId: id, Reason: 'r'.repeat(3000) })).toBe(body);
    const everything = responseBody({ ...fields, StackId: 's'.repeat(5000), RequestId: 'q'.repeat(5000), LogicalResourceId: 'l'.repeat(5000), PhysicalResourceId: id, Reason: 'r'.repeat(5000) });
    expect(Buffer.byteLength(everything)).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
  });

  it('always carries a non-empty PhysicalResourceId', () => {
    for (const missing of [undefined, '']) {
      const parsed = JSON.parse(responseBody({ ...fields, PhysicalResourceId: missing as unknown as string })) as { PhysicalResourceId: string };
      expect(parsed.PhysicalResourceId).toMatch(/^222222222222;not-enrolled;req-1$/);
    }
  });
});

describe('response PUT outcomes (R18)', () => {
  let server: Server;
  let answers: number[];
  let requests: number;
  beforeEach(async () => {
    requests = 0;
    server = createServer((request, response) => {
      requests++;
      request.resume();
      const status = answers.shift() ?? 200;
      response.writeHead(status, status === 307 ? { location: 'http://127.0.0.1:1/elsewhere' } : {});
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = () => new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/r`);

  it.each([403, 307, 400])('does not count HTTP %i as delivered and does not retry it', async (status) => {
    answers = [status];
    const sent = await sendResponse(url(), '{}', Date.now() + 10_000);
    expect(sent.error).toMatch(new RegExp(`${status}`));
    expect(sent.attempts).toBe(1);
    expect(requests).toBe(1);
  });

  it('retries 429 and 5xx, then delivers', async () => {
    answers = [503, 429, 200];
    const sent = await sendResponse(url(), '{}', Date.now() + 10_000);
    expect(sent).toEqual({ statusCode: 200, attempts: 3 });
  });
});
