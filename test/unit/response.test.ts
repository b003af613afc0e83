import { MAX_RESPONSE_BYTES, responseBody } from '../../src/response/response-body';
import { admitResponseUrl } from '../../src/response/response-url';

describe('ResponseURL allow-list (R18)', () => {
  it.each([
    'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/arn%3Aaws/abc?X-Amz-Signature=1',
    'https://cloudformation-custom-resource-response-euwest1.s3.eu-west-1.amazonaws.com/x',
    'https://cloudformation-custom-resource-response-us-gov-west-1.s3-us-gov-west-1.amazonaws.com/x',
    'https://cloudformation-custom-resource-response-cnnorth1.s3.cn-north-1.amazonaws.com.cn/x',
    'https://s3.us-west-2.amazonaws.com/cloudformation-custom-resource-response-uswest2/x',
    'https://s3.amazonaws.com/cloudformation-custom-resource-response-useast1/x',
  ])('admits %s', (url) => {
    expect(admitResponseUrl(url, [])).toBeDefined();
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
  ])('refuses %s', (url) => {
    expect(admitResponseUrl(url, [])).toBeUndefined();
  });

  it('admits extra hosts on any port, http or https, and nothing else on them', () => {
    expect(admitResponseUrl('http://127.0.0.1:8080/x', ['127.0.0.1'])).toBeDefined();
    expect(admitResponseUrl('https://localhost/x', ['localhost'])).toBeDefined();
    expect(admitResponseUrl('ftp://127.0.0.1/x', ['127.0.0.1'])).toBeUndefined();
    expect(admitResponseUrl('http://127.0.0.2/x', ['127.0.0.1'])).toBeUndefined();
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
