// SPEC R36: every alarm and dashboard widget of template.yaml names a metric, namespace and dimension set that the
// code really emits. Requests, refusals, a hand edit and its repair, reconciles and a delivery check run against
// moto; their EMF records are then held against the template with the pure tie of test/support/metric-tie.ts.
import { loadTemplate } from '../support/cfn-template';
import { Harness, only, useHarness } from '../support/harness';
import { emittedMetrics, untiedReferences } from '../support/metric-tie';
import { Estate } from '../../devtools/estate';
import { METRIC_NAMES } from '../../src/metrics/metric-names';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const MEMBER = '222222222222';
const REFUSED = '444444444444';
const WRITE = 'AWSCloudTrailWrite20131101';
const SCHEDULED = { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} };
const DELIVERY_CHECK = { check: 'delivery' };
const template = loadTemplate('template.yaml');

let h: Harness;
let records: string[];
/** The policies' compact sizes right after the enrollment, and that request's record. */
let afterCreate: { bucketBytes: number; keyBytes: number; record: Json };

useHarness({ harness: (x) => (h = x) });

const compactBytes = (policy: string | undefined) => (policy ? Buffer.byteLength(JSON.stringify(JSON.parse(policy))) : 0);

async function editBucketPolicy(estate: Estate, edit: (statements: Json[]) => void): Promise<void> {
  const policy = JSON.parse((await estate.readBucketPolicy())!);
  edit(policy.Statement);
  await estate.putBucketPolicy(JSON.stringify(policy));
}

beforeAll(async () => {
  const estate = await h.estate();
  const before = h.metricRecords.length;
  const answer = async (event: unknown) => only(await h.invoke(event)).Status;

  // An enrollment, with the sizes of the policies it wrote.
  const enrolled = h.metricRecords.length;
  expect(await answer(h.request('Create', { AccountId: MEMBER }))).toBe('SUCCESS');
  afterCreate = {
    bucketBytes: compactBytes(await estate.readBucketPolicy()),
    keyBytes: compactBytes(await estate.readKeyPolicy()),
    record: JSON.parse(h.metricRecords.slice(enrolled).at(-1) ?? '{}'),
  };
  // A failed request (a stack naming another account) and a refused enrollment (a Deny on the member's path).
  expect(await answer(h.request('Create', { AccountId: '333333333333' }, { stackAccount: MEMBER }))).toBe('FAILED');
  await editBucketPolicy(estate, (statements) => statements.push({ Sid: 'Block', Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: `arn:aws:s3:::${estate.bucket}/AWSLogs/${REFUSED}/*` }));
  expect(await answer(h.request('Create', { AccountId: REFUSED }))).toBe('FAILED');
  // A hand edit that drops the member, put right by the next reconcile.
  await editBucketPolicy(estate, (statements) => {
    const write = statements.find((s) => s.Sid === WRITE);
    write.Resource = [write.Resource].flat().filter((r: string) => !r.includes(`/AWSLogs/${MEMBER}/`));
  });
  await h.invoke(SCHEDULED);
  // The delivery check, then the member leaves.
  await h.invoke(DELIVERY_CHECK);
  const physicalResourceId = `${MEMBER};bucket=${estate.bucket};prefix=;key=${estate.keyArn};trail=`;
  expect(await answer(h.request('Delete', { AccountId: MEMBER }, { physicalResourceId }))).toBe('SUCCESS');
  records = h.metricRecords.slice(before);
}, 120_000);

it('every alarm and dashboard widget of template.yaml names a metric, namespace and dimension set the code emitted', () => {
  expect(untiedReferences(template, records)).toEqual([]);
});

it('catches an alarm renamed to a metric nobody writes, or given a dimension nobody writes (the negative case)', () => {
  const baseline = new Set(untiedReferences(template, records));
  const added = (changed: Json) => untiedReferences(changed, records).filter((p) => !baseline.has(p));

  const renamed = structuredClone(template);
  renamed.Resources.RequestsFailedAlarm.Properties.MetricName = 'RequestFailed';
  expect(added(renamed)).toEqual(['alarm RequestsFailedAlarm: CloudTrailEnrollment RequestFailed [Deployment]: the code never emitted this metric']);

  const withService = structuredClone(template);
  withService.Resources.RequestsFailedAlarm.Properties.Dimensions.push({ Name: 'service', Value: 'cloudtrail-enrollment' });
  expect(added(withService)).toContain('alarm RequestsFailedAlarm: CloudTrailEnrollment RequestsFailed [Deployment, service]: the code emitted it only with [Deployment]');
});

it('every metric SPEC R36 lists is emitted by a request, a reconcile or the delivery check', () => {
  const emitted = new Set(emittedMetrics(records).map((m) => m.metric));
  expect(METRIC_NAMES.filter((name) => !emitted.has(name))).toEqual([]);
});

it('the enrollment\'s record says what happened: one request succeeded, capacity is the fuller policy\'s share of its limit', () => {
  expect(afterCreate.record).toMatchObject({ RequestsSucceeded: 1, RequestsFailed: 0 });
  const expected = Math.max((100 * afterCreate.bucketBytes) / 20_480, (100 * afterCreate.keyBytes) / 32_768);
  const reported = [afterCreate.record.PolicyCapacityUsedPercent].flat().at(-1);
  expect(typeof reported).toBe('number');
  expect(Math.abs(reported - expected)).toBeLessThanOrEqual(1);
});
