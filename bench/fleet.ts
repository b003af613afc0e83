/**
 * Section 3: fleet rollout. 200 member accounts enrolled one after another through the built handler (as the
 * function's reserved concurrency of 1 serialises StackSet instances), then all removed, against moto.
 */
import type { AwsProxy } from '../devtools/aws-proxy';
import type { Estate } from '../devtools/estate';
import { cfnEvent } from '../devtools/events';
import type { ResponseServer } from '../devtools/response-server';
import { samePolicy } from '../devtools/semantic';
import { bucketResourceOf, bucketResources, describeFailure, Invoker, keyPatterns, trailPatternOf } from './harness';
import { heading, median, ms, percentile, printTable, Problems } from './report';

export const FLEET_SIZE = 200;
const FIRST_MEMBER = 200_000_000_000;

export interface PhaseResult {
  requests: number;
  succeeded: number;
  totalMs: number;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
  awsCalls: Record<string, number>;
  /** How many of the fleet each policy lists after the phase. */
  listedInBucketPolicy: number;
  listedInKeyPolicy: number;
  bucketPolicyBytes: number;
  keyPolicyBytes: number;
}

export interface FleetResult {
  accounts: number;
  firstAccount: string;
  lastAccount: string;
  enroll: PhaseResult;
  remove: PhaseResult;
  policiesBackToStart: { bucket: boolean; key: boolean };
}

export function fleetAccounts(size = FLEET_SIZE): string[] {
  return Array.from({ length: size }, (_, i) => String(FIRST_MEMBER + i));
}

export async function measureFleet(invoker: Invoker, proxy: AwsProxy, responses: ResponseServer, estate: Estate, problems: Problems, size = FLEET_SIZE): Promise<FleetResult> {
  heading(`3. Fleet rollout: ${size} member accounts enrolled one at a time, then removed (built handler, moto behind the counting proxy)`);
  const accounts = fleetAccounts(size);
  const bucketAtStart = await estate.readBucketPolicy();
  const keyAtStart = await estate.readKeyPolicy();
  const ids = new Map<string, string>();

  const phase = async (kind: 'enroll' | 'remove'): Promise<PhaseResult> => {
    proxy.clear();
    const times: number[] = [];
    let succeeded = 0;
    const phaseStart = process.hrtime.bigint();
    for (const account of accounts) {
      const responseUrl = responses.url(`${kind}-${account}`);
      const event =
        kind === 'enroll'
          ? cfnEvent('Create', { AccountId: account }, { responseUrl })
          : cfnEvent('Delete', { AccountId: account }, { responseUrl, physicalResourceId: ids.get(account) ?? '' });
      const invocation = await invoker.invoke(event);
      times.push(invocation.elapsedMs);
      const body = invocation.response?.body;
      if (problems.check(body?.Status === 'SUCCESS', describeFailure(`${kind} ${account}`, invocation))) succeeded++;
      if (kind === 'enroll' && body?.PhysicalResourceId) ids.set(account, body.PhysicalResourceId);
    }
    const totalMs = Number(process.hrtime.bigint() - phaseStart) / 1e6;
    const awsCalls: Record<string, number> = {};
    for (const call of proxy.calls) awsCalls[call.operation] = (awsCalls[call.operation] ?? 0) + 1;
    const bucketPolicy = await estate.readBucketPolicy();
    const keyPolicy = await estate.readKeyPolicy();
    const resources = bucketResources(bucketPolicy);
    const patterns = keyPatterns(keyPolicy);
    const inBucket = accounts.filter((a) => resources.has(bucketResourceOf(estate.bucket, a)));
    const inKey = accounts.filter((a) => patterns.has(trailPatternOf(a)));
    return {
      requests: accounts.length,
      succeeded,
      totalMs,
      medianMs: median(times),
      p95Ms: percentile(times, 95),
      maxMs: Math.max(...times),
      awsCalls,
      listedInBucketPolicy: inBucket.length,
      listedInKeyPolicy: inKey.length,
      bucketPolicyBytes: Buffer.byteLength(bucketPolicy ?? '', 'utf8'),
      keyPolicyBytes: Buffer.byteLength(keyPolicy, 'utf8'),
    };
  };

  const enroll = await phase('enroll');
  problems.check(enroll.listedInBucketPolicy === size, `after ${size} enrollments the bucket policy lists ${enroll.listedInBucketPolicy} of them`);
  problems.check(enroll.listedInKeyPolicy === size, `after ${size} enrollments the key policy lists ${enroll.listedInKeyPolicy} of them`);
  const remove = await phase('remove');
  problems.check(remove.listedInBucketPolicy === 0, `after ${size} removals the bucket policy still lists ${remove.listedInBucketPolicy} of them`);
  problems.check(remove.listedInKeyPolicy === 0, `after ${size} removals the key policy still lists ${remove.listedInKeyPolicy} of them`);
  const policiesBackToStart = { bucket: samePolicy(bucketAtStart, await estate.readBucketPolicy()), key: samePolicy(keyAtStart, await estate.readKeyPolicy()) };
  problems.check(policiesBackToStart.bucket && policiesBackToStart.key, `after the removals the ${[policiesBackToStart.bucket ? '' : 'bucket', policiesBackToStart.key ? '' : 'key'].filter(Boolean).join(' and ')} policy is not back to what it was before the rollout`);

  const calls = (p: PhaseResult) => Object.values(p.awsCalls).reduce((a, b) => a + b, 0);
  printTable(
    ['phase', 'requests', 'ok', 'total', 'per request (median)', 'p95', 'max', 'AWS calls', 'calls/request', 'listed in bucket / key policy after'],
    [
      ['enroll', enroll.requests, enroll.succeeded, ms(enroll.totalMs, 0), ms(enroll.medianMs), ms(enroll.p95Ms), ms(enroll.maxMs), calls(enroll), (calls(enroll) / size).toFixed(2), `${enroll.listedInBucketPolicy} / ${enroll.listedInKeyPolicy} of ${size}`],
      ['remove', remove.requests, remove.succeeded, ms(remove.totalMs, 0), ms(remove.medianMs), ms(remove.p95Ms), ms(remove.maxMs), calls(remove), (calls(remove) / size).toFixed(2), `${remove.listedInBucketPolicy} / ${remove.listedInKeyPolicy} of ${size}`],
    ],
  );
  console.log('');
  const ops = [...new Set([...Object.keys(enroll.awsCalls), ...Object.keys(remove.awsCalls)])].sort();
  printTable(['AWS operation', 'enroll phase', 'remove phase'], ops.map((op) => [op, enroll.awsCalls[op] ?? 0, remove.awsCalls[op] ?? 0]));
  console.log('');
  console.log(`policies with all ${size} enrolled: bucket ${enroll.bucketPolicyBytes.toLocaleString('en-US')} bytes, key ${enroll.keyPolicyBytes.toLocaleString('en-US')} bytes`);
  console.log(`after removing all ${size}: bucket policy back to the start: ${policiesBackToStart.bucket ? 'yes' : 'NO'}, key policy: ${policiesBackToStart.key ? 'yes' : 'NO'}`);
  return { accounts: size, firstAccount: accounts[0]!, lastAccount: accounts.at(-1)!, enroll, remove, policiesBackToStart };
}
