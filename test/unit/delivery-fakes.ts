import { ListingRequest, LogObjectReader } from '../../src/delivery/ports';
import { ObjectEncryption } from '../../src/delivery/trail-key';

/** A call the fake bucket answered, in order. */
export type FakeCall = { op: 'list'; request: ListingRequest } | { op: 'head'; key: string };

/**
 * The delivery check's port over an in-memory bucket with S3's listing rules: keys in ascending order, Prefix,
 * StartAfter, at most 1,000 keys a page and a continuation token. Optional failures and a delay per call.
 */
export class FakeBucket implements LogObjectReader {
  readonly calls: FakeCall[] = [];
  private readonly objects = new Map<string, ObjectEncryption>();
  inFlight = 0;
  maxInFlight = 0;

  constructor(private readonly options: { delayMs?: number; fail?: (call: FakeCall) => Error | undefined } = {}) {}

  put(key: string, encryption: ObjectEncryption = { serverSideEncryption: 'AES256' }): this {
    this.objects.set(key, encryption);
    return this;
  }

  private async answer<T>(call: FakeCall, signal: AbortSignal, result: () => T): Promise<T> {
    this.calls.push(call);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.options.delayMs) await new Promise((r) => setTimeout(r, this.options.delayMs));
      if (signal.aborted) throw Object.assign(new Error('aborted'), { name: 'AbortError' });
      const failure = this.options.fail?.(call);
      if (failure) throw failure;
      return result();
    } finally {
      this.inFlight--;
    }
  }

  list(request: ListingRequest, signal: AbortSignal) {
    return this.answer({ op: 'list', request }, signal, () => {
      const after = request.continuationToken ?? request.startAfter ?? '';
      const keys = [...this.objects.keys()].filter((k) => k.startsWith(request.prefix) && k > after).sort();
      const page = keys.slice(0, 1000);
      return { keys: page, ...(keys.length > 1000 ? { nextToken: page.at(-1)! } : {}) };
    });
  }

  head(key: string, signal: AbortSignal) {
    return this.answer({ op: 'head', key }, signal, () => {
      const found = this.objects.get(key);
      if (!found) throw Object.assign(new Error('Not Found'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } });
      return found;
    });
  }
}
