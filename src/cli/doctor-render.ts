import { Check } from '../doctor/check';

/** --json: `{ "checks": [ { "id", "status", "message", "fix" } ] }` (SPEC R37). */
export function renderDoctorJson(checks: readonly Check[]): string {
  return JSON.stringify({ checks: checks.map(({ id, status, message, fix }) => ({ id, status, message, fix })) }, null, 2);
}

/** One line per check: status, id, what was found and, unless it passed, the fix; then a count. */
export function renderDoctorText(checks: readonly Check[]): string {
  const width = Math.max(...checks.map((c) => c.id.length));
  const lines = checks.map((c) => `${c.status.toUpperCase().padEnd(4)}  ${c.id.padEnd(width)}  ${c.message}${c.fix ? ` Fix: ${c.fix}` : ''}`);
  const count = (status: Check['status']) => checks.filter((c) => c.status === status).length;
  lines.push('', `${checks.length} checks: ${count('pass')} passed, ${count('warn')} warned, ${count('fail')} failed.`);
  return lines.join('\n');
}
