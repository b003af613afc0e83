// Test support: the shell commands a Markdown page shows, split into words as a POSIX shell would (quotes, backslash
// line continuations), so a test can check the exact commands an operator copies.

/** The part of a Markdown page under a `## ` heading, up to the next `## ` heading (the whole page when heading is omitted). */
export function markdownSection(markdown: string, heading?: string): string {
  if (heading === undefined) return markdown;
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`the page has no heading '${heading}'`);
  const next = markdown.indexOf('\n## ', start + heading.length + 2);
  return markdown.slice(start, next < 0 ? undefined : next);
}

/** Every command of the page's ```sh blocks, as words. Comment lines are skipped. */
export function shellCommands(markdown: string): string[][] {
  const commands: string[][] = [];
  for (const [, body] of markdown.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const line of (body ?? '').replace(/\\\n/g, ' ').split('\n')) {
      if (line.trim().startsWith('#')) continue;
      const words = shellWords(line);
      if (words.length > 0) commands.push(words);
    }
  }
  return commands;
}

/** One command line split into words: whitespace separates, single and double quotes group (no expansions). */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      word ??= '';
    } else if (/\s/.test(ch)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? '') + ch;
    }
  }
  if (quote) throw new Error(`unbalanced ${quote} in: ${line}`);
  if (word !== undefined) words.push(word);
  return words;
}

/** The commands that start with these words (e.g. 'aws', 'cloudformation', 'create-stack-set'). */
export function commandsStartingWith(commands: string[][], ...start: string[]): string[][] {
  return commands.filter((words) => start.every((w, i) => words[i] === w));
}

/** The words after a flag, up to the next flag (`--regions a b` gives [a, b]); undefined when the flag is absent. */
export function flagValues(words: string[], flag: string): string[] | undefined {
  const at = words.indexOf(flag);
  if (at < 0) return undefined;
  const values: string[] = [];
  for (const word of words.slice(at + 1)) {
    if (word.startsWith('--')) break;
    values.push(word);
  }
  return values;
}
