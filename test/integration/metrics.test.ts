// SPEC R36 counts of the handler against moto: every request and every reconcile writes one EMF record with what
// happened, also when the timeout guard answers, and before the response goes out.
import { Harness, only, useHarness } from '../support/harness';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const MEMBER = '222222222222';
const SCHEDULED = { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} };
const DEPLOYMENT = 'enrollment-metrics-test';

let h: Harness;
useHarness({ harness: (x) => (h = x), estate: () => undefined });

const saved = process.env.METRICS_DEPLOYMENT;
beforeAll(() => {
  process.env.METRICS_DEPLOYMENT = DEPLOYMENT;
});
afterAll(() => {
  if (saved === undefined) delete process.env.METRICS_DEPLOYMENT;
  else process.env.METRICS_DEPLOYMENT = saved;
});

/** Runs `work` and returns the EMF records it wrote, parsed. */
async function recordsOf(work: () => Promise<unknown>): Promise<Json[]> {
  const before = h.metricRecords.length;
  await work();
  return h.metricRecords.slice(before).map((line) => JSON.parse(line));
}

function expectOneRecord(records: Json[], values: Record<string, number>): void {
  expect(records).toHaveLength(1);
  const [record] = records;
  expect(record._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'CloudTrailEnrollment', Dimensions: [['Deployment']] });
  expect(record).toMatchObject({ Deployment: DEPLOYMENT, ...values });
}

describe('requests', () => {
  it('a Create that enrolls counts one succeeded request and no failed one', async () => {
    let status = '';
    const records = await recordsOf(async () => (status = only(await h.invoke(h.request('Create', { AccountId: MEMBER }))).Status));
    expect(status).toBe('SUCCESS');
    expectOneRecord(records, { RequestsSucceeded: 1, RequestsFailed: 0 });
  });

  it('a Create that fails counts one failed request', async () => {
    let status = '';
    const event = h.request('Create', { AccountId: '333333333333' }, { stackAccount: MEMBER });
    const records = await recordsOf(async () => (status = only(await h.invoke(event)).Status));
    expect(status).toBe('FAILED');
    expectOneRecord(records, { RequestsSucceeded: 0, RequestsFailed: 1 });
  });

  it('a request the timeout guard answers still counts as failed, written before the response goes out', async () => {
    // How many metric records existed at the moment each response arrived.
    const recordsAtResponse: number[] = [];
    const received = h.responses.received;
    const push = received.push;
    received.push = (...items) => {
      recordsAtResponse.push(h.metricRecords.length);
      return push.apply(received, items);
    };
    try {
      h.proxy.inject({ operation: 'GetBucketPolicy', delayMs: 4000 });
      const before = h.metricRecords.length;
      let body: Json;
      const records = await recordsOf(async () => (body = only(await h.invoke(h.request('Create', { AccountId: MEMBER }), 3000))));
      expect(body.Status).toBe('FAILED');
      expect(body.Reason).toMatch(/^The function ran out of time while reading the bucket policy/);
      expectOneRecord(records, { RequestsSucceeded: 0, RequestsFailed: 1 });
      expect(recordsAtResponse).toEqual([before + 1]);
    } finally {
      received.push = push;
      h.proxy.heal();
    }
  });
});

describe('reconciles', () => {
  it('a reconcile that succeeds counts ReconcileSucceeded 1 and ReconcileFailed 0', async () => {
    const records = await recordsOf(() => h.invoke(SCHEDULED));
    expectOneRecord(records, { ReconcileSucceeded: 1, ReconcileFailed: 0 });
  });

  it('a reconcile that cannot read the ledger counts ReconcileFailed 1 and ReconcileSucceeded 0', async () => {
    h.proxy.inject({ operation: 'Query', status: 400, code: 'AccessDeniedException' });
    const records = await recordsOf(() => h.invoke(SCHEDULED));
    expectOneRecord(records, { ReconcileSucceeded: 0, ReconcileFailed: 1 });
    expect(h.logs.join('\n')).toContain('reconcile failed');
  });

  it('a reconcile that runs out of time counts as failed', async () => {
    h.proxy.inject({ operation: 'Query', delayMs: 4000 });
    const records = await recordsOf(() => h.invoke(SCHEDULED, 3000));
    expectOneRecord(records, { ReconcileSucceeded: 0, ReconcileFailed: 1 });
    expect(h.logs.join('\n')).toContain('reconcile ran out of time');
  });
});
