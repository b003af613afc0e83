/** Small helpers shared by the bench sections: statistics, aligned tables, failure bookkeeping. */

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Nearest-rank percentile (p in 0..100). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export function ms(value: number, digits = 1): string {
  return Number.isFinite(value) ? `${value.toFixed(digits)} ms` : 'n/a';
}

export function ratio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}x` : 'n/a';
}

export function bytes(value: number): string {
  return value.toLocaleString('en-US');
}

export function heading(text: string): void {
  console.log(`\n=== ${text} ===`);
}

/** Prints rows as an aligned table; cells that look numeric are right-aligned. */
export function printTable(headers: string[], rows: Array<Array<string | number>>): void {
  const cells = rows.map((row) => row.map((cell) => String(cell)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((row) => (row[i] ?? '').length)));
  const numeric = (text: string) => /^[-+]?[0-9][0-9,.]*( ?(ms|x|%|B))?$/.test(text);
  const line = (row: string[]) =>
    row
      .map((cell, i) => (numeric(cell) && i > 0 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  console.log(line(headers));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of cells) console.log(line(row));
}

/** Functional problems found while benchmarking; any of them makes the bench exit 1 (times never do). */
export class Problems {
  readonly list: string[] = [];
  add(problem: string): void {
    this.list.push(problem);
    console.log(`PROBLEM: ${problem}`);
  }
  check(ok: boolean, problem: string): boolean {
    if (!ok) this.add(problem);
    return ok;
  }
}
