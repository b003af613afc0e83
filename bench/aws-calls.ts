/**
 * Section 2: AWS calls per request, counted by the proxy in front of moto, for a new enrollment, a repeated
 * enrollment, a removal, and a removal of an account that is no longer listed (the same Delete sent twice).
 */
import type { AwsProxy } from '../devtools/aws-proxy';
import type { Estate } from '../devtools/estate';
import { cfnEvent } from '../devtools/events';
import type { ResponseServer } from '../devtools/response-server';
import { bucketResourceOf, bucketResources, describeFailure, Invoker, keyPatterns, trailPatternOf } from './harness';
import { heading, printTable, Problems } from './report';

export const SCENARIO_ACCOUNT = '222222222222';
const OWNER = '111111111111';

const OPERATIONS = ['GetBucketLocation', 'GetBucketPolicy', 'GetKeyPolicy', 'PutBucketPolicy', 'PutKeyPolicy', 'DeleteBucketPolicy'];
const WRITES = new Set(['PutBucketPolicy', 'PutKeyPolicy', 'DeleteBucketPolicy']);

interface Expectation {
  text: string;
  /** Exact counts of every operation (anything unlisted must be 0), or only the writes. */
  exact?: Record<string, number>;
  writes?: Record<string, number>;
}

const EXPECT_NEW: Expectation = {
  text: 'policy calls exactly: Location 1, GetBP 2, GetKP 2, PutBP 1, PutKP 1',
  exact: { GetBucketLocation: 1, GetBucketPolicy: 2, GetKeyPolicy: 2, PutBucketPolicy: 1, PutKeyPolicy: 1 },
};
const EXPECT_NO_WRITES: Expectation = { text: 'no Put/Delete', writes: {} };
const EXPECT_REMOVAL: Expectation = { text: 'writes: PutBP 1, PutKP 1 (no DeleteBP)', writes: { PutBucketPolicy: 1, PutKeyPolicy: 1 } };

export interface ScenarioResult {
  scenario: string;
  status: string;
  physicalResourceId: string;
  totalCalls: number;
  operations: Record<string, number>;
  sequence: string[];
  expectation: string;
  matches: boolean;
  enrolledAfter: { bucket: boolean; key: boolean };
}

function countsOf(proxy: AwsProxy): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const call of proxy.calls) counts[call.operation] = (counts[call.operation] ?? 0) + 1;
  return counts;
}

/** Policy calls are checked; the ledger's DynamoDB calls are reported in the "other" column. */
function matches(counts: Record<string, number>, expectation: Expectation): boolean {
  const ops = new Set([...Object.keys(counts), ...OPERATIONS]);
  if (expectation.exact) return OPERATIONS.every((op) => (counts[op] ?? 0) === (expectation.exact![op] ?? 0));
  return [...ops].filter((op) => WRITES.has(op) || op.startsWith('PUT ') || op.startsWith('DELETE ')).every((op) => (counts[op] ?? 0) === (expectation.writes![op] ?? 0));
}

export async function measureAwsCalls(invoker: Invoker, proxy: AwsProxy, responses: ResponseServer, estate: Estate, problems: Problems): Promise<ScenarioResult[]> {
  heading('2. AWS calls per request (counted by the proxy in front of moto)');
  const results: ScenarioResult[] = [];
  const enrolled = async () => ({
    bucket: bucketResources(await estate.readBucketPolicy()).has(bucketResourceOf(estate.bucket, SCENARIO_ACCOUNT)),
    key: keyPatterns(await estate.readKeyPolicy()).has(trailPatternOf(SCENARIO_ACCOUNT)),
  });
  const ownerListed = async () =>
    bucketResources(await estate.readBucketPolicy()).has(bucketResourceOf(estate.bucket, OWNER)) && keyPatterns(await estate.readKeyPolicy()).has(trailPatternOf(OWNER));

  const run = async (scenario: string, requestType: 'Create' | 'Delete', physicalResourceId: string | undefined, expectation: Expectation, wantEnrolled: boolean) => {
    proxy.clear();
    const event = cfnEvent(requestType, { AccountId: SCENARIO_ACCOUNT }, { responseUrl: responses.url(scenario.replaceAll(' ', '-')), ...(physicalResourceId ? { physicalResourceId } : {}) });
    const invocation = await invoker.invoke(event);
    // Copy before reading the policies back: the estate's own reads go straight to moto, not through the proxy.
    const counts = countsOf(proxy);
    const sequence = proxy.calls.map((c) => c.operation);
    const body = invocation.response?.body;
    problems.check(body?.Status === 'SUCCESS', describeFailure(scenario, invocation));
    const state = await enrolled();
    const wrong = [state.bucket !== wantEnrolled ? 'the bucket policy' : '', state.key !== wantEnrolled ? 'the key policy' : ''].filter(Boolean);
    problems.check(wrong.length === 0, `${scenario}: ${SCENARIO_ACCOUNT} is ${wantEnrolled ? 'missing from' : 'still in'} ${wrong.join(' and ')}`);
    problems.check(await ownerListed(), `${scenario}: the owner ${OWNER} is no longer listed in both policies`);
    const ok = matches(counts, expectation);
    problems.check(ok, `${scenario}: AWS calls ${JSON.stringify(counts)} do not match the expectation (${expectation.text}); sequence ${sequence.join(' > ')}`);
    const result: ScenarioResult = {
      scenario,
      status: body?.Status ?? 'NO RESPONSE',
      physicalResourceId: body?.PhysicalResourceId ?? '',
      totalCalls: sequence.length,
      operations: counts,
      sequence,
      expectation: expectation.text,
      matches: ok,
      enrolledAfter: state,
    };
    results.push(result);
    return result;
  };

  const created = await run('new enrollment', 'Create', undefined, EXPECT_NEW, true);
  await run('repeated enrollment', 'Create', undefined, EXPECT_NO_WRITES, true);
  await run('removal', 'Delete', created.physicalResourceId, EXPECT_REMOVAL, false);
  await run('removal of absent account', 'Delete', created.physicalResourceId, EXPECT_NO_WRITES, false);

  const others = [...new Set(results.flatMap((r) => Object.keys(r.operations)))].filter((op) => !OPERATIONS.includes(op));
  const short: Record<string, string> = {
    GetBucketLocation: 'Location',
    GetBucketPolicy: 'GetBP',
    GetKeyPolicy: 'GetKP',
    PutBucketPolicy: 'PutBP',
    PutKeyPolicy: 'PutKP',
    DeleteBucketPolicy: 'DelBP',
  };
  printTable(
    ['scenario', 'status', 'total', ...OPERATIONS.map((op) => short[op]!), ...(others.length ? ['other'] : []), 'expected', 'matches'],
    results.map((r) => [
      r.scenario,
      r.status,
      r.totalCalls,
      ...OPERATIONS.map((op) => r.operations[op] ?? 0),
      ...(others.length ? [others.filter((op) => r.operations[op]).map((op) => `${op} ${r.operations[op]}`).join(', ') || '-'] : []),
      r.expectation,
      r.matches ? 'yes' : 'NO',
    ]),
  );
  console.log('(Location = GetBucketLocation, BP = bucket policy, KP = key policy; other = the ledger\'s DynamoDB calls)');
  return results;
}
