import { releasePlan } from '../ledger/release';
import { ReleaseArgs } from './args';
import { requiredLedger } from './ledger';

type Env = Record<string, string | undefined>;

/** The documented "reconcile now": the function's own scheduled event, sent by the operator. */
export const RECONCILE_NOW = `aws lambda invoke --function-name <the stack's FunctionName output> --cli-binary-format raw-in-base64-out --payload '{"source":"aws.events","detail-type":"Scheduled Event"}' /dev/stdout`;

/**
 * cloudtrail-enrollment release: deletes the chosen holdings from the ledger and registers the change, so the next
 * projection (any request, or reconcile) removes the entries the function wrote that nobody holds any more. It
 * writes no policy itself: the function's role does that, under the lease.
 */
export async function release(args: ReleaseArgs, env: Env): Promise<string> {
  const ledger = requiredLedger(args.table, env);
  const signal = new AbortController().signal;
  const holdings = releasePlan(await ledger.readSnapshot(signal), { accounts: new Set(args.accounts), holders: new Set(args.holders) });
  for (const holding of holdings) await ledger.deleteHolding(holding, signal);
  const accounts = [...new Set(holdings.map((h) => h.accountId))];
  if (accounts.length > 0) await ledger.registerChange(accounts, signal);
  const lines = holdings.map((h) => `released  ${h.accountId}  ${h.stackId} (${h.logicalResourceId})  bucket ${h.bucketName} prefix ${h.logFilePrefix === '' ? '(none)' : h.logFilePrefix}`);
  if (holdings.length === 0) {
    lines.push('No holding matched: nothing was released.');
    return lines.join('\n');
  }
  lines.push(
    `${holdings.length} ${holdings.length === 1 ? 'holding' : 'holdings'} released. The next request or reconcile removes the entries the function wrote that no stack holds any more (adopted entries stay). To reconcile now:`,
    `  ${RECONCILE_NOW}`,
  );
  return lines.join('\n');
}
