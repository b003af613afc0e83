import { StatusReport } from '../estate/status-report';
import { Check, failed, listed, pass, warn } from './check';
import { DoctorInput } from './input';

type Ledger = NonNullable<DoctorInput['ledger']>;

function schemaText(schema: ReadonlyArray<{ name: string; keyType: string; type?: string }>): string {
  return schema.map((k) => `${k.name} (${k.keyType}${k.type ? `, ${k.type}` : ''})`).join(' and ') || 'no key';
}

/** Whether the table has the key the function reads and writes (template.yaml's pk/sk). */
export function keySchemaMatches(ledger: Pick<Ledger, 'table' | 'expectedKeySchema'>): boolean {
  const actual = ledger.table.keySchema;
  return actual.length === ledger.expectedKeySchema.length && ledger.expectedKeySchema.every((want, i) => actual[i]?.name === want.name && actual[i]?.keyType === want.keyType && actual[i]?.type === want.type);
}

/** ledger-table: the table exists, has the ledger's key, and point-in-time recovery is on (SPEC R26). */
export function ledgerTableCheck({ ledger }: DoctorInput): Check {
  if (!ledger) {
    return warn('ledger-table', 'No ledger table was given, so it was not checked and the ledger was not compared with the policies.', "Pass --table with the stack's LedgerTableName output (or set LEDGER_TABLE_NAME), and AWS_REGION if the table is not in the key's region.");
  }
  const { tableName, region, table } = ledger;
  if (!table.exists) {
    return failed('ledger-table', `The ledger table ${tableName} does not exist in ${region}, so every enrollment request would fail.`, "Deploy template.yaml (it creates the table), or point --table (LEDGER_TABLE_NAME) and AWS_REGION at the stack's LedgerTableName output.");
  }
  if (!keySchemaMatches(ledger)) {
    return failed('ledger-table', `The ledger table ${tableName} has the key ${schemaText(table.keySchema)}, but the function reads and writes ${schemaText(ledger.expectedKeySchema)}.`, "Use the table template.yaml creates (the stack's LedgerTableName output), not another table.");
  }
  if (table.status !== undefined && table.status !== 'ACTIVE') {
    return warn('ledger-table', `The ledger table ${tableName} is ${table.status}, not ACTIVE, so requests may fail until it is.`, 'Wait until the table is ACTIVE, then run doctor again.');
  }
  if (!table.pointInTimeRecovery) {
    return warn('ledger-table', `The ledger table ${tableName} has point-in-time recovery off, so a deleted or overwritten ledger (the record of who holds each enrollment) could not be restored.`, `Turn it on: aws dynamodb update-continuous-backups --table-name ${tableName} --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true (template.yaml does).`);
  }
  return pass('ledger-table', `The ledger table ${tableName} in ${region} exists, has the key ${schemaText(table.keySchema)} and point-in-time recovery on.`);
}

/**
 * drift: what `status` reports per account, summarised (SPEC R31): half-enrolled accounts, entries held by a stack
 * but missing from a policy, statements that still refuse an account. Estate-level findings (region, missing
 * statements) belong to their own checks.
 */
export function driftCheck(input: DoctorInput, report: StatusReport): Check {
  const troubled = report.accounts.filter((a) => a.problems.length > 0);
  const held = report.accounts.filter((a) => a.ledger === 'held').length;
  if (troubled.length > 0) {
    const examples = troubled.map((a) => `${a.accountId} (${a.problems[0]})`);
    return failed('drift', `${troubled.length} of ${report.accounts.length} accounts disagree between the policies${input.ledger?.snapshot ? ' and the ledger' : ''}: ${listed(examples, 2)}.`, "Run 'cloudtrail-enrollment status' for the full list; the next reconcile puts held entries back, and anything no stack holds is yours to fix by hand.");
  }
  const counted = `${report.accounts.length} ${report.accounts.length === 1 ? 'account is' : 'accounts are'} in both policies`;
  if (!input.ledger?.snapshot) {
    return warn('drift', `${counted}, but the ledger was not read, so its holdings were not compared.`, "Pass --table with the stack's LedgerTableName output (or set LEDGER_TABLE_NAME) to compare the ledger too.");
  }
  return pass('drift', `The policies and the ledger agree: ${counted}, ${held} of them held by stacks.`);
}
