import { DeliveryRun } from '../delivery/delivery-status';
import { StatusReport } from '../estate/status-report';

/** The --json output: one object, one line per field for people, parseable for scripts. */
export function renderJson(report: StatusReport): string {
  return JSON.stringify(report, null, 2);
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

/** The human output: the targets, an aligned table (one row per problem line), estate problems, notes, a summary. */
export function renderText(report: StatusReport): string {
  const out: string[] = [];
  out.push(`Bucket ${report.bucket}  Key ${report.key}  Prefix ${report.prefix === null ? '(any)' : report.prefix === '' ? '(none)' : report.prefix}`);
  out.push(`Layout: bucket policy ${report.layout.bucketPolicy}, key policy ${report.layout.keyPolicy}`, '');
  const withLedger = report.accounts.some((a) => a.ledger !== undefined);
  const holderCell = (a: Account) => (a.ledger === 'held' ? String(a.holders!.length) : a.ledger === 'adopted' ? 'adopted' : 'none');
  // Cells between KEY and PROBLEMS, on each account's first row.
  const middle = (a: Account) => [...(withLedger ? [holderCell(a)] : []), ...(report.delivery ? deliveryCells(a) : [])];
  const rows = report.accounts.flatMap((a) => {
    const prefixes = a.bucketPrefixes.length === 0 ? '-' : a.bucketPrefixes.map((p) => (p === '' ? '(none)' : p)).join(', ');
    const [first = 'ok', ...more] = a.problems;
    const cells = middle(a);
    return [[a.accountId, a.inBucketPolicy ? 'yes' : 'no', prefixes, a.inKeyPolicy ? 'yes' : 'no', ...cells, first], ...more.map((p) => ['', '', '', '', ...cells.map(() => ''), p])];
  });
  const header = ['ACCOUNT', 'BUCKET', 'PREFIXES', 'KEY', ...(withLedger ? ['HOLDERS'] : []), ...(report.delivery ? DELIVERY_HEADER : []), 'PROBLEMS'];
  out.push(...table(header, rows));
  if (report.accounts.length === 0) out.push('(no account is listed in either policy)');
  if (withLedger) {
    const holders = report.accounts.flatMap((a) => (a.holders ?? []).map((stack) => `  ${a.accountId}  ${stack}`));
    if (holders.length > 0) out.push('', 'Holders (stacks whose enrollment resource holds the entry):', ...holders);
    const unheld = report.accounts.filter((a) => a.ledger === 'not held').map((a) => a.accountId);
    if (unheld.length > 0) out.push('', `Held by no stack and unknown to the ledger (hand-made or another tool's, kept as found): ${unheld.join(', ')}`);
  }
  if (report.problems.length > 0) out.push('', 'Estate problems:', ...report.problems.map((p) => `  - ${p}`));
  if (report.notes.length > 0) out.push('', 'Notes:', ...report.notes.map((n) => `  - ${n}`));
  const troubled = report.accounts.filter((a) => a.problems.length > 0).length;
  const estate = report.problems.length > 0 ? `, ${plural(report.problems.length, 'estate problem')}` : '';
  const verdict = report.drift ? 'drift found' : 'no drift';
  out.push('', `${plural(report.accounts.length, 'account')}: ${report.accounts.length - troubled} clean, ${troubled} with problems${estate}; ${verdict}.`);
  if (report.delivery) out.push(...deliveryLines(report, report.delivery));
  return out.join('\n');
}

type Account = StatusReport['accounts'][number];

const DELIVERY_HEADER = ['DELIVERY', 'REGION', 'LATEST DIGEST', 'LATEST LOG', 'TRAIL KEY'];

/** The account's most pressing delivery finding; '-' for an account not checked (not in both policies). */
function deliveryCells(a: Account): string[] {
  const d = a.delivery;
  if (!d) return DELIVERY_HEADER.map(() => '-');
  const others = (a.deliveries?.length ?? 1) - 1;
  const encrypted = d.logEncryptedWithTrailKey === null ? '-' : d.logEncryptedWithTrailKey ? 'yes' : 'no';
  return [d.state, `${d.region}${others > 0 ? ` +${others}` : ''}`, d.latestDigestAt ?? '-', d.latestLogAt ?? '-', encrypted];
}

/** Every finding with a reason, then the delivery summary. */
function deliveryLines(report: StatusReport, run: DeliveryRun): string[] {
  const lines = report.accounts.flatMap((a) =>
    (a.deliveries ?? (a.delivery ? [a.delivery] : [])).filter((d) => d.reason).map((d) => `  ${a.accountId}  ${d.region}${d.prefix ? ` (prefix ${d.prefix})` : ''}  ${d.state}: ${d.reason}`),
  );
  const found = `${run.delivering} delivering, ${run.silent} silent, ${run.unencrypted} unencrypted, ${run.unknown} unknown`;
  return [
    ...(lines.length > 0 ? ['', 'Delivery findings:', ...lines] : []),
    '',
    `Delivery at ${run.checkedAt}, silent after ${run.silentAfterHours} h: ${plural(run.checked, 'account folder')} checked: ${found}.`,
  ];
}
