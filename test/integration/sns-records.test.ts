// SNS-wrapped requests (SPEC R3): every record answered, each within its own share of the time left; an event
// with more records than SNS ever delivers is hand-made and refused whole. The built bundle against moto.
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { Estate } from '../../devtools/estate';
import { Harness, only, useHarness } from '../support/harness';

const TOPIC_ARN = 'arn:aws:sns:us-east-1:111111111111:cloudtrail-enrollment-EnrollmentTopic-AbCdEfGh1234';

let h: Harness;
let estate: Estate;

useHarness({ harness: (x) => (h = x), estate: (x) => (estate = x) });

/** An SNS event as Lambda receives it from the topic, one record per request. */
function snsEvent(requests: CloudFormationCustomResourceEvent[]): unknown {
  return {
    Records: requests.map((request) => ({
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      EventSubscriptionArn: `${TOPIC_ARN}:${randomUUID()}`,
      Sns: {
        Type: 'Notification',
        MessageId: randomUUID(),
        TopicArn: TOPIC_ARN,
        Subject: 'AWS CloudFormation custom resource request',
        Message: JSON.stringify(request),
        Timestamp: new Date().toISOString(),
        MessageAttributes: {},
      },
    })),
  };
}

/** Distinct member accounts 222222222201, 222222222202, … */
const member = (n: number) => `2222222222${String(n).padStart(2, '0')}`;
const creates = (count: number) => Array.from({ length: count }, (_, i) => h.request('Create', { AccountId: member(i + 1) }));
const bucketLists = async (account: string) => ((await estate.readBucketPolicy()) ?? '').includes(`AWSLogs/${account}/*`);
const keyLists = async (account: string) => (await estate.readKeyPolicy()).includes(`:${account}:trail/*`);

describe('SNS records (R3)', () => {
  it('answers a one-record event like the request itself', async () => {
    const [request] = creates(1);
    const response = only(await h.invoke(snsEvent([request!])));
    expect(response).toMatchObject({ Status: 'SUCCESS', RequestId: request!.RequestId, LogicalResourceId: 'Enrollment' });
    expect(await bucketLists(member(1))).toBe(true);
    expect(await keyLists(member(1))).toBe(true);
  });

  it('answers each of 10 records, each with its own response', async () => {
    const requests = creates(10);
    const responses = await h.invoke(snsEvent(requests));
    expect(responses).toHaveLength(10);
    expect(responses.map((r) => r.body.RequestId).sort()).toEqual(requests.map((r) => r.RequestId).sort());
    expect(responses.map((r) => r.body.Status)).toEqual(Array(10).fill('SUCCESS'));
    for (let n = 1; n <= 10; n++) expect(await bucketLists(member(n))).toBe(true);
  });

  it('refuses an 11-record event whole: nothing answered, no AWS call, one warning line (a refusal, not a failure)', async () => {
    const bucketBefore = await estate.readBucketPolicy();
    const keyBefore = await estate.readKeyPolicy();
    h.proxy.clear();
    const logged = h.logs.length;
    const responses = await h.invoke(snsEvent(creates(11)));
    expect(responses).toEqual([]);
    expect(h.proxy.count()).toBe(0);
    const lines = h.logs.slice(logged).map((line) => JSON.parse(line));
    expect(lines).toEqual([expect.objectContaining({ level: 'WARN', records: 11, message: expect.stringContaining('hand-made') })]);
    expect(await estate.readBucketPolicy()).toBe(bucketBefore);
    expect(await estate.readKeyPolicy()).toBe(keyBefore);
  });

  it('refuses a record that holds no request with a warning and answers the others', async () => {
    const [request] = creates(1);
    const event = snsEvent([request!]) as { Records: Array<{ Sns: { Message: string } }> };
    event.Records.unshift({ ...event.Records[0]!, Sns: { ...event.Records[0]!.Sns, Message: 'not json' } });
    const logged = h.logs.length;
    const responses = await h.invoke(event);
    expect(responses.map((r) => r.body.RequestId)).toEqual([request!.RequestId]);
    const refusals = h.logs.slice(logged).map((line) => JSON.parse(line)).filter((l) => l.record === 0);
    expect(refusals).toEqual([expect.objectContaining({ level: 'WARN', record: 0 })]);
  });

  it('still answers records 2 and 3 when the guard fires on record 2 of 3, before the deadline', async () => {
    const requests = creates(3);
    const answeredBefore = h.responses.received.length;
    let held = false;
    // Hold record 2's first bucket policy read (the first read after record 1 was answered) past its share.
    h.proxy.inject({
      operation: 'GetBucketPolicy',
      before: async () => {
        if (held || h.responses.received.length - answeredBefore !== 1) return;
        held = true;
        await new Promise((resolve) => setTimeout(resolve, 6000).unref());
      },
    });
    const remainingMs = 9000;
    const started = Date.now();
    const responses = await h.invoke(snsEvent(requests), remainingMs);
    const elapsed = Date.now() - started;

    expect(held).toBe(true);
    expect(elapsed).toBeLessThan(remainingMs);
    expect(responses.map((r) => r.body.RequestId)).toEqual(requests.map((r) => r.RequestId));
    const [first, second, third] = responses.map((r) => r.body);
    expect(first!.Status).toBe('SUCCESS');
    expect(second!.Status).toBe('FAILED');
    expect(second!.Reason).toMatch(/^The function ran out of time while reading the bucket policy; this request had written no policy/);
    expect(third!.Status).toBe('SUCCESS');
    expect(await bucketLists(member(1))).toBe(true);
    expect(await bucketLists(member(3))).toBe(true);
    expect(await keyLists(member(3))).toBe(true);
    // Record 2's holding was recorded before its guard fired, so record 3's projection applied it (R30); the
    // FAILED answer carries record 2's enrollment id, and CloudFormation's rollback Delete of it removes it (R29).
    expect(second!.PhysicalResourceId.startsWith(`${member(2)};bucket=`)).toBe(true);
    const rollback = h.request('Delete', { AccountId: member(2) }, { stackId: requests[1]!.StackId, physicalResourceId: second!.PhysicalResourceId });
    expect((await h.invoke(rollback)).map((r) => r.body.Status)).toEqual(['SUCCESS']);
    expect(await bucketLists(member(2))).toBe(false);
    expect(await keyLists(member(2))).toBe(false);
  });
});
