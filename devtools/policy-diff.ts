import { diffLines } from 'diff';

/** A readable line diff of two policies, each pretty-printed; unchanged runs are shortened to their edges. */
export function policyDiff(before: string | undefined, after: string | undefined, color = process.stdout.isTTY): string {
  const pretty = (text: string | undefined) => (text === undefined ? '(no policy)\n' : `${JSON.stringify(JSON.parse(text), null, 2)}\n`);
  const paint = (code: string, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const out: string[] = [];
  for (const part of diffLines(pretty(before), pretty(after))) {
    const lines = part.value.replace(/\n$/, '').split('\n');
    if (part.added) out.push(...lines.map((l) => paint('32', `+ ${l}`)));
    else if (part.removed) out.push(...lines.map((l) => paint('31', `- ${l}`)));
    else if (lines.length > 6) out.push(...lines.slice(0, 2).map((l) => `  ${l}`), paint('2', `  … ${lines.length - 4} unchanged lines …`), ...lines.slice(-2).map((l) => `  ${l}`));
    else out.push(...lines.map((l) => `  ${l}`));
  }
  return out.join('\n');
}
