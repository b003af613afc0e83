import { StatusReport } from './status-report';

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
  const rows = report.accounts.flatMap((a) => {
    const prefixes = a.bucketPrefixes.length === 0 ? '-' : a.bucketPrefixes.map((p) => (p === '' ? '(none)' : p)).join(', ');
    const [first = 'ok', ...more] = a.problems;
    return [[a.accountId, a.inBucketPolicy ? 'yes' : 'no', prefixes, a.inKeyPolicy ? 'yes' : 'no', first], ...more.map((p) => ['', '', '', '', p])];
  });
  const withLedger = report.accounts.some((a) => a.ledger !== undefined);
  const holderCell = (a: StatusReport['accounts'][number]) => (a.ledger === 'held' ? String(a.holders!.length) : a.ledger === 'adopted' ? 'adopted' : 'none');
  const header = ['ACCOUNT', 'BUCKET', 'PREFIXES', 'KEY', ...(withLedger ? ['HOLDERS'] : []), 'PROBLEMS'];
  out.push(...table(header, withLedger ? withHolders(report, rows, holderCell) : rows));
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
  return out.join('\n');
}

/** Inserts the HOLDERS cell before PROBLEMS on each account's first row. */
function withHolders(report: StatusReport, rows: string[][], cell: (a: StatusReport['accounts'][number]) => string): string[][] {
  const out: string[][] = [];
  let index = 0;
  for (const a of report.accounts) {
    const count = Math.max(1, a.problems.length);
    for (let line = 0; line < count; line++) {
      const row = rows[index++]!;
      out.push([...row.slice(0, 4), line === 0 ? cell(a) : '', row[4]!]);
    }
  }
  return out;
}
