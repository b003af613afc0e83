import { awsLedgerStore } from '../aws/aws-ledger';
import { describeLedgerTable, LEDGER_KEY_SCHEMA } from '../aws/aws-ledger-table';
import { awsPolicyStore } from '../aws/aws-policy-store';
import { readTopicPolicy } from '../aws/aws-topic';
import { s3ForcePathStyle } from '../config/settings';
import { Check } from '../doctor/check';
import { doctorExitCode, runDoctor } from '../doctor/doctor';
import { DoctorInput } from '../doctor/input';
import { keySchemaMatches } from '../doctor/ledger-checks';
import { DoctorArgs } from './args';
import { renderDoctorJson, renderDoctorText } from './doctor-render';
import { ledgerTableOf } from './ledger';
import { readEstate } from '../estate/read-estate';
import { resolveTargets } from './targets';
import { CLI_SETTINGS } from './wording';

type Env = Record<string, string | undefined>;

/**
 * cloudtrail-enrollment doctor (SPEC R37): reads what the function would read (both policies, the bucket's region,
 * the ledger table and its items) plus the ServiceToken topic's policy, then runs the pure checks. Only Get,
 * Describe and Query calls: it never writes.
 */
export async function doctor(args: DoctorArgs, env: Env): Promise<{ output: string; code: number; checks: Check[] }> {
  const targets = resolveTargets(args, env);
  const signal = new AbortController().signal;
  const table = ledgerTableOf(args.table, env, targets.key.region);
  const [estate, ledger, topic] = await Promise.all([
    readEstate(targets, awsPolicyStore(targets.key.region, s3ForcePathStyle(env, CLI_SETTINGS)), signal),
    table ? readLedger(table.name, table.region, signal) : undefined,
    args.topic ? readTopic(args, signal) : undefined,
  ]);
  const checks = runDoctor({ targets, estate, ...(ledger ? { ledger } : {}), ...(topic ? { topic } : {}) });
  return { output: args.json ? renderDoctorJson(checks) : renderDoctorText(checks), code: doctorExitCode(checks), checks };
}

async function readLedger(tableName: string, region: string, signal: AbortSignal): Promise<NonNullable<DoctorInput['ledger']>> {
  const ledger = { tableName, region, table: await describeLedgerTable(tableName, region, signal), expectedKeySchema: LEDGER_KEY_SCHEMA };
  // Items are read only from a table the function could use: another key schema would fail the query.
  if (!ledger.table.exists || !keySchemaMatches(ledger)) return ledger;
  return { ...ledger, snapshot: await awsLedgerStore(tableName, region).readSnapshot(signal) };
}

async function readTopic(args: DoctorArgs, signal: AbortSignal): Promise<NonNullable<DoctorInput['topic']>> {
  const topicArn = args.topic!;
  const reading = await readTopicPolicy(topicArn, topicArn.split(':')[3]!, signal);
  return { topicArn, ...reading, publisher: { roleArn: args.publisherRole!, ...(args.organization ? { organizationId: args.organization } : {}) } };
}
