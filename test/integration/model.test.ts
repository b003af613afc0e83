// SPEC R26–R31 under load: a seeded, randomized run of Create/Update/Delete operations by several stacks per
// account, executed by concurrent OS processes through a proxy that injects throttling and 5xx errors, with
// processes killed now and then (Lambda then retries the same event), duplicate deliveries of answered requests
// (SNS delivers some twice), late duplicates of old requests (within the answer's retention, and after their
// ResponseURL expired) and a foreign writer rewriting the bucket policy. After one reconcile, both policies must equal
// what a simple model of the holders predicts, the ledger must hold no holding the model does not (orphans), and no
// request may have been answered two different ways.
// Replay a run with MODEL_SEED=<seed> npm test -- test/integration/model.test.ts
import { AttributeValue, DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { LEDGER_TABLE } from '../../devtools/ledger-table';
import { randomUUID } from 'node:crypto';
import type { ReceivedResponse } from '../../devtools/response-server';
import { Worker } from '../../devtools/worker-pool';
import { Fleet, startFleet } from '../../devtools/process-fleet';

const SEED = Number(process.env.MODEL_SEED ?? Date.now() % 1_000_000);
const ACCOUNTS = 30;
const STACKS_PER_ACCOUNT = 3;
const OPERATIONS = 300;
const SLOTS = 4;
const FAULT_RATE = 0.02;
const KILL_RATE = 0.01;
/** After an answer, the same event again at once (SNS at-least-once delivery). */
const DUPLICATE_RATE = 0.05;
/** Per operation, an old event sent again: as it was (its answer is still recorded), or with its ResponseURL expired. */
const LATE_RATE = 0.04;
const REMAINING_MS = 6000;
const PREFIXES = ['', 'org', 'audit'];
const OWNER = '111111111111';

/** mulberry32: a small seeded generator, so a run's operations and fault rates can be replayed. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Holder {
  account: string;
  stackId: string;
  busy: boolean;
  /** Where the model says this resource stands: its prefix and the id CloudFormation holds. */
  current?: { prefix: string; physicalId: string };
}

type Body = ReceivedResponse['body'];

const random = generator(SEED);
const faultRandom = generator(SEED ^ 0x5eed);
const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)]!;
const logsOf = (account: string, prefix: string) => `arn:aws:s3:::my-trail-bucket/${prefix ? `${prefix}/` : ''}AWSLogs/${account}/*`;

let fleet: Fleet;

/** The ledger's holdings, read from moto directly (not through the fault-injecting proxy). */
async function ledgerHoldings(): Promise<Array<{ stackId: string; accountId: string; logFilePrefix: string }>> {
  const dynamo = new DynamoDBClient({ region: 'us-east-1', endpoint: fleet.moto.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  const items: Array<Record<string, AttributeValue>> = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const out = await dynamo.send(new QueryCommand({ TableName: LEDGER_TABLE, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'ledger' } }, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  dynamo.destroy();
  return items.filter((i) => i.kind?.S === 'holding').map((i) => ({ stackId: i.stackId!.S!, accountId: i.accountId!.S!, logFilePrefix: i.logFilePrefix?.S ?? '' }));
}
beforeAll(async () => {
  fleet = await startFleet(SLOTS);
}, 60_000);
afterAll(async () => {
  await fleet?.stop();
});

it(`keeps both policies equal to the model of the holders (seed ${SEED})`, async () => {
  const stats = { operations: 0, requests: 0, faults: 0, kills: 0, retriesAfterKill: 0, foreignWrites: 0, duplicates: 0, lateDuplicates: 0, lateExpired: 0 };
  const history: CloudFormationCustomResourceEvent[] = [];
  const conflicts: string[] = [];
  const answersOf = (requestId: string) => fleet.responses.received.filter((r) => r.body.RequestId === requestId).map((r) => r.body);
  /** Every answer of a request must be the first one: same status, same id. */
  const checkAnswers = (requestId: string) => {
    const [first, ...later] = answersOf(requestId);
    for (const other of later) if (other.Status !== first!.Status || other.PhysicalResourceId !== first!.PhysicalResourceId) conflicts.push(`${requestId}: ${first!.Status} ${first!.PhysicalResourceId} then ${other.Status} ${other.PhysicalResourceId}`);
  };
  const holders: Holder[] = [];
  for (let a = 0; a < ACCOUNTS; a++) {
    const account = String(210_000_000_000 + a);
    for (let s = 0; s < STACKS_PER_ACCOUNT; s++) {
      holders.push({ account, busy: false, stackId: `arn:aws:cloudformation:us-east-${1 + s}:${account}:stack/StackSet-enrollment-${s}/${SEED}-${a}-${s}` });
    }
  }
  const counting = () => {
    const r = faultRandom();
    if (r < FAULT_RATE / 2) stats.faults++;
    return r;
  };
  fleet.proxy.inject({ operation: '*', probability: FAULT_RATE / 2, random: counting, status: 503, code: 'ServiceUnavailable' });
  fleet.proxy.inject({ operation: '*', probability: FAULT_RATE / 2, random: counting, status: 400, code: 'ThrottlingException' });

  // Lambda's side: a killed invocation is retried with the same event on a fresh instance.
  const send = async (slot: number, event: CloudFormationCustomResourceEvent): Promise<Body> => {
    for (let attempt = 0; ; attempt++) {
      stats.requests++;
      const worker: Worker = fleet.pool.workers[slot]!;
      let kill: NodeJS.Timeout | undefined;
      if (random() < KILL_RATE) {
        stats.kills++;
        kill = setTimeout(() => worker.kill(), 5 + random() * 80);
      }
      const response = await fleet.run(worker, event, REMAINING_MS);
      clearTimeout(kill);
      if (response) {
        history.push(event);
        if (random() < DUPLICATE_RATE) {
          stats.duplicates++;
          await fleet.run(fleet.pool.workers[slot]!, event, REMAINING_MS);
        }
        checkAnswers(event.RequestId);
        return response;
      }
      fleet.pool.replace(worker);
      stats.retriesAfterKill++;
      if (attempt > 5) throw new Error(`request ${event.RequestId} was never answered`);
    }
  };
  const request = (type: 'Create' | 'Update' | 'Delete', h: Holder, prefix: string, extra: Record<string, unknown> = {}) =>
    ({ ...fleet.request(type, { AccountId: h.account, LogFilePrefix: prefix }, { stackId: h.stackId }), RequestId: randomUUID(), ...extra }) as CloudFormationCustomResourceEvent;
  // CloudFormation's side: a failed Create is rolled back with a Delete, a failed Update with an Update back,
  // and an operator retries a failed Delete; each until it succeeds.
  const untilSuccess = async (slot: number, make: () => CloudFormationCustomResourceEvent): Promise<Body> => {
    for (let attempt = 0; attempt < 8; attempt++) {
      const response = await send(slot, make());
      if (response.Status === 'SUCCESS') return response;
    }
    throw new Error('a rollback or retried Delete kept failing');
  };

  // An old request delivered again, hours late: answered as before while its answer is kept, else (its presigned
  // ResponseURL expired) neither acted on nor answered.
  const lateDuplicate = async (slot: number) => {
    const old = pick(history);
    const expired = random() < 0.5;
    const before = answersOf(old.RequestId).length;
    if (expired) {
      stats.lateExpired++;
      const url = new URL(old.ResponseURL);
      url.searchParams.set('X-Amz-Date', new Date(Date.now() - 3 * 3_600_000).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z'));
      url.searchParams.set('X-Amz-Expires', '7200');
      await fleet.pool.workers[slot]!.invoke({ ...old, ResponseURL: url.toString() }, REMAINING_MS).catch(() => undefined);
      if (answersOf(old.RequestId).length !== before) conflicts.push(`${old.RequestId}: answered although its ResponseURL had expired`);
    } else {
      stats.lateDuplicates++;
      await fleet.run(fleet.pool.workers[slot]!, old, REMAINING_MS);
      checkAnswers(old.RequestId);
    }
  };

  const operate = async (slot: number, h: Holder) => {
    stats.operations++;
    if (history.length > 0 && random() < LATE_RATE) await lateDuplicate(slot);
    if (!h.current) {
      const prefix = pick(PREFIXES);
      const created = await send(slot, request('Create', h, prefix));
      if (created.Status === 'SUCCESS') h.current = { prefix, physicalId: created.PhysicalResourceId };
      else await untilSuccess(slot, () => request('Delete', h, prefix, { PhysicalResourceId: created.PhysicalResourceId }));
      return;
    }
    const { prefix: old, physicalId } = h.current;
    const roll = random();
    if (roll < 0.4) {
      await untilSuccess(slot, () => request('Delete', h, old, { PhysicalResourceId: physicalId }));
      h.current = undefined;
      return;
    }
    const prefix = roll < 0.7 ? old : pick(PREFIXES);
    const oldProperties = { ServiceToken: 'token', AccountId: h.account, LogFilePrefix: old };
    const updated = await send(slot, request('Update', h, prefix, { PhysicalResourceId: physicalId, OldResourceProperties: oldProperties }));
    if (updated.Status === 'SUCCESS') {
      if (updated.PhysicalResourceId !== physicalId) await untilSuccess(slot, () => request('Delete', h, prefix, { PhysicalResourceId: physicalId }));
      h.current = { prefix, physicalId: updated.PhysicalResourceId };
    } else {
      const newProperties = { ServiceToken: 'token', AccountId: h.account, LogFilePrefix: prefix };
      await untilSuccess(slot, () => request('Update', h, old, { PhysicalResourceId: updated.PhysicalResourceId, OldResourceProperties: newProperties }));
    }
  };

  // A foreign writer (a person, another tool) rewrites the bucket policy without one random member entry.
  const foreignWritten = new Set<string>();
  let writing = true;
  const foreign = (async () => {
    while (writing) {
      await new Promise((r) => setTimeout(r, 200 + random() * 400));
      const text = await fleet.estate.readBucketPolicy();
      if (!text) continue;
      const policy = JSON.parse(text);
      const statement = policy.Statement.find((s: { Sid?: string }) => s.Sid === 'AWSCloudTrailWrite20131101');
      const members = statement ? [statement.Resource].flat().filter((r: string) => !r.includes(`/${OWNER}/`)) : [];
      if (members.length === 0) continue;
      const victim = pick(members);
      statement.Resource = [statement.Resource].flat().filter((r: string) => r !== victim);
      for (const resource of statement.Resource) foreignWritten.add(resource);
      await fleet.estate.putBucketPolicy(JSON.stringify(policy));
      stats.foreignWrites++;
    }
  })();

  let started = 0;
  const slots = Array.from({ length: SLOTS }, async (_, slot) => {
    while (started < OPERATIONS) {
      const idle = holders.filter((h) => !h.busy);
      const h = pick(idle);
      started++;
      h.busy = true;
      try {
        await operate(slot, h);
      } finally {
        h.busy = false;
      }
    }
  });
  await Promise.all(slots);
  writing = false;
  await foreign;

  fleet.proxy.heal();
  const logged = fleet.pool.logs.length;
  await fleet.reconcile(fleet.pool.workers[0]!);
  const unheld = fleet.pool.logs.slice(logged).flatMap((line) => {
    const entry = JSON.parse(line) as { message?: string; entries?: string[] };
    return entry.message?.startsWith('policy entries that no stack holds') ? (entry.entries ?? []) : [];
  });

  const expectedBucket = new Set([logsOf(OWNER, ''), ...holders.flatMap((h) => (h.current ? [logsOf(h.account, h.current.prefix)] : []))]);
  const expectedKey = new Set([OWNER, ...holders.filter((h) => h.current).map((h) => h.account)]);
  const actualBucket = new Set(await fleet.estate.bucketResources());
  const actualKey = new Set(await fleet.keyAccounts());

  const lost = [...[...expectedBucket].filter((r) => !actualBucket.has(r)), ...[...expectedKey].filter((a) => !actualKey.has(a))];
  // Holdings the model has no resource for: a failed request's leftover, or a duplicate acted on twice.
  const modelHoldings = new Set(holders.flatMap((h) => (h.current ? [`${h.stackId} ${h.account} ${h.current.prefix}`] : [])));
  const orphans = (await ledgerHoldings()).filter((h) => !modelHoldings.has(`${h.stackId} ${h.accountId} ${h.logFilePrefix}`)).map((h) => `${h.accountId} '${h.logFilePrefix}' ${h.stackId}`);
  const extraBucket = [...actualBucket].filter((r) => !expectedBucket.has(r));
  const extraKey = [...actualKey].filter((a) => !expectedKey.has(a));
  console.log(
    `model seed=${SEED} operations=${stats.operations} requests=${stats.requests} injected faults=${stats.faults} killed processes=${stats.kills} ` +
      `retried after kill=${stats.retriesAfterKill} duplicates=${stats.duplicates} late duplicates=${stats.lateDuplicates} late expired=${stats.lateExpired} ` +
      `foreign writes=${stats.foreignWrites} held entries=${expectedBucket.size - 1} entries lost=${lost.length} orphaned holdings=${orphans.length} ` +
      `conflicting answers=${conflicts.length} foreign resurrections kept as found=${extraBucket.length}`,
  );
  expect(lost).toEqual([]);
  expect(orphans).toEqual([]);
  expect(conflicts).toEqual([]);
  expect(extraKey).toEqual([]);
  // An entry the model does not hold may remain only where the foreign writer wrote it back from a stale read:
  // the ledger cannot tell it from a hand-made entry, so it is kept and reported as held by no stack (R26, R31).
  for (const resource of extraBucket) {
    expect(foreignWritten.has(resource)).toBe(true);
    expect(unheld).toContain(resource);
  }
}, 600_000);
