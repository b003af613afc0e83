/** The JSON body CloudFormation reads, at most 4,096 bytes: Reason is cut on a character boundary (SPEC R18). */
export const MAX_RESPONSE_BYTES = 4096;

export interface ResponseFields {
  Status: 'SUCCESS' | 'FAILED';
  Reason?: string;
  PhysicalResourceId: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  Data?: Record<string, string>;
}

const bytes = (body: ResponseFields) => Buffer.byteLength(JSON.stringify(body), 'utf8');

export function responseBody(fields: ResponseFields): string {
  if (bytes(fields) <= MAX_RESPONSE_BYTES) return JSON.stringify(fields);
  const characters = Array.from(fields.Reason ?? '');
  const withReason = (n: number): ResponseFields => ({ ...fields, Reason: `${characters.slice(0, n).join('')}…` });
  let low = 0;
  let high = characters.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (bytes(withReason(middle)) <= MAX_RESPONSE_BYTES) low = middle;
    else high = middle - 1;
  }
  const trimmed = withReason(low);
  if (bytes(trimmed) <= MAX_RESPONSE_BYTES) return JSON.stringify(trimmed);
  const { Data: _dropped, ...withoutData } = trimmed;
  return JSON.stringify(withoutData);
}
