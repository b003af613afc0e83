import { createHash } from 'node:crypto';
import { accountOfStackId } from '../core/arns';
import { MAX_PHYSICAL_ID_BYTES, notEnrolledId } from '../lifecycle/physical-id';

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
const IDENTIFIERS = ['PhysicalResourceId', 'StackId', 'LogicalResourceId', 'RequestId'] as const;
/** Below this an identifier is not shortened further; four of them and the other fields still fit. */
const MIN_IDENTIFIER_BYTES = 96;

/** The longest prefix of the text whose JSON encoding fits the byte budget, cut between characters. */
function prefixFitting(text: string, budget: number): string {
  const characters = Array.from(text);
  let low = 0;
  let high = characters.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (Buffer.byteLength(JSON.stringify(characters.slice(0, middle).join('')), 'utf8') - 2 <= budget) low = middle;
    else high = middle - 1;
  }
  return characters.slice(0, low).join('');
}

/**
 * A value cut to the budget with a digest of the whole, so it stays deterministic (the same request gets the
 * same answer) and two long values that share their first kilobyte still differ.
 */
export function shortened(value: string, maxBytes: number): string {
  if (Buffer.byteLength(JSON.stringify(value), 'utf8') - 2 <= maxBytes) return value;
  const suffix = `…#${createHash('sha256').update(value).digest('hex').slice(0, 16)}`;
  return `${prefixFitting(value, maxBytes - Buffer.byteLength(suffix, 'utf8'))}${suffix}`;
}

/**
 * Every response carries a non-empty PhysicalResourceId (SPEC R18): a request without one (an unknown
 * RequestType, a hand-made event) gets the not-enrolled id of its stack's account, which names no enrollment.
 */
function physicalIdOrFallback(fields: ResponseFields): string {
  const id = fields.PhysicalResourceId;
  if (typeof id === 'string' && id !== '') return id;
  const account = accountOfStackId(typeof fields.StackId === 'string' ? fields.StackId : undefined);
  return notEnrolledId(account, typeof fields.RequestId === 'string' ? fields.RequestId : '');
}

/**
 * The body, at most 4,096 bytes. In order: a PhysicalResourceId over CloudFormation's 1,024-byte limit is
 * shortened (CloudFormation never issued it, so the request was hand-made, and an answer that fits is still
 * delivered instead of leaving the stack waiting), the Reason is cut, Data goes, and last the longest echoed
 * identifier is shortened until the body fits.
 */
export function responseBody(input: ResponseFields): string {
  let fields: ResponseFields = { ...input, PhysicalResourceId: shortened(physicalIdOrFallback(input), MAX_PHYSICAL_ID_BYTES) };
  if (bytes(fields) <= MAX_RESPONSE_BYTES) return JSON.stringify(fields);
  if (fields.Reason) {
    const overflow = bytes(fields) - MAX_RESPONSE_BYTES;
    const reasonBytes = Buffer.byteLength(JSON.stringify(fields.Reason), 'utf8') - 2;
    fields = { ...fields, Reason: `${prefixFitting(fields.Reason, Math.max(0, reasonBytes - overflow - 3))}…` };
    if (bytes(fields) <= MAX_RESPONSE_BYTES) return JSON.stringify(fields);
  }
  if (fields.Data) {
    const { Data: _dropped, ...withoutData } = fields;
    fields = withoutData;
    if (bytes(fields) <= MAX_RESPONSE_BYTES) return JSON.stringify(fields);
  }
  while (bytes(fields) > MAX_RESPONSE_BYTES) {
    const longest = IDENTIFIERS.reduce((a, b) => (String(fields[b] ?? '').length > String(fields[a] ?? '').length ? b : a));
    const value = String(fields[longest] ?? '');
    const size = Buffer.byteLength(JSON.stringify(value), 'utf8') - 2;
    if (size <= MIN_IDENTIFIER_BYTES) break;
    fields = { ...fields, [longest]: shortened(value, Math.max(MIN_IDENTIFIER_BYTES, size - (bytes(fields) - MAX_RESPONSE_BYTES))) };
  }
  return JSON.stringify(fields);
}
