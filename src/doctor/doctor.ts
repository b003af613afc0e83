import { buildStatusReport, StatusReport } from '../estate/status-report';
import { OperatorError } from '../core/errors';
import { aclCheck } from './acl-check';
import { capacityCheck } from './capacity-check';
import { Check, CheckId, splitSentence, warn } from './check';
import { DoctorInput } from './input';
import { driftCheck, ledgerTableCheck } from './ledger-checks';
import { bucketDenyCheck, bucketRegionCheck, bucketStatementCheck, keyDenyCheck, keyLockoutCheck, keyStatementCheck } from './policy-checks';
import { topicPolicyCheck } from './topic-check';

/** Every check of `doctor` (SPEC R37) on what it read, in the order of CHECK_IDS. Pure: no AWS call. */
export function runDoctor(input: DoctorInput): Check[] {
  const { report, unreadable } = statusOf(input);
  return [
    guarded('bucket-region', () => bucketRegionCheck(input)),
    guarded('key-lockout', () => keyLockoutCheck(input)),
    guarded('bucket-statement', () => bucketStatementCheck(input)),
    guarded('key-statement', () => keyStatementCheck(input)),
    guarded('acl-check', () => aclCheck(input, report)),
    guarded('bucket-deny', () => bucketDenyCheck(input, report)),
    guarded('key-deny', () => keyDenyCheck(input, report)),
    guarded('capacity', () => capacityCheck(input)),
    guarded('ledger-table', () => ledgerTableCheck(input)),
    guarded('topic-policy', () => topicPolicyCheck(input)),
    unreadable ? notChecked('drift', unreadable.message) : guarded('drift', () => driftCheck(input, report)),
  ];
}

/** A check the core cannot run on these policies (a statement it refuses to read) says so instead of stopping doctor. */
function guarded(id: CheckId, check: () => Check): Check {
  try {
    return check();
  } catch (error) {
    if (!(error instanceof OperatorError)) throw error;
    return notChecked(id, splitSentence(error.message).message);
  }
}

function notChecked(id: CheckId, reason: string): Check {
  return warn(id, `Not checked: ${reason}`, 'Fix what the bucket-statement or key-statement check names, then run doctor again.');
}

/** What `status` reports; a statement status cannot read (two with the managed Sid, …) leaves an empty report. */
function statusOf(input: DoctorInput): { report: StatusReport; unreadable?: { message: string } } {
  try {
    return { report: buildStatusReport(input.targets, input.estate, input.ledger?.snapshot) };
  } catch (error) {
    if (!(error instanceof OperatorError)) throw error;
    const report: StatusReport = { bucket: input.targets.bucketName, key: input.targets.key.arn, prefix: null, layout: { bucketPolicy: 'none', keyPolicy: 'none' }, accounts: [], problems: [], notes: [], drift: true };
    return { report, unreadable: { message: splitSentence(error.message).message } };
  }
}

/** 0 when no check fails (warnings included), 1 when one does; usage and AWS errors exit 2 before any check runs. */
export function doctorExitCode(checks: readonly Check[]): number {
  return checks.some((c) => c.status === 'fail') ? 1 : 0;
}
